"""Before/after: two versions of the model timed in the same run (how docs/performance.md's
"what each change bought" figures were measured).

Usage::

    .venv/bin/python benchmarks/versions.py OLD_REV [NEW_REV] [--rounds 5]

Each revision's ``checkoutsim/`` is exported with ``git archive`` into a temporary directory
(NEW_REV defaults to the working tree). Fresh subprocesses, alternating old and new ``--rounds``
times, each measure in CPU seconds: the compressed 100,000-customer M/M/c day of
``benchmarks/run.py``, the hand-written SimPy M/M/c on the same customers, and 20 weekday days;
plus SimPy events scheduled per customer (exact, not a timing), and a fingerprint of every
result column of 3 days of each shipped scenario and plan variant. Prints the best of the
rounds, the new/old speed ratios, and whether the two versions give identical results.
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
import run as B
from checkoutsim import load_scenario
from checkoutsim.model import StoreModel, run_replication
from checkoutsim.population import draw_population
from checkoutsim.streams import Streams

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
from checkoutsim.plans import load_plan
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
print(json.dumps({"mmc_s": t_mmc, "hand_s": t_hand, "weekday_per_s": n / t_weekday,
                  "events": events, "results": digest.hexdigest()}))
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
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=True, cwd="/")
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
    same = runs["old"][0]["results"] == runs["new"][0]["results"]
    print(
        "results (every column of 3 days of each shipped scenario and plan variant):"
        f" {'identical' if same else 'DIFFERENT'}"
    )


if __name__ == "__main__":
    main()
