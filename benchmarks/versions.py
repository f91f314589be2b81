"""Before/after: two versions of the model timed in the same run (how docs/performance.md's
"what each change bought" figures were measured).

Usage::

    .venv/bin/python benchmarks/versions.py OLD_REV [NEW_REV] [--rounds 5]

Each revision's ``checkoutsim/`` is exported with ``git archive`` into a temporary directory
(NEW_REV defaults to the working tree). Fresh subprocesses, alternating old and new ``--rounds``
times, each measure in CPU seconds: the compressed 100,000-customer M/M/c day of
``benchmarks/run.py``, the hand-written SimPy M/M/c on the same customers, and 20 weekday days; plus
SimPy events scheduled per customer (exact, not a timing), a fingerprint of every model column of 3
days of each shipped scenario and plan variant, and one of every result table a user sees (2 days
each). A revision from before the layer folders is run through aliases of the new module paths.
Prints the best of the rounds, the new/old speed ratios, and whether the two versions give identical
results.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import importlib
try:
    import checkoutsim.model.store
except ImportError:  # a revision from before the layer folders: alias the paths used here
    OLD_PATHS = {
        "scenario.schema": "scenario",
        "scenario.loader": "loader",
        "scenario.distributions": "distributions",
        "scenario.overrides": "overrides",
        "scenario.plans": "plans",
        "model.store": "model",
        "model.population": "population",
        "model.policies": "policies",
        "model.resources": "resources",
        "model.recorder": "recorder",
        "model.streams": "streams",
        "results.tables": "results",
        "results.stats": "stats",
        "results.run_files": "io",
        "results.folder": "io",
        "experiments.simulate": "simulate",
        "experiments.executors": "executors",
        "experiments.crn": "crn",
        "experiments.compare": "compare",
        "experiments.sweep": "sweep",
        "experiments.precision": "precision",
        "experiments.run_store": "runstore",
        "experiments.comparison_files": "experiment_io",
    }
    for new, old in OLD_PATHS.items():
        sys.modules["checkoutsim." + new] = importlib.import_module("checkoutsim." + old)
import run as B
from checkoutsim import load_scenario, simulate
from checkoutsim.model.store import StoreModel, run_replication
from checkoutsim.model.population import draw_population
from checkoutsim.model.streams import Streams

cpu = time.process_time
mmc = B.compressed_mmc(100_000)
t = cpu(); run_replication(mmc, 0, 1); t_mmc = cpu() - t
pop = draw_population(mmc, Streams(1, 0))
t = cpu(); B.simpy_mmc(4, pop.arrival_min, pop.kiosk_work_min + pop.payment_min)
t_hand = cpu() - t
weekday = load_scenario(sys.argv[2])
t = cpu()
n = sum(run_replication(weekday, r, 1).customers["arrival_min"].size for r in range(20))
t_weekday = cpu() - t
events = {}
for name, s in (("mmc", mmc), ("weekday", weekday)):
    p = draw_population(s, Streams(1, 0))
    model = StoreModel(s, p)
    model.run()
    events[name] = next(model.env._eid) / p.size  # events scheduled so far, per customer
# A fingerprint of every column of 3 days of each shipped scenario and plan variant.
import hashlib
from pathlib import Path
from checkoutsim.scenario.plans import load_plan
scen = Path(sys.argv[2]).parent
days = [load_scenario(scen / f) for f in ("weekday.yaml", "lean_staffing.yaml",
                                          "weekend_peak.yaml", "validation/mmc.yaml")]
days += list(load_plan(scen / "plans" / "weekday_variants.yaml").variants.values())
digest = hashlib.sha256()
for s in days:
    for rep in range(3):
        c = run_replication(s, rep, 7)
        for part in (c.customers, c.assists, c.timeseries):
            for key, a in part.items():
                digest.update(f"{key}:{a.dtype.str}".encode())
                digest.update(a.tobytes())
        digest.update(repr(float(c.end_min)).encode())
# ... and of every table a user sees (experience, money, metrics), 2 days of each.
import pandas as pd
tables = hashlib.sha256()
for s in days:
    r = simulate(s, replications=2, seed=7)
    for frame in (r.customers, r.assists, r.timeseries, r.metrics(), r.summary(), r.costs()):
        tables.update(",".join(map(str, frame.columns)).encode())
        tables.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
print(json.dumps({"mmc_s": t_mmc, "hand_s": t_hand, "weekday_per_s": n / t_weekday,
                  "events": events, "results": digest.hexdigest(),
                  "tables": tables.hexdigest()}))
"""


def export(rev: str | None, into: Path) -> Path:
    """``checkoutsim/`` of ``rev`` (None: the working tree) under ``into``; the import root."""
    if rev is None:
        return ROOT
    archive = subprocess.run(
        ["git", "archive", rev, "checkoutsim"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def measure(import_root: Path) -> dict[str, object]:
    """One round in a fresh interpreter that imports checkoutsim from ``import_root``."""
    env = dict(os.environ, PYTHONPATH=str(import_root))
    args = [sys.executable, "-c", CHILD, str(ROOT / "benchmarks")]
    args.append(str(ROOT / "scenarios" / "weekday.yaml"))
    out = subprocess.run(args, env=env, capture_output=True, text=True, cwd="/")
    if out.returncode:
        sys.exit(f"{import_root}: the measuring child failed:\n{out.stderr}")
    result: dict[str, object] = json.loads(out.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new", nargs="?", default=None)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        roots = {"old": export(args.old, Path(a)), "new": export(args.new, Path(b))}
        runs: dict[str, list[dict[str, object]]] = {"old": [], "new": []}
        for _ in range(args.rounds):  # alternate, so that both see the same machine
            for key, root in roots.items():
                runs[key].append(measure(root))
    best = {}
    for key, rows in runs.items():
        mmc = min(float(str(r["mmc_s"])) for r in rows)
        hand = min(float(str(r["hand_s"])) for r in rows)
        weekday = max(float(str(r["weekday_per_s"])) for r in rows)
        best[key] = (mmc, weekday)
        counts = rows[0]["events"]
        assert isinstance(counts, dict)
        events = ", ".join(f"{k} {v:.2f}" for k, v in counts.items())
        label = args.old if key == "old" else (args.new or "working tree")
        print(
            f"{label:>14}: M/M/c {mmc:.3f} s (hand-written SimPy {hand:.3f} s, ratio"
            f" {hand / mmc:.2f}), weekday {weekday:,.0f} customers/s, events per customer"
            f" {events}"
        )
    print(
        f"new/old speed: M/M/c x{best['old'][0] / best['new'][0]:.3f},"
        f" weekday x{best['new'][1] / best['old'][1]:.3f}"
    )
    for key, what in (
        ("results", "model columns, 3 days of each shipped scenario and plan variant"),
        ("tables", "result tables (customers, assists, time series, metrics, summary, costs)"),
    ):
        same = runs["old"][0].get(key) == runs["new"][0].get(key)
        print(f"{what}: {'identical' if same else 'DIFFERENT'} ({runs['new'][0].get(key)})")


if __name__ == "__main__":
    main()
