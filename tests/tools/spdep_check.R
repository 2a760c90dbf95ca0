# spdep_check.R - R's spdep on the same counts cscc used, for the cross-check
# of tests/integration/analyze_crosscheck.sh.
#   Rscript spdep_check.R AREAS.geojson GISTAR.csv MORAN.csv OUT.csv OUT_GLOBAL.csv
# Reads the community area boundaries (properties "area", "name"), builds
# queen contiguity with poly2nb() (spdep's default snap), and computes
#  - Gi* of cscc's area counts: localG() with binary weights and each area
#    its own neighbour (include.self), as ArcGIS and esda define Gi*;
#  - local Moran's I of cscc's area values: localmoran() with row-standardised
#    weights; the spatial lag of the deviations z = y - mean(y) (lag.listw)
#    and the quadrant by the signs of z and its lag (GeoDa's and esda's
#    convention); also spdep's own "mean" quadrant (attr "quadr"), which
#    compares the lag of y with the mean of the lags instead;
#  - global Moran's I under normality and randomisation (moran.test).
# Writes one row per area (area, neighbours, gi_z, local_i, lag, quadrant,
# quadrant_spdep_mean) and
# one row of the global figures.
suppressPackageStartupMessages({
    library(sf)
    library(spdep)
})
a <- commandArgs(trailingOnly = TRUE)
ca <- st_read(a[1], quiet = TRUE)
ca <- ca[order(ca$area), ]
nb <- poly2nb(ca, queen = TRUE)
g <- read.csv(a[2])
m <- read.csv(a[3])
x <- g$count[match(ca$area, g$community_area)]
y <- m$value[match(ca$area, m$community_area)]
if (anyNA(x) || anyNA(y)) stop("an area of the boundaries is missing from cscc's results")
gi <- as.numeric(localG(x, nb2listw(include.self(nb), style = "B")))
lw <- nb2listw(nb, style = "W")
lm <- localmoran(y, lw)
z <- y - mean(y)
lag <- lag.listw(lw, z)
quad <- ifelse(z > 0, ifelse(lag > 0, "HH", "HL"), ifelse(lag > 0, "LH", "LL"))
sq <- as.character(attr(lm, "quadr")$mean)
sq <- c("Low-Low" = "LL", "High-Low" = "HL", "Low-High" = "LH", "High-High" = "HH")[sq]
write.csv(data.frame(area = ca$area, neighbours = card(nb), gi_z = gi, local_i = lm[, "Ii"],
                     lag = lag, quadrant = quad, quadrant_spdep_mean = sq), a[4],
          row.names = FALSE)
tr <- moran.test(y, lw, randomisation = TRUE)
tn <- moran.test(y, lw, randomisation = FALSE)
write.csv(data.frame(moran_i = tr$estimate[["Moran I statistic"]],
                     expected_i = tr$estimate[["Expectation"]],
                     variance_randomisation = tr$estimate[["Variance"]],
                     variance_normality = tn$estimate[["Variance"]],
                     z_randomisation = tr$statistic[[1]], z_normality = tn$statistic[[1]],
                     spdep = as.character(packageVersion("spdep"))),
          a[5], row.names = FALSE)
