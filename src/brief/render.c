/* render.c - the brief (brief_build's JSON) as Markdown and as a printable
 * HTML page. */
#include "brief/brief.h"

#include <string.h>

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s ? s : "";
}

static long long num(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

/* Text for HTML (html 1) or Markdown (html 0, table cells: | escaped). */
static void text(struct strbuf *sb, const char *s, int html)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': strbuf_adds(sb, html ? "&lt;" : "<"); break;
        case '>': strbuf_adds(sb, html ? "&gt;" : ">"); break;
        case '&': strbuf_adds(sb, html ? "&amp;" : "&"); break;
        case '"': strbuf_adds(sb, html ? "&quot;" : "\""); break;
        case '|': strbuf_adds(sb, html ? "|" : "\\|"); break;
        default: strbuf_addc(sb, *s);
        }
    }
}

/* Row separators of both formats. */
struct fmt {
    int html;
    const char *h_open, *h_close; /* section heading */
    const char *tr_open, *td, *tr_close;
};

static const struct fmt MD = {0, "\n## ", "\n", "| ", " | ", " |\n"};
static const struct fmt HTML = {1, "<h2>", "</h2>\n", "<tr><td>", "</td><td>", "</td></tr>\n"};

static void table_head(struct strbuf *sb, const struct fmt *f, const char *const *cols, size_t n)
{
    size_t i;

    if (f->html) {
        strbuf_adds(sb, "<table><thead><tr>");
        for (i = 0; i < n; i++)
            strbuf_addf(sb, "<th scope=\"col\">%s</th>", cols[i]);
        strbuf_adds(sb, "</tr></thead><tbody>\n");
        return;
    }
    strbuf_adds(sb, "\n|");
    for (i = 0; i < n; i++)
        strbuf_addf(sb, " %s |", cols[i]);
    strbuf_adds(sb, "\n|");
    for (i = 0; i < n; i++)
        strbuf_adds(sb, i ? " ---: |" : " --- |");
    strbuf_adds(sb, "\n");
}

static void table_end(struct strbuf *sb, const struct fmt *f)
{
    strbuf_adds(sb, f->html ? "</tbody></table>\n" : "\n");
}

static void para(struct strbuf *sb, const struct fmt *f, const char *s)
{
    strbuf_adds(sb, f->html ? "<p>" : "\n");
    text(sb, s, f->html);
    strbuf_adds(sb, f->html ? "</p>\n" : "\n");
}

static void section(struct strbuf *sb, const struct fmt *f, const json_t *s)
{
    static const char *const vcols[] = {"Category", "This week", "Mean of 4 weeks before",
                                        "Same week a year earlier"};
    static const char *const hcols[] = {"Cell", "Area", "Incidents", "Gi* z"};
    static const char *const ncols[] = {"Department", "New needs", "Overdue work orders"};
    const json_t *v, *e, *feats, *needs;
    size_t i;
    char buf[160];

    if (f->html)
        strbuf_addf(sb, "<section class=\"brief-unit\" data-area=\"%lld\">\n", num(s, "area"));
    strbuf_adds(sb, f->h_open);
    if (num(s, "area"))
        strbuf_addf(sb, "%lld ", num(s, "area"));
    text(sb, str(s, "name"), f->html);
    strbuf_adds(sb, f->h_close);

    strbuf_adds(sb, f->html ? "<h3>Violence</h3>\n" : "\n### Violence\n");
    table_head(sb, f, vcols, 4);
    json_array_foreach(json_object_get(s, "violence"), i, v)
    {
        strbuf_adds(sb, f->tr_open);
        text(sb, str(v, "category"), f->html);
        strbuf_addf(sb, "%s%lld%s%.2f%s%lld%s", f->td, num(v, "week"), f->td,
                    json_real_value(json_object_get(v, "prior_4_weeks_mean")), f->td,
                    num(v, "year_ago"), f->tr_close);
    }
    table_end(sb, f);

    strbuf_adds(sb, f->html ? "<h3>Hot spots, last four weeks</h3>\n"
                            : "\n### Hot spots, last four weeks\n");
    feats = json_object_get(json_object_get(s, "hotspots"), "features");
    if (!json_array_size(feats)) {
        para(sb, f, "No Gi* hot cell at 95 % confidence or more.");
    } else {
        table_head(sb, f, hcols, 4);
        json_array_foreach(feats, i, v)
        {
            const json_t *p = json_object_get(v, "properties");

            strbuf_addf(sb, "%s%lld%s%lld%s%.0f%s%.2f%s", f->tr_open, num(p, "cell"), f->td,
                        num(p, "area"), f->td, json_real_value(json_object_get(p, "count")), f->td,
                        json_real_value(json_object_get(p, "gi_z")), f->tr_close);
        }
        table_end(sb, f);
    }

    needs = json_object_get(s, "needs");
    strbuf_adds(sb, f->html ? "<h3>Needs and work orders</h3>\n" : "\n### Needs and work orders\n");
    snprintf(buf, sizeof(buf), "%lld new needs this week; %lld work orders overdue.",
             num(needs, "new_needs"), num(needs, "overdue_workorders"));
    para(sb, f, buf);
    if (json_array_size(json_object_get(needs, "by_department"))) {
        table_head(sb, f, ncols, 3);
        json_array_foreach(json_object_get(needs, "by_department"), i, v)
        {
            strbuf_adds(sb, f->tr_open);
            text(sb, str(v, "name"), f->html);
            strbuf_addf(sb, "%s%lld%s%lld%s", f->td, num(v, "new_needs"), f->td, num(v, "overdue"),
                        f->tr_close);
        }
        table_end(sb, f);
    }

    e = json_object_get(s, "engagement");
    strbuf_adds(sb, f->html ? "<h3>Engagement</h3>\n" : "\n### Engagement\n");
    if (json_is_object(e)) {
        const json_t *m;

        snprintf(buf, sizeof(buf), "%lld events, attendance %lld, %lld of 10 sectors took part.",
                 num(e, "events"), num(e, "attendance"), num(e, "sectors_covered"));
        para(sb, f, buf);
        m = json_object_get(e, "missing");
        if (json_array_size(m)) {
            struct strbuf ms;

            strbuf_init(&ms, 4096);
            strbuf_adds(&ms, "Sectors missing: ");
            json_array_foreach(m, i, v)
            {
                if (i)
                    strbuf_adds(&ms, ", ");
                strbuf_adds(&ms, json_string_value(v));
            }
            strbuf_adds(&ms, ".");
            para(sb, f, ms.buf ? ms.buf : "");
            strbuf_release(&ms);
        }
    } else {
        para(sb, f, "No coverage row for this area.");
    }

    e = json_object_get(s, "funding");
    if (json_is_object(e)) {
        struct strbuf fs;

        strbuf_adds(sb, f->html ? "<h3>Funding</h3>\n" : "\n### Funding\n");
        strbuf_init(&fs, 4096);
        strbuf_addf(&fs,
                    "%lld allocations active this week (%lld of them citywide): $%.2f allocated, "
                    "$%.2f spent so far.",
                    num(e, "allocations"), num(e, "citywide_allocations"),
                    json_number_value(json_object_get(e, "amount")),
                    json_number_value(json_object_get(e, "spent")));
        json_array_foreach(json_object_get(e, "by_strategy"), i, v)
        {
            strbuf_addf(&fs, "%s %s: $%.2f (%lld)",
                        i ? ";" : " By strategy area:", str(v, "strategy"),
                        json_number_value(json_object_get(v, "amount")), num(v, "allocations"));
        }
        if (json_array_size(json_object_get(e, "by_strategy")))
            strbuf_adds(&fs, ".");
        para(sb, f, fs.buf ? fs.buf : "");
        strbuf_release(&fs);
    }
    if (f->html)
        strbuf_adds(sb, "</section>\n");
}

