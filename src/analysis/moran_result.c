/* moran_result.c - `analyze moran` for the command line and the API: its
 * options by name, and its result as a table (analysis/result.h). */
#include "analysis/moran.h"

#include "analysis/result.h"

#include <string.h>

void analysis_moran_args_init(struct an_moran_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->queen = 1;
    o->perms = 999;
    o->seed = 1;
    o->alpha = 0.05;
}

int analysis_moran_option(struct an_moran_opts *o, const char *name, const char *value,
                          struct cscc_err *err)
{
    unsigned long ul;
    int f;

    if (an_opt_is(name, "rate") || an_opt_is(name, "rook")) {
        if ((f = an_opt_flag(value)) < 0)
            return an_opt_bad(err, name, "is true or false");
        if (an_opt_is(name, "rate"))
            o->rate = f;
        else
            o->queen = !f;
        return 1;
    }
    if (an_opt_is(name, "permutations")) {
        if (an_opt_uint(value, 0, 99999, &ul))
            return an_opt_bad(err, name, "takes a number from 0 to 99999");
        o->perms = (unsigned)ul;
        return 1;
    }
    if (an_opt_is(name, "seed")) {
        if (an_opt_uint(value, 0, ~0ul, &ul))
            return an_opt_bad(err, name, "takes a non-negative integer");
        o->seed = ul;
        return 1;
    }
    if (an_opt_is(name, "alpha")) {
        if (an_opt_double(value, 1e-6, 0.5, &o->alpha))
            return an_opt_bad(err, name, "takes a level between 0 and 0.5");
        return 1;
    }
    return 0;
}

struct an_result *analysis_moran_result(const struct an_spatial *s, const struct an_moran_opts *o,
                                        const struct an_moran *m)
{
    struct an_result *r = an_result_new("moran");
    size_t u;

    an_param(r, "units", "community areas");
    an_param(r, "value", "%s", o->rate ? "incidents per 100,000 residents" : "incidents");
    if (o->rate)
        an_param(r, "population", "%s", s->city.pop_source);
    an_param(r, "weights", "%s contiguity, row-standardised", o->queen ? "queen" : "rook");
    an_param_num(r, "permutations", o->perms);
    an_param(r, "inference", "conditional permutation (local), random permutation (global)");
    an_param_num(r, "alpha", o->alpha);
    an_seed(r, o->seed);
    an_spatial_describe(s, r, &m->info);
    an_summary_num(r, "moran_i", m->global.i);
    an_summary_num(r, "expected_i", m->global.expected);
    an_summary_num(r, "variance_normality", m->global.var_norm);
    an_summary_num(r, "z_normality", m->global.z_norm);
    an_summary_num(r, "p_normality", m->global.p_norm);
    an_summary_num(r, "variance_randomisation", m->global.var_rand);
    an_summary_num(r, "z_randomisation", m->global.z_rand);
    an_summary_num(r, "p_randomisation", m->global.p_rand);
    an_summary_num(r, "p_permutation", m->global.p_sim);
    an_summary_num(r, "areas", (double)m->n);
    if (m->islands)
        an_warn(r, "%zu areas have no neighbour", m->islands);
    an_column(r, "community_area", AN_INT);
    an_column(r, "name", AN_STR);
    an_column(r, "value", AN_NUM);
    an_column(r, "local_i", AN_NUM);
    an_column(r, "lag", AN_NUM);
    an_column(r, "p_value", AN_NUM);
    an_column(r, "quadrant", AN_STR);
    an_column(r, "cluster", AN_STR);
    an_column(r, "neighbours", AN_INT);
    for (u = 0; u < m->n; u++) {
        int sig = o->perms && m->p[u] <= o->alpha;

        an_row(r);
        an_int(r, m->ids[u]);
        an_str(r, s->city.name[m->ids[u]]);
        an_num(r, m->value[u]);
        an_num(r, m->ii[u]);
        an_num(r, m->lag[u]);
        an_num(r, m->p[u]);
        an_str(r, analysis_moran_quadrant(m->quadrant[u]));
        an_str(r, sig ? analysis_moran_quadrant(m->quadrant[u]) : "not significant");
        an_int(r, (int64_t)m->neighbours[u]);
        if (s->city.geometry[m->ids[u]])
            an_geom_json(r, s->city.geometry[m->ids[u]]);
    }
    return r;
}
