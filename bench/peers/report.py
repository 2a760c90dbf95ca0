#!/usr/bin/python3
"""report.py RESDIR OUT_MD [key=value ...] - compares and tabulates a bench/run.

Reads RESDIR/<tool>.json and RESDIR/<tool>_{area,month}.csv for the tools that
ran (cscc, sqlite, duckdb, pandas), normalises the result sets, checks that
every tool returned the same numbers (MATCH/MISMATCH, against the first peer
that ran, else cscc), prints a table with the ratios peer/cscc and writes it as Markdown
to OUT_MD. key=value arguments (rows, seed, file, bytes, ...) go into the header.
Exit status: 0 when all results match, 1 on a mismatch, 2 when nothing ran.

Normalisation, so that each tool may print its own CSV: an optional header
line is recognised (the count column is the one named count/n/incidents,
else the last; the key column is the first); quotes and spaces are stripped;
an area key is an integer without leading zeros or a trailing ".0"; an empty,
NULL, None, NaN or "unknown" key is the NULL group (written as an empty key);
a month key is YYYY-MM (YYYY-MM-DD is cut); rows with a zero count are dropped,
duplicate keys are summed.
"""
import csv
import json
import os
import platform
import sys

TOOLS = [("cscc", "cscc"), ("sqlite", "sqlite3"), ("duckdb", "DuckDB"), ("pandas", "pandas")]
NULLS = {"", "null", "none", "nan", "unknown", "(unknown)", "na", "n/a", "<null>", "(null)"}
COUNT_NAMES = {"count", "n", "incidents", "rows", "total"}


def is_int(s):
    try:
        int(s)
        return True
    except ValueError:
        return False


def norm_key(kind, k):
    k = k.strip().strip('"').strip()
    if k.lower() in NULLS:
        return ""
    if kind == "area":
        try:
            return str(int(float(k)))
        except ValueError:
            return k
    if kind == "month" and len(k) >= 7 and k[4] == "-":
        return k[:7]
    return k


def load_result(path, kind):
    """{key: count} from a tool's CSV, or None when the file is missing."""
    if not os.path.exists(path):
        return None
    with open(path, newline="") as f:
        rows = [r for r in csv.reader(f) if r and any(c.strip() for c in r)]
    if not rows:
        return {}
    kcol, ccol = 0, len(rows[0]) - 1
    if not is_int(rows[0][-1].strip()):  # a header line
        names = [c.strip().lower() for c in rows[0]]
        for i, n in enumerate(names):
            if n in COUNT_NAMES:
                ccol = i
        rows = rows[1:]
    out = {}
    for r in rows:
        try:
            n = int(float(r[ccol]))
        except (ValueError, IndexError):
            continue
        if n == 0:
            continue
        k = norm_key(kind, r[kcol])
        out[k] = out.get(k, 0) + n
    return out


def fmt_s(x):
    if x is None:
        return "–"
    if x < 0.1:
        return "%.1f ms" % (x * 1000)
    if x < 10:
        return "%.3f s" % x if x < 1 else "%.2f s" % x
    return "%.1f s" % x


def fmt_mb(kb):
    if not kb:
        return "–"
    return "%.0f MB" % (kb / 1024) if kb < 1024 * 1024 else "%.1f GB" % (kb / 1024 / 1024)


