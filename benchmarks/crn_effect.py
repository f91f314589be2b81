"""How much common random numbers narrow the interval of a difference (figures for docs).

Usage::

    .venv/bin/python benchmarks/crn_effect.py [--replications 20] [--seed 20261122] [-w 2]

For each pair (weekday vs lean staffing, weekday vs one more evening cashier) prints, per
metric, the 95% half-width of the plan-minus-base difference with common random numbers
(paired t, same seed) and with independent random numbers (Welch, the plan on another seed).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from checkoutsim import load_scenario
from checkoutsim.experiments.crn import crn_effect
from checkoutsim.experiments.executors import make_executor
from checkoutsim.scenario.plans import load_plan

ROOT = Path(__file__).resolve().parents[1]
METRICS = [
    "wait_mean_min",
    "wait_p90_min",
    "reneged",
    "balked",
    "within_target_pct",
    "cashiers_utilisation_pct",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", "-n", type=int, default=20)
    parser.add_argument("--seed", "-s", type=int, default=20261122)
    parser.add_argument("--workers", "-w", type=int, default=None)
    args = parser.parse_args()
    weekday = load_scenario(ROOT / "scenarios" / "weekday.yaml")
    lean = load_scenario(ROOT / "scenarios" / "lean_staffing.yaml")
    plan = load_plan(ROOT / "scenarios" / "plans" / "weekday_variants.yaml")
    pairs = [("lean_staffing", lean), ("evening_cashier", plan.variants["evening_cashier"])]
    pd.set_option("display.width", 200)
    with make_executor(args.workers) as executor:
        for name, other in pairs:
            effect = crn_effect(
                weekday,
                other,
                METRICS,
                replications=args.replications,
                seed=args.seed,
                executor=executor,
            )
            print(f"\n{name} - weekday, {args.replications} replications, seed {args.seed}")
            cols = [
                "metric",
                "diff_crn",
                "half_width_crn",
                "half_width_independent",
                "correlation_crn",
                "width_ratio",
                "replications_factor",
            ]
            print(effect[cols].to_string(index=False, float_format=lambda v: f"{v:.3g}"))


if __name__ == "__main__":
    main()
