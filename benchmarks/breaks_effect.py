"""Breaks as staffing blocks (the roster before the break process) against the break process.

Usage::

    PYTHONPATH=. .venv/bin/python benchmarks/breaks_effect.py [--days 20]

``scenarios/lean_staffing.yaml`` (one cashier and one attendant all day) with a coupon book per
shift (``coupons_per_shift: 6``) and two 30-minute unpaid breaks, the cashier's at 12:00 and the
attendant's at 15:00, simulated three ways on the same seed: no breaks, the breaks written as
staffing blocks with nobody on duty (which ends the shift, so the book is refilled), and the
break process (``breaks:``). Prints the day means with 95% half-widths (the figures of
``docs/roster.md``, "Breaks in the model").
"""

from __future__ import annotations

import argparse
from typing import Any

from checkoutsim import load_scenario, simulate

BREAKS = [
    {"role": "cashier", "lane": 1, "start": "12:00", "length_min": 30},
    {"role": "attendant", "start": "15:00", "length_min": 30},
]
AS_STAFFING = [
    {"start": "08:00", "end": "12:00", "cashiers": 1, "attendants": 1},
    {"start": "12:00", "end": "12:30", "cashiers": 0, "attendants": 1},
    {"start": "12:30", "end": "15:00", "cashiers": 1, "attendants": 1},
    {"start": "15:00", "end": "15:30", "cashiers": 1, "attendants": 0},
    {"start": "15:30", "end": "21:00", "cashiers": 1, "attendants": 1},
]
METRICS = [
    "coupons_used",
    "cashiers_utilisation_pct",
    "attendants_utilisation_pct",
    "wait_p90_min",
    "attendant_response_p90_min",
    "reneged",
    "labour_cost",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()
    lean = load_scenario("scenarios/lean_staffing.yaml")
    recovery: dict[str, Any] = {"coupons_per_shift": 6}
    variants = {
        "no breaks": {},
        "breaks as staffing blocks": {"staffing": AS_STAFFING},
        "break process": {"breaks": BREAKS},
    }
    print(f"lean_staffing, coupons_per_shift 6, {args.days} days, seed {args.seed}")
    for name, extra in variants.items():
        scenario = lean.with_overrides({"service_recovery": recovery, **extra})
        result = simulate(scenario, args.days, args.seed, progress=False)
        summary = result.summary()
        books = result.coupons
        per_day = books.groupby("rep").size().mean()
        cells = [f"books/day {per_day:.1f}"]
        for metric in METRICS:
            row = summary[(summary["scope"] == "all") & (summary["metric"] == metric)]
            if not row.empty:
                cells.append(f"{metric} {row['mean'].item():.2f} ± {row['half_width'].item():.2f}")
        print(f"{name}: " + "; ".join(cells))


if __name__ == "__main__":
    main()
