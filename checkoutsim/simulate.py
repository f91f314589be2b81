"""Run replications of one scenario: :func:`simulate`, the analyst's entry point."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from checkoutsim.model import run_replication
from checkoutsim.recorder import RunColumns
from checkoutsim.results import SimulationResult
from checkoutsim.scenario import Scenario

__all__ = ["simulate"]

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each finished replication."""


def simulate(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    *,
    workers: int = 1,
    progress: ProgressCallback | None = None,
) -> SimulationResult:
    """Simulate ``replications`` store days of ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (see :func:`checkoutsim.load_scenario`).
    replications : int, optional
        Simulated days; defaults to ``scenario.run.replications``.
    seed : int, optional
        Root seed; defaults to ``scenario.run.seed``.
    workers : int
        Processes to use; 1 runs in this process. Results do not depend on it: each
        replication's randomness comes from (seed, rep) alone.
    progress : callable, optional
        ``progress(done, total)`` after each replication.

    Returns
    -------
    SimulationResult
        DataFrames of customers, assists and time series, with summaries.
    """
    reps = scenario.run.replications if replications is None else replications
    root = scenario.run.seed if seed is None else seed
    if reps < 1:
        raise ValueError(f"replications must be at least 1, got {reps}")
    runs: list[tuple[int, RunColumns]] = []
    if workers <= 1 or reps == 1:
        for rep in range(reps):
            runs.append((rep, run_replication(scenario, rep, root)))
            if progress:
                progress(len(runs), reps)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {
                pool.submit(run_replication, scenario, rep, root): rep for rep in range(reps)
            }
            for future in futures:
                runs.append((futures[future], future.result()))
                if progress:
                    progress(len(runs), reps)
    return SimulationResult.from_runs(scenario, root, runs)
