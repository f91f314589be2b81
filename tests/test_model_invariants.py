"""Invariants every simulated day must satisfy, on the shipped scenarios."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from checkoutsim import Scenario, run_replication, simulate
from checkoutsim.model.recorder import OutcomeCode


def _check_day(scenario: Scenario, rep: int, seed: int) -> None:
    run = run_replication(scenario, rep, seed)
    c = run.customers
    n = c["arrival_min"].shape[0]
    assert n > 0
    # Every arrival ends served, balked or reneged: none lost in the system.
    assert set(np.unique(c["outcome"])) <= {
        OutcomeCode.SERVED,
        OutcomeCode.BALKED,
        OutcomeCode.RENEGED,
    }
    served = c["outcome"] == OutcomeCode.SERVED
    # Time order per customer.
    assert np.all(c["arrival_min"][served] <= c["service_start_min"][served] + 1e-9)
    assert np.all(c["service_start_min"][served] < c["departure_min"][served])
    assert np.all(c["departure_min"] >= c["arrival_min"] - 1e-9)
    assert np.all(c["queue_wait_min"] >= -1e-9)
    np.testing.assert_allclose(
        c["queue_wait_min"][served],
        c["service_start_min"][served] - c["arrival_min"][served],
        atol=1e-9,
    )
    # Nobody arrives after closing; arrivals sorted.
    assert np.all(np.diff(c["arrival_min"]) >= 0)
    assert c["arrival_min"].max() <= scenario.store.day_length_min
    # No resource above capacity at any sample.
    ts = run.timeseries
    assert np.all(ts["kiosks_busy"] <= scenario.kiosks.count)
    express = scenario.cashiers.express.lanes if scenario.cashiers.express else 0
    assert np.all(ts["cashiers_busy"] <= scenario.cashiers.lanes + express)
    max_att = max(b.attendants for b in scenario.staffing)
    assert np.all(ts["attendants_busy"] <= max_att)
    assert np.all(ts["attendants_busy_avg"] <= ts["attendants_on_duty_avg"] + 1e-9)
    assert np.all(ts["kiosks_busy_avg"] <= ts["kiosks_on_duty_avg"] + 1e-9)
    # Assists: freeze <= assignment <= attendant arrives <= resolved.
    a = run.assists
    assert np.all(a["stuck_min"] <= a["assigned_min"] + 1e-12)
    assert np.all(a["assigned_min"] <= a["attendant_arrived_min"] + 1e-12)
    assert np.all(a["attendant_arrived_min"] <= a["resolved_min"] + 1e-12)
    assert np.bincount(a["customer_id"], minlength=n).sum() == c["assists"].sum()


@pytest.mark.parametrize("name", ["weekday", "lean", "mmc"])
def test_invariants_hold_on_shipped_scenarios(name: str, request: pytest.FixtureRequest) -> None:
    scenario = request.getfixturevalue(name)
    for rep in range(2):
        _check_day(scenario, rep, seed=7)


def test_same_seed_gives_identical_dataframes(weekday: Scenario) -> None:
    a = simulate(weekday, replications=2, seed=11)
    b = simulate(weekday, replications=2, seed=11)
    pd.testing.assert_frame_equal(a.customers, b.customers)
    pd.testing.assert_frame_equal(a.assists, b.assists)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)


def test_replications_and_seeds_differ(weekday: Scenario) -> None:
    r = simulate(weekday, replications=2, seed=11).customers
    other = simulate(weekday, replications=1, seed=12).customers
    day0 = r[r["rep"] == 0]["arrival_min"].to_numpy()
    day1 = r[r["rep"] == 1]["arrival_min"].to_numpy()
    assert not np.array_equal(day0[:100], day1[:100])
    assert not np.array_equal(day0[:100], other["arrival_min"].to_numpy()[:100])


def test_parallel_equals_sequential(weekday: Scenario) -> None:
    seq = simulate(weekday, replications=3, seed=5, workers=1)
    par = simulate(weekday, replications=3, seed=5, workers=2)
    pd.testing.assert_frame_equal(seq.customers, par.customers)
    pd.testing.assert_frame_equal(seq.timeseries, par.timeseries)
