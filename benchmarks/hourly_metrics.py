"""The metric tables grouped at once against the per-group loops they replaced (issue 20).

Usage::

    .venv/bin/python benchmarks/hourly_metrics.py [OLD_REV] [--quick] [--rounds N]

The per-(replication, hour) and per-replication metric tables used to loop over
``DataFrame.groupby``, building a small frame per group and calling Python on it; they now
reduce every group at once (``checkoutsim/experience/grouped.py``). ``OLD_REV`` (default
``0d7ea0d``, the last commit with the loops) is exported with ``git archive`` as
``benchmarks/versions.py`` does, and fresh subprocesses, alternating old and working tree
``--rounds`` times, each simulate the same days (10 of ``weekday.yaml`` and of
``lean_staffing.yaml``; ``--quick``: 2 days, 1 round), then time every table function on
them (best of 3 calls, process CPU time) and hash its output (columns, dtypes, rows in order,
values to the last bit). Prints per table the best old and new milliseconds, their ratio and
whether the two versions' tables are identical; exits 1 if any differs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from versions import export

ROOT = Path(__file__).resolve().parents[1]
OLD_REV = "0d7ea0d"

CHILD = r"""
import hashlib, json, sys, time
import numpy as np
import pandas as pd
from checkoutsim import load_scenario, simulate
from checkoutsim.experience.costs import (
    floater_hours, floater_hours_by_clock_hour, money_hourly_metrics, money_metrics,
)
from checkoutsim.experience.pipeline import experience_hourly_metrics, experience_metrics
from checkoutsim.planning.blocks import arrival_block_metrics, block_labels
from checkoutsim.results.tables import (
    grouped_hourly_metrics, hourly_metrics, replication_metrics,
)

scenarios, days = sys.argv[1], int(sys.argv[2])
CHANNELS = ["all", "cashier", "kiosk"]


def digest(out):
    h = hashlib.sha256()
    for frame in out if isinstance(out, tuple) else (out,):
        h.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


def tables(r):
    target = r.target_wait_min
    faults = r.faults if r.scenario.kiosks.faults else None
    starts = [r.scenario.minutes_after_open(b.start) for b in r.scenario.staffing]
    clock_floaters = floater_hours_by_clock_hour(r.timeseries, r.scenario.store.open_min)
    day_floaters = floater_hours(r.timeseries)
    names = [(r.scenario.name, rep, r.seed) for rep in range(r.replications)]
    return {
        "hourly_metrics": lambda: hourly_metrics(r.customers, r.timeseries, target, r.assists),
        "experience_hourly_metrics": lambda: experience_hourly_metrics(r.scenario, r.customers),
        "grouped_hourly_metrics (by hour and channel)": lambda: grouped_hourly_metrics(
            r.scenario, r.customers, target, CHANNELS
        ),
        "block_metrics (the optimiser's, per plan)": lambda: arrival_block_metrics(
            r, starts, block_labels(r.scenario), "channels"
        ),
        "money_hourly_metrics": lambda: money_hourly_metrics(
            r.scenario, r.customers, clock_floaters
        ),
        "money_metrics": lambda: money_metrics(r.scenario, r.customers, names, day_floaters),
        "replication_metrics + experience_metrics": lambda: (
            replication_metrics(r.customers, r.assists, r.timeseries, target, faults),
            experience_metrics(r.scenario, r.customers, r.coupons),
        ),
    }


out = {}
for name in ("weekday", "lean_staffing"):
    r = simulate(load_scenario(f"{scenarios}/{name}.yaml"), days, 20261201, workers=1)
    for table, call in tables(r).items():
        best = float("inf")
        for _ in range(3):
            t = time.process_time()
            result = call()
            best = min(best, time.process_time() - t)
        out[f"{name}, {days} | {table}"] = (best, digest(result))
print(json.dumps(out))
"""


def measure(import_root: Path, days: int) -> dict[str, list[object]]:
    """One round in a fresh interpreter that imports checkoutsim from ``import_root``."""
    env = dict(os.environ, PYTHONPATH=str(import_root))
    args = [sys.executable, "-c", CHILD, str(ROOT / "scenarios"), str(days)]
    out = subprocess.run(args, env=env, capture_output=True, text=True, cwd="/")
    if out.returncode:
        sys.exit(f"{import_root}: the measuring child failed:\n{out.stderr}")
    result: dict[str, list[object]] = json.loads(out.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", nargs="?", default=OLD_REV)
    parser.add_argument("--quick", action="store_true", help="2 days, 1 round")
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    days, rounds = (2, 1) if args.quick else (args.days, args.rounds)
    with tempfile.TemporaryDirectory() as tmp:
        roots = {"old": export(args.old, Path(tmp)), "new": ROOT}
        runs: dict[str, list[dict[str, list[object]]]] = {"old": [], "new": []}
        for _ in range(rounds):  # alternate, so that both see the same machine
            for key, root in roots.items():
                runs[key].append(measure(root, days))
    print(f"| scenario, days | table | {args.old} ms | working tree ms | ratio | identical |")
    print("|---|---|---:|---:|---:|---|")
    differ = False
    for label in runs["new"][0]:
        old_s = min(float(str(r[label][0])) for r in runs["old"])
        new_s = min(float(str(r[label][0])) for r in runs["new"])
        same = runs["old"][0][label][1] == runs["new"][0][label][1]
        differ |= not same
        print(
            f"| {label} | {1000 * old_s:.1f} | {1000 * new_s:.1f} | {old_s / new_s:.1f}x |"
            f" {'yes' if same else '**no**'} |"
        )
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
