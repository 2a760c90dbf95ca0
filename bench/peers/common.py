"""Shared helpers for the bench/peers scripts: the query definition, timing of
child processes (wall clock and peak RSS via wait4), and result files.

Standard library only; runs under Debian's /usr/bin/python3.

The query every tool answers (bench/run passes it in the environment):
  BENCH_FROM, BENCH_TO  first and last day, inclusive (YYYY-MM-DD)
  BENCH_TYPES           Primary Type values separated by '|'
Result files, one per tool and query, in the folder given to each peer:
  <tool>_area.csv   lines "community_area,count" (empty area = the NULL group)
  <tool>_month.csv  lines "YYYY-MM,count"
  <tool>.json       timings and memory: see write_json()
"""

import json
import os
import subprocess
import sys
import time


def query_params():
    """(from, to, [types]) from the environment, with the bench defaults."""
    frm = os.environ.get("BENCH_FROM", "2015-01-01")
    to = os.environ.get("BENCH_TO", "2019-12-31")
    types = os.environ.get("BENCH_TYPES", "HOMICIDE|ROBBERY|BATTERY|ASSAULT|WEAPONS VIOLATION")
    return frm, to, [t for t in types.split("|") if t]


def run_measured(argv, stdout_path=None, stdin_path=None, stderr_path=None):
    """Runs argv as a fresh process; returns (rc, wall seconds, peak RSS in KiB).

    Wall time is measured around fork/exec/wait only (no shell, no python
    start-up of ours); peak RSS is the child's ru_maxrss from wait4().
    """
    fout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    ferr = open(stderr_path, "wb") if stderr_path else None
    try:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=fout, stdin=fin, stderr=ferr)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    finally:
        for f in (fout, fin, ferr):
            if f not in (None, subprocess.DEVNULL):
                f.close()
    return p.returncode, wall, ru.ru_maxrss


def vm_hwm_kb():
    """Peak RSS of this process so far (VmHWM), in KiB; 0 if unknown."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def write_rows(path, rows):
    """rows: iterable of (key, count); key None or '' is the NULL group."""
    with open(path, "w") as f:
        for k, n in rows:
            f.write("%s,%d\n" % ("" if k is None else k, n))


def write_json(path, **kw):
    """Keys: tool, version, load_s, load_detail, load_rss_kb, area_s, month_s,
    area_first_s, month_first_s, query_rss_kb, note."""
    with open(path, "w") as f:
        json.dump(kw, f, indent=1, sort_keys=True)
        f.write("\n")


def tail(path, n=3):
    """The last n non-empty lines of a text file, joined by ' | ' ('' if none)."""
    try:
        with open(path, errors="replace") as f:
            lines = [l.strip() for l in f if l.strip()]
    except OSError:
        return ""
    return " | ".join(lines[-n:])


def die(msg):
    sys.stderr.write("bench: error: %s\n" % msg)
    sys.exit(1)
