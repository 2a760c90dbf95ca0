/* cmd_analyze.c - `cscc analyze NAME ...`: the analyses of src/analysis.
 * Each analysis's command is in cmd_analyze_NAME.c, with a line in the
 * table below; they share the filter options (cli_filter_option) and the
 * output options (cli_result_option, cli_write_result). */
#include "cli/cli.h"

#include "analysis/result.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct cli_command analyses[] = {
    {"trends", cmd_analyze_trends, "a period against the prior one and a year earlier, by area"},
    {"priority", cmd_analyze_priority, "priority areas by the rule: most serious victimizations"},
    {"kde", cmd_analyze_kde, "quartic kernel density of points on a grid"},
    {"gistar", cmd_analyze_gistar, "Getis-Ord Gi* hot spots on grid cells or community areas"},
    {"moran", cmd_analyze_moran, "local and global Moran's I of community areas"},
    {"knox", cmd_analyze_knox, "near repeats: the Knox test (Near Repeat Calculator)"},
    {"rtm", cmd_analyze_rtm, "built-environment risk terrain: Poisson relative risks"},
    {"pai", cmd_analyze_pai, "accuracy of a hot spot map on the next period (PAI, PEI)"},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    const struct cli_command *c;

    fprintf(f, "Usage: cscc analyze NAME [OPTIONS]\n"
               "\n"
               "Analyses of the imported data. Each states its parameters, the data it\n"
               "used and its random seed; output as CSV (default), JSON or GeoJSON.\n"
               "\n"
               "Analyses:\n");
    for (c = analyses; c->name; c++)
        fprintf(f, "  %-12s %s\n", c->name, c->summary);
    fprintf(f, "\nRun 'cscc analyze NAME --help' for an analysis's options.\n");
}

int cmd_analyze(struct cli_ctx *ctx, int argc, char **argv)
{
    const struct cli_command *c;

    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (c = analyses; c->name; c++)
        if (!strcmp(c->name, argv[1]))
            return c->run(ctx, argc - 1, argv + 1);
    return cli_usage_error("analyze ", "no analysis named '%s'", argv[1]);
}

int cli_result_option(const char *cmd, int *fmt, const char **out, int opt, const char *arg,
                      int *rc)
{
    *rc = 0;
    switch (opt) {
    case 'o':
        if ((*fmt = an_format_by_name(arg)) < 0)
            *rc = cli_usage_error(cmd, "--format is csv, json or geojson, not '%s'", arg);
        return 1;
    case 'O': *out = arg; return 1;
    }
    return 0;
}

void cli_result_help(FILE *f)
{
    fputs("  --format F        csv (the table; default), json (the table with parameters,\n"
          "                    data used, seed and summary) or geojson (a feature a row)\n"
          "  --output FILE     write to FILE (replaced whole when done) instead of stdout\n",
          f);
}

int cli_write_result(const struct an_result *r, int fmt, const char *out)
{
    struct strbuf sb;
    char tmp[4096];
    int rc, fd = 1;
    size_t off = 0;

    /* Warnings are for people reading the terminal too (JSON and GeoJSON
     * also carry them). */
    for (off = 0; off < an_nwarnings(r); off++)
        cscc_warn("%s", an_warning_at(r, off));
    off = 0;
    strbuf_init(&sb, 0);
    if ((rc = an_result_write(r, (enum an_format)fmt, &sb))) {
        cscc_error("cannot write the result: %s",
                   rc == CSCC_ELIMIT ? "it is larger than 1 GiB" : "out of memory");
        strbuf_release(&sb);
        return CLI_SOFTWARE;
    }
    if (out) {
        snprintf(tmp, sizeof(tmp), "%s.tmp", out);
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
            cscc_error("cannot write %s: %s", tmp, strerror(errno));
            strbuf_release(&sb);
            return CLI_IOERR;
        }
    }
    while (off < sb.len) {
        ssize_t k = write(fd, sb.buf + off, sb.len - off);

        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            cscc_error("cannot write %s: %s", out ? tmp : "the result", strerror(errno));
            rc = CLI_IOERR;
            break;
        }
        off += (size_t)k;
    }
    strbuf_release(&sb);
    if (out) {
        if (!rc && (fsync(fd) < 0 || rename(tmp, out) < 0)) {
            cscc_error("cannot write %s: %s", out, strerror(errno));
            rc = CLI_IOERR;
        }
        close(fd);
        if (rc)
            unlink(tmp);
    }
    return rc;
}
