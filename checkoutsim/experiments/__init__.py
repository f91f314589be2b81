"""The experiments layer: many simulated days, run and compared honestly.

Replications and executors (sequential, process pool, Dask), common random numbers, comparing
plans, sweeps, running to a precision, the resumable run store, and writing comparison and
sweep folders. It imports the layers before it (scenario, model, experience, results).
"""

from checkoutsim.experiments.compare import ComparisonResult, compare
from checkoutsim.experiments.comparison_files import write_comparison, write_sweep
from checkoutsim.experiments.executors import Executor, make_executor
from checkoutsim.experiments.precision import PrecisionTarget, simulate_to_precision
from checkoutsim.experiments.run_store import RunStore
from checkoutsim.experiments.simulate import simulate
from checkoutsim.experiments.sweep import SweepResult, load_sweep, run_sweep

__all__ = [
    "ComparisonResult",
    "Executor",
    "PrecisionTarget",
    "RunStore",
    "SweepResult",
    "compare",
    "load_sweep",
    "make_executor",
    "run_sweep",
    "simulate",
    "simulate_to_precision",
    "write_comparison",
    "write_sweep",
]
