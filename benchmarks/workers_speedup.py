"""Wall-clock speed-up of a multi-day run from 1 to N local workers.

Usage::

    .venv/bin/python benchmarks/workers_speedup.py [--replications 16] [--workers 2]

Times ``simulate(weekday, R)`` sequentially and on a process pool of N workers, pool start-up
included (what a user waits for) and excluded (pool started beforehand), and checks that the
results are identical. On a shared machine the figures are noisy: repeat and report the
median, or say it was one run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from checkoutsim import load_scenario, simulate
from checkoutsim.experiments.executors import PoolExecutor

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", "-n", type=int, default=16)
    parser.add_argument("--workers", "-w", type=int, default=2)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "weekday.yaml"))
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    reps = args.replications

    t0 = time.perf_counter()
    sequential = simulate(scenario, reps, seed=1)
    t_seq = time.perf_counter() - t0

    t0 = time.perf_counter()
    with PoolExecutor(args.workers) as pool:
        t_started = time.perf_counter()
        parallel = simulate(scenario, reps, seed=1, executor=pool)
        t_run = time.perf_counter() - t_started
    t_par = time.perf_counter() - t0

    pd.testing.assert_frame_equal(sequential.customers, parallel.customers)
    print(f"{scenario.name}, {reps} replications")
    print(f"  1 worker : {t_seq:6.2f} s")
    print(
        f"  {args.workers} workers: {t_par:6.2f} s including pool start-up, {t_run:6.2f} s without"
    )
    print(f"  speed-up : {t_seq / t_par:.2f}x (with start-up), {t_seq / t_run:.2f}x (without)")
    print("  results identical: yes")


if __name__ == "__main__":
    main()
