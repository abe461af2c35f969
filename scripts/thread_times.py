#!/usr/bin/env python3
"""thread_times.py -- each server thread's CPU time per delivery over an interval, from two
snapshots of /proc/PID/task/*/schedstat taken by scripts/profile.sh around its count run.

schedstat's first field is the nanoseconds the thread ran, kept by the scheduler: exact, where
a cpu-clock profile samples. The sampled profile under-counted the threads that wake by timer for
a few microseconds at a time (idle CAF workers napping between polls): on 2026-12-07 it put 15 %
of a chat's pace on CAF's workers, schedstat 40 % (BENCHMARKS.md, "Performance II: fifth pass").

Usage: thread_times.py START END BENCH_JSON
  START, END: lines "TID COMM RUN_NS VOLUNTARY_SWITCHES" after a first line "# at EPOCH_NS"
  BENCH_JSON: chat-bench's report of the run (deliveries_per_s), or any file without one
Prints per thread name (threads of one name added up): ns of run time per delivery, its share,
and voluntary context switches (wake-ups) per second.
"""
import collections
import json
import sys


def snapshot(path):
    at, threads = None, {}
    with open(path) as f:
        for line in f:
            fields = line.split()
            if line.startswith("# at") and len(fields) == 3:
                at = int(fields[2])
            elif len(fields) == 4:
                threads[fields[0]] = (fields[1], int(fields[2]), int(fields[3]))
    return at, threads


def deliveries_per_s(path):
    try:
        with open(path) as f:
            return float(json.loads(f.read().strip().splitlines()[-1])["deliveries_per_s"])
    except (OSError, ValueError, KeyError, IndexError):
        return 0.0


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    t0, start = snapshot(sys.argv[1])
    t1, end = snapshot(sys.argv[2])
    if t0 is None or t1 is None or t1 <= t0:
        sys.exit("thread_times.py: snapshots without a time")
    seconds = (t1 - t0) / 1e9
    run, wakeups = collections.Counter(), collections.Counter()
    for tid, (name, ran, switches) in end.items():
        if tid not in start:  # a thread born inside the interval: all its time is in it
            ran0, switches0 = 0, 0
        else:
            ran0, switches0 = start[tid][1], start[tid][2]
        run[name] += ran - ran0
        wakeups[name] += switches - switches0
    total = sum(run.values())
    rate = deliveries_per_s(sys.argv[3])
    deliveries = rate * seconds
    print(f"run time by thread over {seconds:.1f} s ({deliveries:,.0f} deliveries), from schedstat")
    for name, ran in run.most_common():
        per = f"{ran / deliveries:8.0f} ns/delivery" if deliveries else " " * 20
        share = 100.0 * ran / total if total else 0.0
        print(f"  {name:18} {per} {share:5.1f} %  {wakeups[name] / seconds:8.0f} wake-ups/s")
    if deliveries:
        print(f"  {'all':18} {total / deliveries:8.0f} ns/delivery")


if __name__ == "__main__":
    main()
