"""Start-up time of the command line, beside Python itself, measured in one run.

Usage::

    .venv/bin/python benchmarks/startup.py            # 15 runs of each command
    .venv/bin/python benchmarks/startup.py --runs 3   # a smoke run

Each command runs in a fresh interpreter, alternating with the others so that a busy moment of
a shared machine hits them all alike; the figure is the median wall-clock time. Beside the
commands it times ``python -c pass`` (the floor no command can beat) and an import of the layers
the command line imported up front before issue 20 (what ``--help`` used to cost), so the
speed-up is a ratio measured on the same machine in the same minute.

The package's bytecode is compiled first, as ``pip install`` does and as any first run does
unless ``PYTHONDONTWRITEBYTECODE`` is set: otherwise every run would time the compiler too.
All shipped scenarios are validated (one row each): the target is for every one of them.
"""

from __future__ import annotations

import argparse
import compileall
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
SCENARIOS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scenarios").glob("*.yaml"))
COMMANDS = {
    "python -c pass": [PY, "-c", "pass"],
    "checkoutsim --help": [PY, "-m", "checkoutsim", "--help"],
    **{
        f"checkoutsim validate {name}": [PY, "-m", "checkoutsim", "validate", name]
        for name in SCENARIOS
    },
    "import of every layer (the CLI's start-up before issue 20)": [
        PY,
        "-c",
        "import checkoutsim.cli, checkoutsim.experiments, checkoutsim.planning, "
        "checkoutsim.report, checkoutsim.results",
    ],
}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_commands(runs: int) -> dict[str, tuple[float, float]]:
    """Median (wall-clock, CPU) seconds of each command over ``runs`` alternating rounds.

    CPU time (user + system of the child) is what a busy machine disturbs least; wall-clock
    time is what a user waits for on an idle one.
    """
    wall: dict[str, list[float]] = {name: [] for name in COMMANDS}
    cpu: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, argv in COMMANDS.items():
            start, start_cpu = time.perf_counter(), _children_cpu()
            subprocess.run(argv, cwd=ROOT, check=True, capture_output=True)
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(_children_cpu() - start_cpu)
    return {name: (statistics.median(wall[name]), statistics.median(cpu[name])) for name in wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "checkoutsim", quiet=1)
    medians = time_commands(args.runs)
    eager_cpu = medians["import of every layer (the CLI's start-up before issue 20)"][1]
    print(
        f"| command | median wall s ({args.runs} runs) | median CPU s | CPU x every layer |\n"
        "|---|---:|---:|---:|"
    )
    for name, (wall, cpu) in medians.items():
        print(f"| `{name}` | {wall:.3f} | {cpu:.3f} | {cpu / eager_cpu:.2f} |")


if __name__ == "__main__":
    main()
