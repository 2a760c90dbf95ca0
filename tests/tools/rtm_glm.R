# rtm_glm.R - R's glm() on the design cscc's risk terrain used, for the
# cross-check of tests/integration/analyze_crosscheck_nr.sh.
#   Rscript rtm_glm.R CELLS.csv OUT_FACTORS.csv OUT_CELLS.csv
# CELLS.csv is `cscc analyze rtm --table cells`: one row per grid cell in the
# city (zero counts included), its incident count and one column per factor
# (proximity_*, density_*, distance_*), then relative_risk. Fits
# glm(count ~ factors, family = poisson) (log link), converged to a deviance
# change of 1e-14 (R's default 1e-8 stops a step early), and writes per
# coefficient the estimate, its standard error (summary.glm), z, p, exp(beta)
# and the Wald interval exp(beta -/+ qnorm(0.975) se) (confint.default's, not
# the profile likelihood of confint()), then the deviance, null deviance and
# AIC as rows of their own; and per cell exp(sum beta_k x_k) without the
# intercept, the relative risk score.
a <- commandArgs(trailingOnly = TRUE)
cells <- read.csv(a[1], check.names = FALSE)
factors <- setdiff(names(cells), c("cell", "col", "row", "community_area", "count",
                                   "relative_risk"))
if (length(factors) < 1) stop("no factor columns in ", a[1])
X <- as.matrix(cells[, factors, drop = FALSE])
fit <- glm(cells$count ~ X, family = poisson(link = "log"),
           control = glm.control(epsilon = 1e-14, maxit = 100))
if (!fit$converged) stop("glm did not converge")
co <- summary(fit)$coefficients
q <- qnorm(0.975)
out <- data.frame(term = c("(intercept)", factors), coefficient = co[, 1], std_error = co[, 2],
                  z = co[, 3], p_value = co[, 4], relative_risk = exp(co[, 1]),
                  rr_ci_low = exp(co[, 1] - q * co[, 2]), rr_ci_high = exp(co[, 1] + q * co[, 2]))
fitstats <- data.frame(term = c("deviance", "null_deviance", "aic"),
                       coefficient = c(fit$deviance, fit$null.deviance, fit$aic),
                       std_error = NA, z = NA, p_value = NA, relative_risk = NA,
                       rr_ci_low = NA, rr_ci_high = NA)
g17 <- function(d) { # every digit: write.csv keeps 15
    d[] <- lapply(d, function(v) if (is.numeric(v)) sprintf("%.17g", v) else v)
    d
}
write.csv(g17(rbind(out, fitstats)), a[2], row.names = FALSE, quote = FALSE)
rrs <- exp(drop(X %*% coef(fit)[-1]))
write.csv(g17(data.frame(cell = cells$cell, relative_risk = rrs)), a[3], row.names = FALSE,
          quote = FALSE)
cat(sprintf("R %s glm: %d cells, %d iterations\n", getRversion(), nrow(cells), fit$iter))