def ratio(peer, base):
    if peer is None or not base:
        return "–"
    r = peer / base
    return "%.0f×" % r if r >= 10 else "%.1f×" % r


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = "%.0f GiB" % (int(f.readline().split()[1]) / 1024 / 1024)
    except (OSError, ValueError, IndexError):
        pass
    return "%s, %d cores, %s, %s" % (cpu, os.cpu_count() or 0, mem, platform.platform())


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: report.py RESDIR OUT_MD [key=value ...]\n")
        return 2
    res, out_md = sys.argv[1], sys.argv[2]
    info = dict(a.split("=", 1) for a in sys.argv[3:] if "=" in a)

    ran = []
    for key, label in TOOLS:
        p = os.path.join(res, key + ".json")
        if os.path.exists(p):
            with open(p) as f:
                j = json.load(f)
            j["key"], j["label"] = key, label
            j["area"] = load_result(os.path.join(res, key + "_area.csv"), "area")
            j["month"] = load_result(os.path.join(res, key + "_month.csv"), "month")
            ran.append(j)
    if not ran:
        print("bench: no tool ran")
        return 2

    # Compare every tool's result sets with those of the first peer that ran
    # (the peers are the reference: cscc is the code under test).
    ref = next((j for j in ran if j["key"] != "cscc"), ran[0])
    checks, all_match = [], True
    for j in ran:
        for kind in ("area", "month"):
            a, b = j[kind], ref[kind]
            if a is None or b is None:
                status, detail = "MISMATCH", "no result file"
            elif a == b:
                status, detail = "MATCH", "%d groups, %d rows" % (len(a), sum(a.values()))
            else:
                status = "MISMATCH"
                diffs = []
                for k in sorted(set(a) | set(b)):
                    if a.get(k) != b.get(k):
                        diffs.append("%s: %s vs %s" % (k or "NULL", a.get(k, "absent"),
                                                       b.get(k, "absent")))
                detail = "%d groups differ from %s, e.g. %s" % (len(diffs), ref["label"],
                                                              "; ".join(diffs[:4]))
            if status != "MATCH":
                all_match = False
            j[kind + "_status"] = status
            checks.append((j["label"], kind, status, detail))

    base = next((j for j in ran if j["key"] == "cscc"), None)
    head = ["tool", "load", "load RSS", "by area", "by month", "query RSS",
            "load vs cscc", "area vs cscc", "month vs cscc", "results"]
    rows = []
    for j in ran:
        same = j.get("area_status") == "MATCH" and j.get("month_status") == "MATCH"
        rows.append([
            j["label"], fmt_s(j.get("load_s")), fmt_mb(j.get("load_rss_kb")),
            fmt_s(j.get("area_s")), fmt_s(j.get("month_s")), fmt_mb(j.get("query_rss_kb")),
            ratio(j.get("load_s"), base and base.get("load_s")) if j is not base else "1×",
            ratio(j.get("area_s"), base and base.get("area_s")) if j is not base else "1×",
            ratio(j.get("month_s"), base and base.get("month_s")) if j is not base else "1×",
            "MATCH" if same else "MISMATCH",
        ])
    if base is None:
        for r in rows:
            r[6:9] = ["–", "–", "–"]

    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    print(line(head))
    print(line(["-" * w for w in widths]))
    for r in rows:
        print(line(r))
    print()
    inproc = []
    if base and base.get("area_inproc_s"):
        inproc.append("cscc in-process (the table open, best of 20, as DuckDB and pandas are "
                      "timed): by area %s, by month %s" % (fmt_s(base.get("area_inproc_s")),
                                                          fmt_s(base.get("month_inproc_s"))))
        for j in ran:
            if j is base or j["key"] in ("cscc", "sqlite"):
                continue
            inproc.append("  %s in-process vs cscc in-process: area %s, month %s" % (
                j["label"], ratio(j.get("area_s"), base.get("area_inproc_s")),
                ratio(j.get("month_s"), base.get("month_inproc_s"))))
        print("\n".join(inproc))
        print()
    for label, kind, status, detail in checks:
        print("%-8s %-5s %-8s %s" % (label, kind, status, detail))
    if base is None:
        print("(cscc did not run: no ratios)")

    if "load average" in info:
        print("load average (1/5/15 min) at start and end: %s" % info["load average"])
    md = ["# cscc import/query benchmark", ""]
    md.append("Written by `bench/run`; compare figures within one run only (shared machine, ±20 %).")
    md.append("")
    for k in ("date", "rows", "seed", "file", "bytes", "load average"):
        if k in info:
            md.append("- %s: %s" % (k, info[k]))
    md.append("- machine: %s" % machine())
    fr, to, ty = (os.environ.get("BENCH_FROM", ""), os.environ.get("BENCH_TO", ""),
                  os.environ.get("BENCH_TYPES", ""))
    md.append("- queries: count by Community Area (empty = its own NULL group) and by month "
              "(YYYY-MM), Date %s..%s inclusive, Primary Type in %s" % (fr, to, ty.replace("|", ", ")))
    md.append("")
    md.append("| " + " | ".join(head) + " |")
    md.append("|" + "|".join("---" for _ in head) + "|")
    for r in rows:
        md.append("| " + " | ".join(r) + " |")
    md.append("")
    md.append("Query times are the best of 3 (cscc and sqlite3: each a fresh process, open + "
              "query; DuckDB and pandas: in-process, after a warm-up). Ratios are peer/cscc: "
              "how many times longer the peer took.")
    md.append("")
    for l in inproc:
        md.append("- " + l.strip())
    if inproc:
        md.append("")
    md.append("| tool | version | load detail | first query runs | note |")
    md.append("|---|---|---|---|---|")
    for j in ran:
        md.append("| %s | %s | %s | %s / %s | %s |" % (
            j["label"], j.get("version", ""), j.get("load_detail", ""),
            fmt_s(j.get("area_first_s")), fmt_s(j.get("month_first_s")), j.get("note", "")))
    md.append("")
    md.append("| tool | query | check | detail |")
    md.append("|---|---|---|---|")
    for c in checks:
        md.append("| %s | %s | %s | %s |" % c)
    md.append("")
    with open(out_md, "w") as f:
        f.write("\n".join(md))
    print("wrote %s" % out_md)
    return 0 if all_match else 1


if __name__ == "__main__":
    sys.exit(main())
