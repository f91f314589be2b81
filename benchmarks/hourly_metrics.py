"""The metric tables grouped at once against the per-group loops they replaced (issue 20).

Usage::

    .venv/bin/python benchmarks/hourly_metrics.py [OLD_REV] [--quick] [--rounds N]

The per-(replication, hour) and per-replication metric tables used to loop over
``DataFrame.groupby``, building a small frame per group and calling Python on it; they now
reduce every group at once (``checkoutsim/experience/grouped.py``). ``OLD_REV`` (default
``0d7ea0d``, the last commit with the loops) is exported with ``git archive`` as
``benchmarks/versions.py`` does, and fresh subprocesses (this script with ``--child``),
alternating old and working tree ``--rounds`` times, each simulate the same days (10 of
``weekday.yaml`` and of ``lean_staffing.yaml``; ``--quick``: 2 days, 1 round), then time every
table function on them (best of 3 calls, process CPU time) and hash its output (index, columns,
dtypes, rows in order, numeric values to the last bit). Prints per table the best old and new
milliseconds, their ratio and whether the two versions' tables are identical; a table whose
functions one tree does not have is skipped with a note. Exits 1 if any table differs.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import inspect
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from versions import export

ROOT = Path(__file__).resolve().parents[1]
OLD_REV = "0d7ea0d"
SCENARIOS = ("weekday", "lean_staffing")
CHANNELS = ["all", "cashier", "kiosk"]
# Where each function the tables need lives (module under checkoutsim.).
FUNCTIONS = {
    "hourly_metrics": "results.tables",
    "grouped_hourly_metrics": "results.tables",
    "replication_metrics": "results.tables",
    "experience_hourly_metrics": "experience.pipeline",
    "experience_metrics": "experience.pipeline",
    "money_hourly_metrics": "experience.costs",
    "money_metrics": "experience.costs",
    "floater_hours": "experience.costs",
    "floater_hours_by_clock_hour": "experience.costs",
    "arrival_block_metrics": "planning.blocks",
    "block_labels": "planning.blocks",
}
# Each table: the functions it calls (timed or preparing its input).
TABLES = {
    "hourly_metrics": ("hourly_metrics",),
    "experience_hourly_metrics": ("experience_hourly_metrics",),
    "grouped_hourly_metrics (by hour and channel)": ("grouped_hourly_metrics",),
    "block_metrics (the optimiser's, per plan)": ("arrival_block_metrics", "block_labels"),
    "money_hourly_metrics": ("money_hourly_metrics", "floater_hours_by_clock_hour"),
    "money_metrics": ("money_metrics", "floater_hours"),
    "replication_metrics + experience_metrics": ("replication_metrics", "experience_metrics"),
}


def digest(out: Any) -> str:
    """A hash of one table (or a tuple of them): index, column names and dtypes, row order,
    and every value; numeric columns by their bytes, so that -0.0 and 0.0 differ too."""
    import numpy as np
    import pandas as pd

    h = hashlib.sha256()
    for frame in out if isinstance(out, tuple) else (out,):
        h.update(repr((type(frame.index).__name__, list(frame.index.names))).encode())
        h.update(pd.util.hash_pandas_object(frame.index).to_numpy().tobytes())
        for name, column in frame.items():
            h.update(repr((str(name), repr(column.dtype))).encode())
            if column.dtype.kind in "biufcmM":
                h.update(np.ascontiguousarray(column.to_numpy()).tobytes())
            else:
                h.update(pd.util.hash_pandas_object(column, index=False).to_numpy().tobytes())
    return h.hexdigest()


def resolve() -> dict[str, Callable[..., Any] | None]:
    """Every function in ``FUNCTIONS`` from the checkoutsim imported, None where it has none."""
    found: dict[str, Callable[..., Any] | None] = {}
    for name, module in FUNCTIONS.items():
        try:
            found[name] = getattr(importlib.import_module(f"checkoutsim.{module}"), name)
        except (ImportError, AttributeError):
            found[name] = None
    return found


Call = tuple[str, tuple[Any, ...]]  # a function's name and its arguments


def calls(r: Any, f: dict[str, Any]) -> dict[str, list[Call]]:
    """The timed calls of each table whose input functions exist, on the result ``r``."""
    target = r.target_wait_min
    faults = r.faults if r.scenario.kiosks.faults else None
    tables: dict[str, list[Call]] = {
        "hourly_metrics": [("hourly_metrics", (r.customers, r.timeseries, target, r.assists))],
        "experience_hourly_metrics": [("experience_hourly_metrics", (r.scenario, r.customers))],
        "grouped_hourly_metrics (by hour and channel)": [
            ("grouped_hourly_metrics", (r.scenario, r.customers, target, CHANNELS))
        ],
        "replication_metrics + experience_metrics": [
            ("replication_metrics", (r.customers, r.assists, r.timeseries, target, faults)),
            ("experience_metrics", (r.scenario, r.customers, r.coupons)),
        ],
    }
    if f["block_labels"]:
        starts = [r.scenario.minutes_after_open(b.start) for b in r.scenario.staffing]
        labels = f["block_labels"](r.scenario)
        tables["block_metrics (the optimiser's, per plan)"] = [
            ("arrival_block_metrics", (r, starts, labels, "channels"))
        ]
    if f["floater_hours_by_clock_hour"]:
        clock = f["floater_hours_by_clock_hour"](r.timeseries, r.scenario.store.open_min)
        tables["money_hourly_metrics"] = [
            ("money_hourly_metrics", (r.scenario, r.customers, clock))
        ]
    if f["floater_hours"]:
        day = f["floater_hours"](r.timeseries)
        names = [(r.scenario.name, rep, r.seed) for rep in range(r.replications)]
        tables["money_metrics"] = [("money_metrics", (r.scenario, r.customers, names, day))]
    return tables


def skipped(f: dict[str, Any], table: str, todo: list[Call] | None) -> str | None:
    """Why ``table`` cannot be timed in this tree (a function missing, or taking other
    arguments than the working tree's), or None."""
    missing = [name for name in TABLES[table] if not f[name]]
    if missing:
        return f"has no {', '.join(missing)}"
    for name, args in todo or []:
        try:
            inspect.signature(f[name]).bind(*args)
        except TypeError as error:
            return f"{name}: {error}"
    return None


def child(days: int) -> None:
    """One round, in this process: print the JSON of every table's best CPU seconds and hash,
    and why any table was skipped in the checkoutsim on the path."""
    from checkoutsim import load_scenario, simulate

    f: dict[str, Any] = resolve()
    out: dict[str, dict[str, Any]] = {"skipped": {}, "tables": {}}
    for name in SCENARIOS:
        scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        r = simulate(scenario, days, 20261201, workers=1)
        todo = calls(r, f)
        for table in TABLES:
            why = skipped(f, table, todo.get(table))
            if why:
                out["skipped"][table] = why
                continue
            best, result = float("inf"), None
            for _ in range(3):
                t = time.process_time()
                results = tuple(f[fn](*args) for fn, args in todo[table])
                best = min(best, time.process_time() - t)
                result = results if len(results) > 1 else results[0]
            out["tables"][f"{name}, {days} | {table}"] = [best, digest(result)]
    print(json.dumps(out))


def measure(import_root: Path, days: int) -> dict[str, Any]:
    """One round in a fresh interpreter that imports checkoutsim from ``import_root``."""
    env = dict(os.environ, PYTHONPATH=str(import_root))
    args = [sys.executable, str(Path(__file__).resolve()), "--child", "--days", str(days)]
    out = subprocess.run(args, env=env, capture_output=True, text=True, cwd="/")
    if out.returncode:
        sys.exit(f"{import_root}: the measuring child failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def compare(old: str, runs: dict[str, list[dict[str, Any]]]) -> tuple[list[str], bool]:
    """The table's lines (best of the rounds) and whether any table differs."""
    lines = [
        f"| scenario, days | table | {old} ms | working tree ms | ratio | identical |",
        "|---|---|---:|---:|---:|---|",
    ]
    differ = False
    new_tables, old_tables = runs["new"][0]["tables"], runs["old"][0]["tables"]
    for label in dict.fromkeys([*new_tables, *old_tables]):
        if label not in old_tables or label not in new_tables:
            continue  # named in the notes below
        old_s = min(float(r["tables"][label][0]) for r in runs["old"])
        new_s = min(float(r["tables"][label][0]) for r in runs["new"])
        same = old_tables[label][1] == new_tables[label][1]
        differ |= not same
        ratio = f"{old_s / new_s:.1f}x" if new_s > 0 else "-"
        lines.append(
            f"| {label} | {1000 * old_s:.1f} | {1000 * new_s:.1f} | {ratio} |"
            f" {'yes' if same else '**no**'} |"
        )
    for key, tree in (("old", old), ("new", "the working tree")):
        for table, why in runs[key][0]["skipped"].items():
            lines.append(f"skipped {table}: {tree} {why}")
    return lines, differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", nargs="?", default=OLD_REV)
    parser.add_argument("--quick", action="store_true", help="2 days, 1 round")
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.days)
        return
    days, rounds = (2, 1) if args.quick else (args.days, args.rounds)
    with tempfile.TemporaryDirectory() as tmp:
        roots = {"old": export(args.old, Path(tmp)), "new": ROOT}
        runs: dict[str, list[dict[str, Any]]] = {"old": [], "new": []}
        for _ in range(rounds):  # alternate, so that both see the same machine
            for key, root in roots.items():
                runs[key].append(measure(root, days))
    lines, differ = compare(args.old, runs)
    print("\n".join(lines))
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
