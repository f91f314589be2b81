"""Plans, days and time of the requirement search on one day type (figures for docs).

Usage::

    .venv/bin/python benchmarks/search_evaluations.py [--day monday] [-n 5] [-w 2] [--one-move]

Runs the search ``checkoutsim roster`` runs for one day type of ``scenarios/week.yaml``
(closed-form start, ``wait_p90_min<=4`` per block, total-cost objective, the roster's search
seed) and prints the plans evaluated per phase, the days simulated, the wall-clock seconds and
the end plan's costs. ``--one-move`` is the descent of one move per step (before combined
steps). Timing depends on the machine's load: print ``uptime`` beside it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from checkoutsim.experiments.executors import make_executor
from checkoutsim.planning.evaluate import Evaluator
from checkoutsim.planning.plan import PlanSpace
from checkoutsim.planning.search import search
from checkoutsim.planning.start import analytic_plan
from checkoutsim.scenario.targets import parse_target
from checkoutsim.scenario.week import load_week

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--day", default="monday")
    parser.add_argument("--replications", "-n", type=int, default=5)
    parser.add_argument("--workers", "-w", type=int, default=2)
    parser.add_argument("--one-move", action="store_true")
    args = parser.parse_args()
    week = load_week(ROOT / "scenarios" / "week.yaml")
    names = list(week.days)
    base = week.days[args.day]
    targets = [parse_target("wait_p90_min<=4")]
    space = PlanSpace.for_scenario(base)
    seed = next(iter(week.days.values())).run.seed + names.index(args.day)
    began = time.perf_counter()
    with make_executor(args.workers) as ex:
        ev = Evaluator(space, targets, "block", args.replications, 0.95, ex, objective="total")
        out = search(ev, analytic_plan(space, targets), seed, combine=not args.one_move)
    elapsed = time.perf_counter() - began
    print(f"{args.day}: {'one move' if args.one_move else 'combined'} descent, seed {seed}")
    print(f"plans evaluated by phase: {out.evaluations} (total {sum(out.evaluations.values())})")
    print(f"days simulated: {ev.simulated}; wall clock {elapsed:.1f} s")
    print(
        f"end plan: meets {out.meets}, labour {space.cost(out.evaluation.plan):,.2f}, "
        f"mean total cost {out.evaluation.total_cost:,.2f}"
    )


if __name__ == "__main__":
    main()
