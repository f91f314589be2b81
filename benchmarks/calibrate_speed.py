"""Wall time of the calibration layer, two source trees alternated in one run (issue 20).

Usage::

    .venv/bin/python benchmarks/calibrate_speed.py --old /path/to/main --new . --rounds 3
    .venv/bin/python benchmarks/calibrate_speed.py --old OLD --new NEW --preferences

Each round runs, for the old tree and then the new one (each with ``PYTHONPATH`` set to its
tree and the tree as working folder):

* ``python -m checkoutsim calibrate scenarios/data --base scenarios/weekday.yaml --out TMP``
  (the shipped example logs, the command of docs/calibrate.md);
* with ``--preferences``, the same with ``--fit-preferences`` (default workers: every core);
* ``python -m pytest tests/test_calibration_roundtrip.py tests/test_calibration_messy.py
  tests/test_calibration_cli.py -p no:cacheprovider -q`` (serially).

Alternating the trees spreads a shared machine's busy moments over both. Bytecode goes to a
private cache (``PYTHONPYCACHEPREFIX``), filled by one untimed run of each command per tree
first, so that neither tree is timed compiling its sources (or reads a stale ``__pycache__``).
Wall time of each run and the CPU time of its process tree (user + sys) are printed, as a
Markdown table, with the median of each.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
TESTS = [
    "tests/test_calibration_roundtrip.py",
    "tests/test_calibration_messy.py",
    "tests/test_calibration_cli.py",
]


def commands(out: Path, preferences: bool) -> dict[str, list[str]]:
    """The timed commands, by label."""
    calibrate = [PY, "-m", "checkoutsim", "calibrate", "scenarios/data"]
    calibrate += ["--base", "scenarios/weekday.yaml", "--out"]
    cmds = {"calibrate (shipped logs)": [*calibrate, str(out / "cal.yaml")]}
    if preferences:
        cmds["calibrate --fit-preferences"] = [
            *calibrate,
            str(out / "pref.yaml"),
            "--fit-preferences",
        ]
    cmds["pytest (3 calibration files)"] = [
        PY,
        "-m",
        "pytest",
        *TESTS,
        "-p",
        "no:cacheprovider",
        "-q",
    ]
    return cmds


def timed(cmd: list[str], tree: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + sys of the child tree) seconds of one run; fails loudly."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        cmd, cwd=tree, env={**env, "PYTHONPATH": str(tree)}, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} in {tree} failed:\n{done.stdout}\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True, help="tree before the change")
    parser.add_argument("--new", type=Path, required=True, help="tree after the change")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--preferences", action="store_true", help="also --fit-preferences")
    args = parser.parse_args()
    trees = {"old": args.old.resolve(), "new": args.new.resolve()}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(out / "pycache")
        cmds = commands(out, args.preferences)
        for tree in trees.values():  # fill the bytecode cache, untimed
            timed(cmds["calibrate (shipped logs)"], tree, env)
        runs: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for r in range(args.rounds):
            for label, cmd in cmds.items():
                for name, tree in trees.items():
                    runs.setdefault((label, name), []).append(timed(cmd, tree, env))
                    wall, cpu = runs[(label, name)][-1]
                    print(f"round {r + 1} {label} {name}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    print()
    print("| command | tree | wall s, each round | median wall | median CPU |")
    print("|---|---|---|---|---|")
    for (label, name), got in runs.items():
        walls = ", ".join(f"{w:.2f}" for w, _ in got)
        med_w = statistics.median(w for w, _ in got)
        med_c = statistics.median(c for _, c in got)
        print(f"| {label} | {name} | {walls} | {med_w:.2f} | {med_c:.2f} |")


if __name__ == "__main__":
    main()
