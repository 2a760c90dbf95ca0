#!/usr/bin/python3
"""pandas_peer.py CSV RESDIR - the pandas peer of bench/run.

Run it with Debian's /usr/bin/python3 (python3-pandas), not a pyenv python.
Times pd.read_csv(CSV) with default options, then the parsing of Date with its
explicit format (reported apart and included in the load time), then each
query once to warm up and three times timed; reports the best. Community Area
is float64 after read_csv (NaN for empty); groupby(dropna=False) keeps the
NULL group. Peak RSS is the process's VmHWM.
Writes RESDIR/pandas_{area,month}.csv and RESDIR/pandas.json.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import pandas as pd  # noqa: E402


def main():
    if len(sys.argv) != 3:
        common.die("usage: pandas_peer.py CSV RESDIR")
    csv, res = sys.argv[1:]
    frm, to, types = common.query_params()

    t0 = time.perf_counter()
    df = pd.read_csv(csv)
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    df["Date"] = pd.to_datetime(df["Date"], format="%m/%d/%Y %I:%M:%S %p")
    parse_s = time.perf_counter() - t0
    load_rss = common.vm_hwm_kb()

    lo = pd.Timestamp(frm)
    hi = pd.Timestamp(to) + pd.Timedelta(days=1)

    def mask():
        d = df["Date"]
        return (d >= lo) & (d < hi) & df["Primary Type"].isin(types)

    def q_area():
        s = df.loc[mask(), "Community Area"].value_counts(dropna=False)
        return [(None if pd.isna(k) else str(int(k)), int(n)) for k, n in s.items()]

    def q_month():
        d = df.loc[mask(), "Date"]
        s = d.groupby([d.dt.year, d.dt.month]).size()
        return [("%04d-%02d" % k, int(n)) for k, n in s.items()]

    best, first = {}, {}
    for name, fn in (("area", q_area), ("month", q_month)):
        rows = fn()  # warm-up
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            rows = fn()
            times.append(time.perf_counter() - t0)
        best[name], first[name] = min(times), times[0]
        common.write_rows(os.path.join(res, "pandas_%s.csv" % name), sorted(rows, key=lambda r: r[0] or ""))

    common.write_json(os.path.join(res, "pandas.json"), tool="pandas",
                      version="%s (numpy %s, %s)" % (pd.__version__, __import__("numpy").__version__,
                                                     sys.executable),
                      load_s=read_s + parse_s,
                      load_detail="read_csv %.1f s + to_datetime(Date) %.1f s" % (read_s, parse_s),
                      load_rss_kb=load_rss, area_s=best["area"], month_s=best["month"],
                      area_first_s=first["area"], month_first_s=first["month"],
                      query_rss_kb=common.vm_hwm_kb(), note="in-process; best of 3 after a warm-up")


if __name__ == "__main__":
    main()
