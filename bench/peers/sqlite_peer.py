#!/usr/bin/python3
"""sqlite_peer.py CSV DB RESDIR - the sqlite3 CLI peer of bench/run.

Loads CSV into a new file database with `.import --csv` (every column TEXT, as
the CLI creates it; default pragmas, one transaction), then runs the two
queries, each as a fresh `sqlite3` process (open + query), three times.
Writes RESDIR/sqlite_{area,month}.csv and RESDIR/sqlite.json.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


def main():
    if len(sys.argv) != 4:
        common.die("usage: sqlite_peer.py CSV DB RESDIR")
    csv, db, res = sys.argv[1:]
    frm, to, types = common.query_params()
    version = subprocess.run(["sqlite3", "--version"], capture_output=True,
                             text=True).stdout.split()[0]
    for suffix in ("", "-journal", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)

    rc, load_s, load_rss = common.run_measured(
        ["sqlite3", db, ".import --csv \"%s\" crimes" % csv], stderr_path=os.path.join(res, "sqlite_import.err"))
    if rc != 0:
        common.die("sqlite3 .import failed: %s" % common.tail(os.path.join(res, "sqlite_import.err")))

    # Date is text "MM/DD/YYYY hh:mm:ss AM": compare YYYYMMDD built from it.
    day = "substr(\"Date\",7,4)||substr(\"Date\",1,2)||substr(\"Date\",4,2)"
    where = ("\"Primary Type\" IN (%s) AND %s BETWEEN '%s' AND '%s'"
             % (",".join(sql_str(t) for t in types), day,
                frm.replace("-", ""), to.replace("-", "")))
    queries = {
        "area": "SELECT \"Community Area\", count(*) FROM crimes WHERE %s GROUP BY 1 ORDER BY 1;" % where,
        "month": "SELECT substr(\"Date\",7,4)||'-'||substr(\"Date\",1,2) AS m, count(*) FROM crimes "
                 "WHERE %s GROUP BY 1 ORDER BY 1;" % where,
    }
    out = {}
    qrss = 0
    for name, sql in queries.items():
        times = []
        for i in range(3):
            rc, wall, rss = common.run_measured(
                ["sqlite3", "-csv", db, sql], stdout_path=os.path.join(res, "sqlite_%s.csv" % name))
            if rc != 0:
                common.die("sqlite3 query %s failed" % name)
            times.append(wall)
            qrss = max(qrss, rss)
        out[name] = times
    common.write_json(os.path.join(res, "sqlite.json"), tool="sqlite3", version=version,
                      load_s=load_s, load_detail=".import --csv into a file db",
                      load_rss_kb=load_rss, area_s=min(out["area"]), month_s=min(out["month"]),
                      area_first_s=out["area"][0], month_first_s=out["month"][0],
                      query_rss_kb=qrss, note="each query a fresh sqlite3 process; no index")


if __name__ == "__main__":
    main()
