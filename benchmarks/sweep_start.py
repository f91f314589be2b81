"""Time to first simulation of a 200,000-point sweep grid, as a ratio to a small grid.

Usage::

    .venv/bin/python benchmarks/sweep_start.py          # prints one table row

Both grids are loaded (``load_sweep``) and started (``run_sweep``) in the same process and
run; the clock stops when the first store day is handed to the executor, which then stops the
sweep (nothing is simulated to the end, nothing is kept: the store is a temporary folder).
The small grid is the shipped ``scenarios/sweeps/weekday_grid.yaml`` (18 points); the large
one varies five factors of the same weekday base (8 x 25 x 5 x 10 x 20 = 200,000 points).
Wall-clock seconds, best of three runs each (the machine may be shared). No test times this.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from checkoutsim.experiments.executors import SequentialExecutor, Task
from checkoutsim.experiments.run_store import RunStore
from checkoutsim.experiments.sweep import load_sweep, run_sweep

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "scenarios" / "sweeps" / "weekday_grid.yaml"
LARGE = f"""base: {ROOT / "scenarios" / "weekday.yaml"}
replications: 2
grid:
  staffing[start=16:00].cashiers: [3, 4, 5, 6, 7, 8, 9, 10]
  kiosks.count: [{", ".join(str(k) for k in range(1, 26))}]
  staffing[*].attendants: [1, 2, 3, 4, 5]
  staffing[start=11:00].cashiers: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
  customers.kiosk_item_limit: [{", ".join(str(k) for k in range(6, 26))}]
"""


class _StartedError(Exception):
    pass


class _StopAtFirstDay(SequentialExecutor):
    def map(self, tasks: Iterable[Task]) -> Iterator[tuple[Task, Any]]:
        for _ in tasks:
            raise _StartedError
        yield from ()


def time_to_first_day(path: Path) -> tuple[float, int]:
    """Seconds from reading the sweep file to its first day starting; and its point count."""
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        sweep = load_sweep(path)
        try:
            run_sweep(sweep, RunStore(Path(folder) / "runs"), executor=_StopAtFirstDay())
        except _StartedError:
            return time.perf_counter() - start, len(sweep.points)
    raise RuntimeError("the sweep never started a day")


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        large = Path(folder) / "large_grid.yaml"
        large.write_text(LARGE)
        small_s, small_n = min(time_to_first_day(SMALL) for _ in range(3))
        large_s, large_n = min(time_to_first_day(large) for _ in range(3))
    print(
        f"| Sweep start, {large_n:,}-point grid (ratio to {small_n} points) "
        f"| {large_s / small_s:.2f} x | first day after {large_s:.2f} s "
        f"({small_n} points: {small_s:.2f} s) |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