static int write_brief(const json_t *b, const struct fmt *f, struct strbuf *sb)
{
    const json_t *p = json_object_get(b, "periods"), *d = json_object_get(b, "data"), *v;
    const json_t *viol = json_object_get(d, "violence");
    size_t i;
    char buf[2048];

    if (f->html)
        strbuf_adds(sb, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                        "<title>Weekly coordination brief</title><style>"
                        "body{font:11pt sans-serif;margin:1.5em}table{border-collapse:collapse;"
                        "margin:.5em 0}th,td{border:1px solid #888;padding:.2em .5em;text-align:"
                        "right}td:first-child,th:first-child{text-align:left}"
                        "@media print{section.brief-unit{break-before:page}}</style></head>"
                        "<body>\n<h1>Weekly coordination brief ");
    else
        strbuf_adds(sb, "# Weekly coordination brief ");
    text(sb, str(b, "week"), f->html);
    strbuf_adds(sb, f->html ? "</h1>\n" : "\n");
    snprintf(
        buf, sizeof(buf),
        "Week %s to %s (%s). Compared with the four weeks %s to %s and the week %s (%s to "
        "%s).",
        str(json_object_get(p, "week"), "from"), str(json_object_get(p, "week"), "to"),
        str(b, "timezone"), str(json_object_get(p, "prior_4_weeks"), "from"),
        str(json_object_get(p, "prior_4_weeks"), "to"), str(json_object_get(p, "year_ago"), "week"),
        str(json_object_get(p, "year_ago"), "from"), str(json_object_get(p, "year_ago"), "to"));
    para(sb, f, buf);
    snprintf(buf, sizeof(buf),
             "Violence: %s, %s to %s (generation %lld). Hot spots: %s. Needs: %s. Engagement: %s. "
             "Funding: %s.",
             str(viol, "source"), str(viol, "first_day"), str(viol, "last_day"),
             num(viol, "generation"), str(json_object_get(d, "hotspots"), "analysis"),
             str(d, "needs"), str(d, "engagement"), str(d, "funding"));
    para(sb, f, buf);
    json_array_foreach(json_object_get(b, "notes"), i, v)
    {
        snprintf(buf, sizeof(buf), "Note: %s.", json_string_value(v));
        para(sb, f, buf);
    }
    json_array_foreach(json_object_get(b, "sections"), i, v) section(sb, f, v);
    if (f->html)
        strbuf_adds(sb, "</body></html>\n");
    return sb->len >= sb->max ? CSCC_ENOMEM : 0;
}

static int dump_cb(const char *buf, size_t size, void *data)
{
    return strbuf_add(data, buf, size) ? -1 : 0;
}

int brief_write_json(const json_t *b, struct strbuf *sb)
{
    if (json_dump_callback(b, dump_cb, sb, JSON_INDENT(1) | JSON_REAL_PRECISION(10)) ||
        strbuf_addc(sb, '\n'))
        return CSCC_ENOMEM;
    return sb->len >= sb->max ? CSCC_ENOMEM : 0;
}

int brief_write_md(const json_t *b, struct strbuf *sb)
{
    return write_brief(b, &MD, sb);
}

int brief_write_html(const json_t *b, struct strbuf *sb)
{
    return write_brief(b, &HTML, sb);
}
