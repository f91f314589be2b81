"""The optimiser's evaluation cost per plan: ``Evaluator._values`` CPU time in a real search.

Usage::

    PYTHONPATH=. .venv/bin/python benchmarks/evaluator_per_plan.py
    PYTHONPATH=/path/to/a/main/worktree .venv/bin/python benchmarks/evaluator_per_plan.py

Runs ``checkoutsim optimize scenarios/weekday.yaml --target 'wait_p90_min<=4' --objective
labour -n 2`` in this process (its results folder in a temporary directory) with
``Evaluator._values`` wrapped in a CPU timer: per plan, the tables and experience columns built
from the simulated days, the block metrics the targets are judged on and the money lines. The
days themselves are simulated in worker processes and are not counted. Run it with
``PYTHONPATH`` on two checkouts in turn (alternating) to compare them on the same machine.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from checkoutsim.cli import app
from checkoutsim.planning import evaluate

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "weekday.yaml"))
    args = parser.parse_args()
    spent = {"cpu_s": 0.0, "plans": 0}
    values = evaluate.Evaluator._values

    def timed(self: evaluate.Evaluator, *a: Any, **k: Any) -> Any:
        t0 = time.process_time()
        out = values(self, *a, **k)
        spent["cpu_s"] += time.process_time() - t0
        spent["plans"] += 1
        return out

    evaluate.Evaluator._values = timed  # type: ignore[method-assign]
    command = [
        *("optimize", str(Path(args.scenario).resolve())),
        *("--target", "wait_p90_min<=4", "--objective", "labour", "-n", "2"),
    ]
    here = Path.cwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)  # the results folder lands here
        t0, w0 = time.process_time(), time.perf_counter()
        with contextlib.suppress(SystemExit):
            app(command, standalone_mode=False)
        cpu, wall = time.process_time() - t0, time.perf_counter() - w0
        os.chdir(here)
    plans = max(spent["plans"], 1)
    print(
        f"plans {spent['plans']}: Evaluator._values {spent['cpu_s']:.2f} s CPU,"
        f" {1000 * spent['cpu_s'] / plans:.1f} ms per plan; the command's process"
        f" {cpu:.2f} s CPU, {wall:.2f} s wall"
    )


if __name__ == "__main__":
    main()
