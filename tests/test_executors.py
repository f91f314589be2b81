"""Executors: identical results whatever runs the replications, and clean start/stop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from checkoutsim import Scenario, simulate
from checkoutsim.executors import (
    DaskExecutor,
    ExecutorError,
    PoolExecutor,
    SequentialExecutor,
    Task,
    make_executor,
)


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
    executor = DaskExecutor("tcp://127.0.0.1:9", timeout_s=1.0)
    with pytest.raises(ExecutorError, match="cannot reach the dask scheduler"), executor:
        pass
