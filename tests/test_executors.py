"""Executors: identical results whatever runs the replications, and clean start/stop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from checkoutsim import Scenario, simulate
from checkoutsim.experiments.executors import (
    DaskExecutor,
    ExecutorError,
    PoolExecutor,
    SequentialExecutor,
    Task,
    make_executor,
)
from checkoutsim.model.recorder import OutcomeCode


def _assert_same(a: object, b: object) -> None:
    pd.testing.assert_frame_equal(a.customers, b.customers)  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(a.assists, b.assists)  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)  # type: ignore[attr-defined]


def test_pool_and_dask_equal_sequential(weekday: Scenario) -> None:
    pytest.importorskip("distributed")
    reference = simulate(weekday, replications=4, seed=3)
    with PoolExecutor(2) as pool:
        _assert_same(reference, simulate(weekday, replications=4, seed=3, executor=pool))
    with DaskExecutor("local", workers=2, processes=False) as dask:
        assert dask.describe().startswith("dask LocalCluster (2 workers")
        _assert_same(reference, simulate(weekday, replications=4, seed=3, executor=dask))


def _served_and_pid(scenario: Scenario, rep: int, seed: int, columns: object) -> tuple:
    """An analysis that says where it ran, to show it ran in the worker."""
    import os

    outcome = columns.customers["outcome"]  # type: ignore[attr-defined]
    return rep, int((outcome == OutcomeCode.SERVED).sum()), len(outcome), os.getpid()


def test_analysis_runs_in_the_worker_and_equals_the_parents(weekday: Scenario) -> None:
    pytest.importorskip("distributed")
    import os

    tasks = [Task(weekday, rep, 5, analyse=_served_and_pid) for rep in range(4)]
    here = {t.rep: r for t, r in SequentialExecutor().map(tasks)}
    assert {r[3] for r in here.values()} == {os.getpid()}
    with PoolExecutor(2) as pool:
        pooled = {t.rep: r for t, r in pool.map(tasks)}
    with DaskExecutor("local", workers=2, processes=False) as dask:
        dasked = {t.rep: r for t, r in dask.map(tasks)}
    assert os.getpid() not in {r[3] for r in pooled.values()}
    for rep in range(4):
        assert here[rep][:3] == pooled[rep][:3] == dasked[rep][:3]
        assert here[rep][0] == rep and here[rep][2] > 0


def test_results_do_not_depend_on_task_order(weekday: Scenario) -> None:
    tasks = [Task(weekday, rep, 9) for rep in range(3)]
    forward = {t.rep: cols for t, cols in SequentialExecutor().map(tasks)}
    backward = {t.rep: cols for t, cols in SequentialExecutor().map(tasks[::-1])}
    for rep in range(3):
        for name, column in forward[rep].customers.items():
            np.testing.assert_array_equal(column, backward[rep].customers[name])


def test_pool_yields_every_task_once_with_its_tag(weekday: Scenario) -> None:
    tasks = [Task(weekday, rep, 1, tag=("plan", rep)) for rep in range(9)]
    with PoolExecutor(2) as pool:
        seen = [task.tag for task, _ in pool.map(tasks)]
    assert sorted(seen) == [("plan", rep) for rep in range(9)]


def test_pool_stops_cleanly_when_the_consumer_stops_early(weekday: Scenario) -> None:
    tasks = [Task(weekday, rep, 1) for rep in range(12)]
    with PoolExecutor(2) as pool:
        for _ in pool.map(tasks):
            break
        # The pool is still usable afterwards.
        assert len(list(pool.map(tasks[:2]))) == 2


def test_make_executor_choices() -> None:
    assert isinstance(make_executor(1), SequentialExecutor)
    assert isinstance(make_executor(4, tasks=1), SequentialExecutor)
    pool = make_executor(4, tasks=3)
    assert isinstance(pool, PoolExecutor) and pool.workers == 3
    assert isinstance(make_executor(None), SequentialExecutor | PoolExecutor)
    assert isinstance(make_executor(2, dask="local"), DaskExecutor)
    with pytest.raises(ExecutorError):
        make_executor(0)
    with pytest.raises(ExecutorError):
        PoolExecutor(1)


def test_unreachable_dask_scheduler_is_a_clear_error() -> None:
    pytest.importorskip("distributed")
    executor = DaskExecutor("tcp://127.0.0.1:9", timeout_s=0.2)
    with pytest.raises(ExecutorError, match="cannot reach the dask scheduler"), executor:
        pass
