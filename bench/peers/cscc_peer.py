#!/usr/bin/python3
"""cscc_peer.py CSCC CSV DATADIR RESDIR - cscc in bench/run, timed like the peers.

`cscc --data DATADIR init`, then the timed `cscc --data DATADIR import crimes CSV`,
then each query three times as a fresh process (open + query: the whole command),
reporting the first run and the best. Peak RSS of the import and of the queries
come from wait4() (what /usr/bin/time -v reports).
Writes RESDIR/cscc_{area,month}.csv (cscc's own CSV, header included; the report
normalises it) and RESDIR/cscc.json.
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def main():
    if len(sys.argv) != 5:
        common.die("usage: cscc_peer.py CSCC CSV DATADIR RESDIR")
    cscc, csv, data, res = sys.argv[1:]
    frm, to, types = common.query_params()
    version = subprocess.run([cscc, "--version"], capture_output=True, text=True).stdout.strip()
    shutil.rmtree(data, ignore_errors=True)
    err = os.path.join(res, "cscc.err")
    if subprocess.run([cscc, "--data", data, "init"], stdout=subprocess.DEVNULL,
                      stderr=open(err, "wb")).returncode != 0:
        common.die("cscc init failed: %s" % common.tail(err))
    rc, load_s, load_rss = common.run_measured([cscc, "--data", data, "import", "crimes", csv],
                                               stderr_path=err)
    if rc != 0:
        common.die("cscc import failed with status %d: %s" % (rc, common.tail(err)))

    filt = ["--from", frm, "--to", to]
    for t in types:
        filt += ["--type", t]
    best, first, qrss, inproc = {}, {}, 0, {}
    for name, by in (("area", "area"), ("month", "month")):
        argv = [cscc, "--data", data, "query", "counts", "--by", by] + filt + ["--format", "csv"]
        times = []
        for i in range(3):
            out = os.path.join(res, "cscc_%s.csv" % name) if i == 0 else os.devnull
            rc, wall, rss = common.run_measured(argv, stdout_path=out, stderr_path=err)
            if rc != 0:
                common.die("cscc query counts --by %s failed with status %d: %s"
                           % (by, rc, common.tail(err)))
            times.append(wall)
            qrss = max(qrss, rss)
        best[name], first[name] = min(times), times[0]
        # In-process timing, measured the way DuckDB's and pandas' are (the
        # table loaded, best of several runs): a server answers this way.
        r = subprocess.run(argv + ["--repeat", "20"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
        for line in r.stderr.splitlines():
            if "timing:" in line and "best" in line:
                inproc[name] = float(line.split("best ")[1].split(" ms")[0]) / 1000.0
    common.write_json(os.path.join(res, "cscc.json"), tool="cscc", version=version,
                      load_s=load_s, load_detail="cscc import crimes", load_rss_kb=load_rss,
                      area_s=best["area"], month_s=best["month"], area_first_s=first["area"],
                      month_first_s=first["month"], query_rss_kb=qrss,
                      area_inproc_s=inproc.get("area"), month_inproc_s=inproc.get("month"),
                      note="each query a fresh process (open + query)")


if __name__ == "__main__":
    main()
