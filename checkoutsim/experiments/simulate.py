"""Run replications of one scenario: :func:`simulate`, the analyst's entry point."""

from __future__ import annotations

from checkoutsim.experiments.executors import Executor, Task, make_executor
from checkoutsim.experiments.progress import ProgressCallback, ProgressOption, progress_shown
from checkoutsim.model.recorder import RunColumns
from checkoutsim.results.tables import SimulationResult
from checkoutsim.scenario.schema import Scenario

__all__ = ["ProgressCallback", "run_tasks", "simulate"]


def run_tasks(
    executor: Executor, tasks: list[Task], progress: ProgressCallback | None = None
) -> list[tuple[Task, RunColumns]]:
    """Run ``tasks`` on a started executor; results in the order the tasks were given."""
    order = {id(task): i for i, task in enumerate(tasks)}
    done: list[tuple[Task, RunColumns]] = []
    for task, columns in executor.map(tasks):
        done.append((task, columns))
        if progress:
            progress(len(done), len(tasks))
    done.sort(key=lambda pair: order[id(pair[0])])
    return done


def simulate(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    *,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: ProgressOption = None,
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
    workers : int, optional
        Local processes to use when no ``executor`` is given: by default every core, as on the
        command line (never more than there are days); 1 runs in this process.
    executor : Executor, optional
        Where to run (see :mod:`checkoutsim.experiments.executors`), for callers that reuse one
        pool for several runs (use it in its ``with`` block). Results do not depend on the executor
        or its worker count: each replication's randomness comes from (seed, rep) alone.
    progress : callable or bool, optional
        ``progress(done, total)`` after each replication; ``True`` shows a progress bar,
        ``False`` nothing. By default a bar is shown when Python runs interactively (a notebook,
        an IPython or ``>>>`` prompt) and nothing in scripts (see
        :mod:`checkoutsim.experiments.progress`).

    Returns
    -------
    SimulationResult
        DataFrames of customers, assists and time series, with summaries.
    """
    reps = scenario.run.replications if replications is None else replications
    root = scenario.run.seed if seed is None else seed
    if reps < 1:
        raise ValueError(f"replications must be at least 1, got {reps}")
    tasks = [Task(scenario, rep, root) for rep in range(reps)]
    with progress_shown(progress, reps, f"simulating {scenario.name}") as tick:
        if executor is None:
            with make_executor(workers, tasks=reps) as own:
                runs = run_tasks(own, tasks, tick)
        else:
            runs = run_tasks(executor, tasks, tick)
    return SimulationResult.from_runs(scenario, root, [(t.rep, cols) for t, cols in runs])
