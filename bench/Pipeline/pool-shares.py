#!/usr/bin/env python3
"""Pools the paired-iteration shares of several `--messaging` runs (written with BENCH_PAIRED_OUT=FILE).

Usage: pool-shares.py FILE [PATH]   (PATH: the baseline's label as the bench prints it, default "(c)")

Prints each run's median, the median of the runs' medians with a 95% interval from order statistics of the runs
(distribution-free: the sign test's ranks; it carries the run-to-run spread of a shared machine), and the median of
all paired iterations pooled with its 95% interval (iterations taken as independent: narrower, and optimistic when
runs differ).
"""
import math
import sys
from math import comb


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def run_interval(ms, level=0.95):
    """The widest-inside ranks (k, n-1-k) whose coverage of the median is at least `level` (binomial, p = 1/2)."""
    s, n = sorted(ms), len(ms)
    best = None
    for k in range(n // 2):
        coverage = 1 - 2 * sum(comb(n, i) for i in range(k + 1)) / 2 ** n   # P(X_(k+1) <= median <= X_(n-k))
        if coverage >= level:
            best = (s[k], s[n - 1 - k], coverage)
    return best


def main():
    path = sys.argv[2] if len(sys.argv) > 2 else "(c)"
    runs = [[float(v) for v in line.split()[1:]] for line in open(sys.argv[1]) if line.startswith(path + " ")]
    if not runs:
        sys.exit(f"no runs of {path} in {sys.argv[1]}")
    medians = [median(r) for r in runs]
    print(f"{len(runs)} runs of (a-{path[1]})/a, run medians: " + " ".join(f"{m:.1%}" for m in medians))
    interval = run_interval(medians)
    print(f"median of run medians: {median(medians):.1%}" +
          (f" (95% interval {interval[0]:.1%} .. {interval[1]:.1%}, coverage {interval[2]:.1%})" if interval else " (too few runs for a 95% interval)"))
    pooled = sorted(v for r in runs for v in r)
    n, half = len(pooled), math.ceil(1.96 * math.sqrt(len(pooled)) / 2)
    print(f"pooled paired iterations ({n}): median {median(pooled):.1%} "
          f"(95% interval {pooled[max(0, n // 2 - half)]:.1%} .. {pooled[min(n - 1, n // 2 + half)]:.1%})")


if __name__ == "__main__":
    main()
