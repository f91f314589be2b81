"""Precision mode: stop at the first replication count whose CI is narrow enough."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from checkoutsim import Scenario
from checkoutsim.experiments.executors import PoolExecutor
from checkoutsim.experiments.precision import PrecisionTarget, simulate_to_precision
from checkoutsim.results.stats import confidence_interval


def _values(result: object, metric: str) -> list[float]:
    m = result.metrics()  # type: ignore[attr-defined]
    m = m[(m["scope"] == "all") & (m["metric"] == metric)].sort_values("rep")
    return m["value"].tolist()


def test_stops_at_the_first_count_meeting_the_target(weekday: Scenario) -> None:
    target = PrecisionTarget("wait_p90_min", 0.1)
    result, outcome = simulate_to_precision(weekday, target, max_replications=60, seed=4)
    assert outcome.reached
    n = outcome.replications
    assert result.replications == n and n >= 5
    values = _values(result, "wait_p90_min")
    assert len(values) == n
    final = confidence_interval(values)
    assert final.half_width <= 0.1
    assert math.isclose(final.half_width, outcome.interval.half_width)
    # No smaller count (from the minimum of 5 on) was already precise enough.
    for k in range(5, n):
        assert confidence_interval(values[:k]).half_width > 0.1


def test_same_answer_on_a_pool(weekday: Scenario) -> None:
    target = PrecisionTarget.parse("wait_p90_min:0.1")
    seq, seq_outcome = simulate_to_precision(weekday, target, max_replications=60, seed=4)
    with PoolExecutor(2) as pool:
        par, par_outcome = simulate_to_precision(
            weekday, target, max_replications=60, seed=4, executor=pool
        )
    assert seq_outcome.replications == par_outcome.replications
    pd.testing.assert_frame_equal(seq.summary(), par.summary())


def test_stops_at_the_maximum_when_the_target_is_out_of_reach(weekday: Scenario) -> None:
    target = PrecisionTarget.parse("wait_mean_min@cashier:0.0001")
    result, outcome = simulate_to_precision(weekday, target, max_replications=4, seed=1)
    assert not outcome.reached
    assert outcome.replications == result.replications == 4
    assert "NOT reached" in outcome.message()


def test_unknown_metric_names_the_ones_there_are(weekday: Scenario) -> None:
    with pytest.raises(ValueError, match=r"unknown metric 'wait_p99_min'.*wait_p90_min"):
        simulate_to_precision(
            weekday, PrecisionTarget("wait_p99_min", 1.0), max_replications=3, seed=1
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("wait_p90_min:0.25", PrecisionTarget("wait_p90_min", 0.25, "all")),
        ("wait_mean_min@kiosk:1", PrecisionTarget("wait_mean_min", 1.0, "kiosk")),
    ],
)
def test_parse_target(text: str, expected: PrecisionTarget) -> None:
    assert PrecisionTarget.parse(text) == expected


@pytest.mark.parametrize("text", ["wait_p90_min", "wait_p90_min:0", "wait_p90_min:-1", "x:nan"])
def test_parse_rejects_bad_targets(text: str) -> None:
    with pytest.raises(ValueError):
        PrecisionTarget.parse(text)


def test_a_metric_without_a_value_on_any_day_is_refused() -> None:
    # The M/M/c case has kiosks only: no cashier customer, so no cashier wait on any day.
    from pathlib import Path

    from checkoutsim import load_scenario

    kiosks_only = load_scenario(Path(__file__).parents[1] / "scenarios/validation/mmc.yaml")
    target = PrecisionTarget.parse("wait_p90_min@cashier:0.1")
    with pytest.raises(ValueError, match="has no value on any of the first 5 simulated days"):
        simulate_to_precision(kiosks_only, target, max_replications=200, min_replications=5)
