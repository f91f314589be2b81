"""Issue 19 ("Unbreakable"), model and results side: each test failed on the code before the fix.

Utilisation independent of the sampling interval, overflow-free numerics and integer widths,
memory linear in customers, the drain guard, a run with no customers, and a recommend score
inside its 0-10 scale.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkoutsim.experience.satisfaction import likelihood_to_recommend, overtaken_counts
from checkoutsim.model.store import (
    DRAIN_LIMIT_MIN,
    DayDidNotDrainError,
    TimeSeriesTooLongError,
    run_replication,
)
from checkoutsim.results.tables import SimulationResult
from checkoutsim.scenario.distributions import unvalidated_copy
from checkoutsim.scenario.loader import load_scenario
from checkoutsim.scenario.schema import NpsModel, Scenario

ROOT = Path(__file__).resolve().parents[1]


def _small(**changes: Any) -> dict[str, Any]:
    """A two-hour store with one lane, two kiosks and an attendant, as a dict to edit."""
    data: dict[str, Any] = {
        "name": "small",
        "store": {"open": "09:00", "close": "11:00"},
        "arrivals": {"profile": [{"start": "09:00", "end": "11:00", "customers_per_hour": 60}]},
        "customers": {
            "basket_items": {"kind": "lognormal", "mean": 10, "sd": 8},
            "payment_min": {"kind": "fixed", "value": 0.3},
            "patience_min": None,
            "balking": None,
            "channel": {"never_kiosk_share": 0.3, "prefer_kiosk_share": 0.3},
        },
        "cashiers": {
            "lanes": 1,
            "scan_min_per_item": {"kind": "fixed", "value": 0.05},
            "fixed_min": {"kind": "fixed", "value": 0.4},
        },
        "kiosks": {
            "count": 2,
            "scan_min_per_item": {"kind": "fixed", "value": 0.1},
            "fixed_min": {"kind": "fixed", "value": 0.3},
            "confusion": [
                {
                    "name": "bagging",
                    "per": "item",
                    "probability": 0.02,
                    "resolve_min": {"kind": "fixed", "value": 0.5},
                }
            ],
        },
        "attendants": {"walk_min": {"kind": "fixed", "value": 0.1}},
        "staffing": [
            {"start": "09:00", "end": "10:00", "cashiers": 1, "attendants": 1},
            {"start": "10:00", "end": "11:00", "cashiers": 1, "attendants": 1, "kiosks": 1},
        ],
        "run": {"replications": 2, "seed": 7, "sample_interval_min": 5.0},
    }
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[key]
        node[last] = value
    return data


def _result(scenario: Scenario, reps: int = 2, seed: int = 7) -> SimulationResult:
    runs = [(rep, run_replication(scenario, rep, seed)) for rep in range(reps)]
    return SimulationResult.from_runs(scenario, seed, runs)


def _utilisation(result: SimulationResult) -> dict[str, float]:
    m = result.metrics()
    m = m[(m["scope"] == "all") & m["metric"].str.endswith("_utilisation_pct")]
    return {f"{r}:{k}": v for r, k, v in zip(m["rep"], m["metric"], m["value"], strict=True)}


def _hourly_utilisation(result: SimulationResult) -> dict[str, float]:
    h = result.hourly()
    h = h[h["metric"].str.endswith("_utilisation_pct")]
    return {
        f"{r}:{hour}:{k}": v
        for r, hour, k, v in zip(h["rep"], h["hour"], h["metric"], h["value"], strict=True)
    }


# -- 1. utilisation does not depend on the sampling interval ----------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    a=st.sampled_from([0.7, 1.0, 5.0, 7.5, 60.0, 1_440.0]),
    b=st.sampled_from([0.7, 1.0, 5.0, 7.5, 60.0, 1_440.0]),
    open_clock=st.sampled_from(["09:00", "09:17"]),
)
def test_utilisation_is_the_same_for_any_two_sampling_intervals(
    a: float, b: float, open_clock: str
) -> None:
    results = []
    for interval in (a, b):
        data = _small(**{"run.sample_interval_min": interval})
        data["store"]["open"] = open_clock
        data["arrivals"]["profile"][0]["start"] = open_clock
        data["staffing"][0]["start"] = open_clock
        results.append(_result(Scenario.model_validate(data)))
    for measure in (_utilisation, _hourly_utilisation):
        first, second = (measure(r) for r in results)
        assert first.keys() == second.keys()
        for key in first:
            assert first[key] == pytest.approx(second[key], rel=1e-9, abs=1e-9), key


def test_time_series_ends_with_the_day_and_clock_labels_stay_on_the_clock() -> None:
    # The longest interval allowed: one sample a day (before: the tail to that tick counted).
    scenario = Scenario.model_validate(_small(**{"run.sample_interval_min": 1_440.0}))
    result = _result(scenario)
    ts = result.timeseries
    for rep in range(2):
        day = ts[ts["rep"] == rep]
        cust = result.customers[result.customers["rep"] == rep]
        end = max(120.0, float(cust["departure_min"].max()))
        # The last row is the end of the day, not the next sampling tick after it.
        assert day["time_min"].iloc[-1] == pytest.approx(end)
        assert (day["time_min"] <= end + 1e-9).all()
    hours = ts["clock"].str.slice(0, 2).astype(int)
    assert hours.between(9, 12).all()


def test_weekday_utilisation_counts_no_staffed_time_after_the_last_customer() -> None:
    # Before: 75.0% at 1 min, 73.7% at 60, 11% at 10,000 (the tail to the next tick counted).
    weekday = load_scenario(ROOT / "scenarios" / "weekday.yaml")
    figures = []
    for interval in (1.0, 60.0, 1_440.0):
        run = weekday.run.model_copy(update={"sample_interval_min": interval})
        figures.append(_utilisation(_result(weekday.model_copy(update={"run": run}), reps=1)))
    for other in figures[1:]:
        for key, value in figures[0].items():
            assert other[key] == pytest.approx(value, rel=1e-9)


# -- 2. numerics, integer widths, memory -------------------------------------------------------


def test_steep_balking_does_not_overflow() -> None:
    # The schema's maxima: exp(50 x 1,000) overflowed math.exp.
    data = _small(
        **{"customers.balking": {"midpoint_queue_length": 1_000, "steepness_per_customer": 50}}
    )
    data["arrivals"]["profile"][0]["customers_per_hour"] = 240
    run = run_replication(Scenario.model_validate(data), 0, 1)
    assert (run.customers["outcome"] >= 0).all()


@pytest.mark.parametrize("kind", ["lognormal", "gamma"])
def test_the_widest_sd_allowed_draws_finish(kind: str) -> None:
    # sd up to 10 x mean is allowed (a coefficient of variation of 10); the draws stay finite.
    data = _small()
    data["customers"]["basket_items"] = {"kind": kind, "mean": 10, "sd": 100}
    data["cashiers"]["scan_min_per_item"] = {"kind": kind, "mean": 0.05, "sd": 0.5}
    data["customers"]["payment_min"] = {"kind": kind, "mean": 0.3, "sd": 3}
    run = run_replication(Scenario.model_validate(data), 0, 1)
    assert (run.customers["outcome"] >= 0).all()
    assert np.isfinite(run.customers["departure_min"]).all()


def test_exponential_basket_with_the_largest_mean_is_capped() -> None:
    # Mean 1,000 items (the maximum): about 37% of baskets would exceed 1,000 uncapped.
    data = _small()
    data["customers"]["basket_items"] = {"kind": "exponential", "mean": 1_000}
    data["arrivals"]["profile"][0]["customers_per_hour"] = 30
    data["cashiers"]["scan_min_per_item"] = {"kind": "fixed", "value": 0.0}
    data["kiosks"]["scan_min_per_item"] = {"kind": "fixed", "value": 0.0}
    data["kiosks"]["confusion"][0]["probability"] = 0.0
    run = run_replication(Scenario.model_validate(data), 0, 1)
    assert run.customers["basket_items"].max() == 1_000


@pytest.mark.parametrize("seed", [2**63 - 1])
def test_seeds_of_64_bits_work_end_to_end(seed: int) -> None:
    data = _small()
    data["run"]["seed"] = seed
    scenario = Scenario.model_validate(data)
    result = _result(scenario, seed=seed)
    assert (result.customers["seed"] == seed).all()
    assert not result.summary().empty


def test_the_most_kiosks_and_attendants_allowed() -> None:
    data = _small()
    data["kiosks"]["count"] = 1_000
    data["staffing"] = [
        {"start": "09:00", "end": "11:00", "cashiers": 0, "attendants": 1_000, "kiosks": 1_000}
    ]
    data["arrivals"]["profile"][0]["customers_per_hour"] = 30
    data["customers"]["channel"] = {"never_kiosk_share": 0.0, "prefer_kiosk_share": 1.0}
    run = run_replication(Scenario.model_validate(data), 0, 1)
    assert (run.customers["lane"] >= 0).all()
    assert (run.assists["kiosk"] >= 0).all() and (run.assists["attendant"] >= 0).all()


def test_the_most_confusion_causes_allowed() -> None:
    data = _small()
    data["kiosks"]["confusion"] = [
        {
            "name": f"cause_{k}",
            "per": "transaction",
            "probability": 0.0 if k < 49 else 1.0,
            "resolve_min": {"kind": "fixed", "value": 0.1},
        }
        for k in range(50)
    ]
    result = _result(Scenario.model_validate(data), reps=1)
    assert set(result.assists["cause"].astype(str)) == {"cause_49"}


def test_a_queue_of_more_than_32767_customers() -> None:
    data = _small(**{"store.close": "14:00"})
    data["arrivals"]["profile"] = [{"start": "09:00", "end": "14:00", "customers_per_hour": 10_000}]
    data["staffing"] = [{"start": "09:00", "end": "14:00", "cashiers": 1, "attendants": 1}]
    data["customers"]["channel"] = {"never_kiosk_share": 1.0, "prefer_kiosk_share": 0.0}
    data["cashiers"]["scan_min_per_item"] = {"kind": "fixed", "value": 0.0}
    data["cashiers"]["fixed_min"] = {"kind": "fixed", "value": 0.0}
    data["customers"]["payment_min"] = {"kind": "fixed", "value": 0.02}
    # 50,000 arrivals, 3,000 served an hour: the queue peaks near 35,000 and drains in 12 h.
    run = run_replication(Scenario.model_validate(data), 0, 1, drain_limit_min=1_000.0)
    assert run.customers["waiting_on_arrival"].max() > 32_767


def test_overtaken_counts_use_memory_linear_in_customers() -> None:
    # An overloaded day: every customer still waits when the next 3,999 arrive. Listing the
    # arrivals inside each wait needed about 8 million pairs (hundreds of MB).
    n = 4_000
    arrival = np.arange(n, dtype=np.float64)
    start = arrival + 10.0 * n  # everyone served long after the last arrival, in reverse order
    start = start[::-1].copy()
    tracemalloc.start()
    try:
        counts = overtaken_counts(arrival, start, start, np.zeros(n, dtype=np.int64))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Customer i is overtaken by every later arrival: n - 1 - i of them.
    np.testing.assert_array_equal(counts, np.arange(n - 1, -1, -1))
    assert peak < 5_000_000


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 20),
            st.integers(0, 10),
            st.booleans(),
            st.integers(-1, 2),
        ),
        max_size=40,
    )
)
def test_overtaken_counts_equal_the_pairwise_definition(
    rows: list[tuple[int, int, bool, int]],
) -> None:
    arrival = np.array([float(a) for a, *_ in rows])
    start = np.array([a + w if served else np.nan for a, w, served, _ in rows], dtype=float)
    end = np.array([a + w for a, w, *_ in rows], dtype=float)
    group = np.array([g for *_, g in rows], dtype=np.int64)
    expected = [
        sum(
            1
            for j in range(len(rows))
            if group[i] >= 0
            and group[j] == group[i]
            and arrival[i] < arrival[j]
            and start[j] < end[i]
        )
        for i in range(len(rows))
    ]
    np.testing.assert_array_equal(overtaken_counts(arrival, end, start, group), expected)


# -- 3. the drain guard -------------------------------------------------------------------------


def test_a_day_that_never_drains_stops_with_a_clear_error() -> None:
    data = _small()
    data["cashiers"]["fixed_min"] = {"kind": "fixed", "value": 1_440.0}
    data["customers"]["channel"] = {"never_kiosk_share": 1.0, "prefer_kiosk_share": 0.0}
    with pytest.raises(DayDidNotDrainError, match=r"cashier lane 1: [\d,]+ waiting") as err:
        run_replication(Scenario.model_validate(data), 0, 1)
    assert isinstance(err.value, ValueError)
    assert f"{DRAIN_LIMIT_MIN:g} minutes after closing" in str(err.value)


def test_the_drain_limit_is_a_parameter() -> None:
    data = _small()
    data["cashiers"]["fixed_min"] = {"kind": "fixed", "value": 200.0}
    data["customers"]["channel"] = {"never_kiosk_share": 1.0, "prefer_kiosk_share": 0.0}
    data["arrivals"]["profile"][0]["customers_per_hour"] = 1
    scenario = Scenario.model_validate(data)
    with pytest.raises(DayDidNotDrainError):
        run_replication(scenario, 0, 3, drain_limit_min=10.0)
    run = run_replication(scenario, 0, 3, drain_limit_min=5_000.0)
    assert (run.customers["outcome"] == 0).all()


def test_a_tiny_sampling_interval_is_refused_not_run() -> None:
    # The schema refuses intervals under 0.1 min; the model guards itself all the same.
    valid = Scenario.model_validate(_small())
    run = unvalidated_copy(valid.run, {"sample_interval_min": 1e-6})
    scenario = unvalidated_copy(valid, {"run": run})
    with pytest.raises(TimeSeriesTooLongError, match="sample_interval_min"):
        run_replication(scenario, 0, 1)


# -- 4. a run with no customers -----------------------------------------------------------------


def test_a_run_without_customers_summarises() -> None:
    data = _small()
    data["arrivals"]["profile"][0]["customers_per_hour"] = 0
    result = _result(Scenario.model_validate(data))
    summary = result.summary()
    all_scope = summary[summary["scope"] == "all"].set_index("metric")
    assert all_scope.loc["arrivals", "mean"] == 0
    assert all_scope.loc["cashiers_utilisation_pct", "mean"] == 0
    assert all_scope.loc["cashiers_utilisation_pct", "n"] == 2
    assert not result.summary_by_hour().empty


# -- 5. recommend score within 0-10 ------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    u=st.lists(st.floats(0.0, 1.0, exclude_max=True), min_size=1, max_size=20),
    csat=st.floats(1.0, 5.0),
    detractors=st.floats(0.0, 50.0),
    promoters=st.floats(0.0, 50.0),
    points=st.floats(0.0, 10.0),
)
def test_recommend_score_stays_within_0_and_10(
    u: list[float], csat: float, detractors: float, promoters: float, points: float
) -> None:
    model = NpsModel(
        baseline_detractor_pct=detractors,
        baseline_promoter_pct=promoters,
        ltr_points_per_csat_point=points,
    )
    score = likelihood_to_recommend(np.array(u), np.full(len(u), csat), 4.6, model)
    assert np.all((score >= 0.0) & (score <= 10.0))


def test_weekday_recommend_score_is_on_its_scale() -> None:
    # Before: -4.41 to 10.49 on the shipped weekday scenario.
    weekday = load_scenario(ROOT / "scenarios" / "weekday.yaml")
    score = _result(weekday, reps=1).customers["recommend_score"]
    assert score.min() >= 0.0 and score.max() <= 10.0


def test_a_day_without_customers_still_pays_its_staff() -> None:
    data = _small()
    data["arrivals"]["profile"][0]["customers_per_hour"] = 0
    scenario = Scenario.model_validate(data)
    result = _result(scenario)
    costs = result.costs().set_index("line")
    from checkoutsim.experience.costs import scheduled_hours

    hours = scheduled_hours(scenario)
    wages = (
        hours["cashier"] * scenario.costs.cashier_wage_per_hour
        + hours["attendant"] * scenario.costs.attendant_wage_per_hour
    )
    assert wages > 0
    assert costs.loc["labour_cost", "mean"] == pytest.approx(wages)
    assert costs.loc["lost_sales", "mean"] == 0
