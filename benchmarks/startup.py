"""Start-up time of the command line, beside Python itself, measured in one run.

Usage::

    .venv/bin/python benchmarks/startup.py            # 15 runs of each command
    .venv/bin/python benchmarks/startup.py --runs 3   # a smoke run

Each command runs in a fresh interpreter, alternating with the others so that a busy moment of
a shared machine hits them all alike; the figure is the median wall-clock time. Beside the
commands it times ``python -c pass`` (the floor no command can beat) and an import of the layers
the command line imported up front before issue 20 (what ``--help`` used to cost), so the
speed-up is a ratio measured on the same machine in the same minute.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
COMMANDS = {
    "python -c pass": [PY, "-c", "pass"],
    "checkoutsim --help": [PY, "-m", "checkoutsim", "--help"],
    "checkoutsim validate scenarios/weekday.yaml": [
        PY,
        "-m",
        "checkoutsim",
        "validate",
        "scenarios/weekday.yaml",
    ],
    "import of every layer (the CLI's start-up before issue 20)": [
        PY,
        "-c",
        "import checkoutsim.cli, checkoutsim.experiments, checkoutsim.planning, "
        "checkoutsim.report, checkoutsim.results",
    ],
}


def time_commands(runs: int) -> dict[str, float]:
    """Median wall-clock seconds of each command over ``runs`` alternating rounds."""
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, argv in COMMANDS.items():
            start = time.perf_counter()
            subprocess.run(argv, cwd=ROOT, check=True, capture_output=True)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    medians = time_commands(args.runs)
    floor = medians["python -c pass"]
    eager = medians["import of every layer (the CLI's start-up before issue 20)"]
    print(f"| command | median wall s ({args.runs} runs) | x python -c pass | x every layer |")
    print("|---|---:|---:|---:|")
    for name, seconds in medians.items():
        print(f"| `{name}` | {seconds:.3f} | {seconds / floor:.1f} | {seconds / eager:.2f} |")


if __name__ == "__main__":
    main()
