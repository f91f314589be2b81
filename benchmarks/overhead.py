"""What ``simulate()`` adds to the model: its speed as a ratio of the model alone, one run.

Usage::

    .venv/bin/python benchmarks/overhead.py            # 1k- and 10k-customer days
    .venv/bin/python benchmarks/overhead.py --quick    # a smoke run

For each day size (``scenarios/validation/mmc.yaml`` compressed to hold about that many
customers, as in ``benchmarks/run.py``), the same days are run twice on one core, alternating,
best of three on this process's CPU time: ``run_replication`` alone (the model and its
population draws), and ``checkoutsim.simulate(..., workers=1)`` (the same days, plus the tidy
tables and the experience columns an analyst gets). The ratio is model time / simulate time:
1.0 means ``simulate`` adds nothing; issue 20's target is at least 0.9 at any day size.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import checkoutsim
from checkoutsim.model.store import run_replication

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_run", HERE / "run.py")
assert _spec is not None and _spec.loader is not None
bench_run = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = bench_run
_spec.loader.exec_module(bench_run)

SEED = 20261130


def overhead(customers: int, days: int, repeats: int = 3) -> dict[str, float]:
    """Model-only and ``simulate`` CPU seconds for ``days`` days of about ``customers`` each."""
    scenario = bench_run.compressed_mmc(customers)
    model_best = simulate_best = float("inf")
    for _ in range(repeats):
        model_s, _ = bench_run.best_time(
            lambda: [run_replication(scenario, rep, SEED) for rep in range(days)], 1, bench_run.CPU
        )
        simulate_s, result = bench_run.best_time(
            lambda: checkoutsim.simulate(scenario, days, SEED, workers=1), 1, bench_run.CPU
        )
        model_best, simulate_best = min(model_best, model_s), min(simulate_best, simulate_s)
    return {
        "customers_per_day": len(result.customers) / days,
        "days": float(days),
        "model_s": model_best,
        "simulate_s": simulate_best,
        "ratio": model_best / simulate_best,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes = [(1_000, 4), (10_000, 1)] if args.quick else [(1_000, 40), (10_000, 8)]
    print("| day size | days | model s | simulate s | speed ratio (target >= 0.9) |")
    print("|---:|---:|---:|---:|---:|")
    for customers, days in sizes:
        f = overhead(customers, days, repeats=1 if args.quick else 3)
        print(
            f"| {f['customers_per_day']:,.0f} | {days} | {f['model_s']:.3f} |"
            f" {f['simulate_s']:.3f} | {f['ratio']:.2f} |"
        )


if __name__ == "__main__":
    main()
