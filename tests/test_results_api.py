"""The result object as an analyst meets it in a notebook."""

from __future__ import annotations

import importlib

import pandas as pd
import pytest

from checkoutsim import Scenario, simulate


def test_a_result_prints_in_one_line(mmc: Scenario) -> None:
    # Issue 18: the repr printed every table (about 14,000 characters on the weekday).
    result = simulate(mmc, replications=2, seed=1)
    text = repr(result)
    assert len(text) < 200 and "\n" not in text
    assert text.startswith("SimulationResult(scenario='mmc', replications=2, seed=1,")
    assert f"customers={len(result.customers):,} rows" in text


def test_simulate_uses_every_core_by_default_with_the_same_result(
    mmc: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 18: simulate() ran in one process unless told otherwise; the CLI used every core.
    from checkoutsim.experiments.executors import default_workers

    # The module, not the function of the same name that its package re-exports.
    module = importlib.import_module("checkoutsim.experiments.simulate")

    used: list[int] = []
    real = module.make_executor

    def recording(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        executor = real(*args, **kwargs)  # type: ignore[arg-type]
        used.append(executor.workers)
        return executor

    monkeypatch.setattr(module, "make_executor", recording)
    parallel = simulate(mmc, replications=4, seed=2)
    serial = simulate(mmc, replications=4, seed=2, workers=1)
    assert used == [min(default_workers(), 4), 1]
    pd.testing.assert_frame_equal(parallel.customers, serial.customers)
    pd.testing.assert_frame_equal(parallel.metrics(), serial.metrics())
