"""Customers who switch channel when their line is long (issue 13 item 2).

A never-kiosk customer takes the kiosks when the cashier wait they see exceeds
``customers.switching.never_kiosk_tolerance_min`` and the kiosks look quicker; a prefer-kiosk
customer takes a lane when the kiosk wait exceeds ``kiosk_tolerance_min`` and a lane looks
quicker. Each switch is counted in the ``switches`` column and costs ``switched_felt_min`` of
frustration in the experience layer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from checkoutsim import Scenario, simulate
from checkoutsim.experience.satisfaction import frustration_felt_min
from checkoutsim.model.population import PreferenceCode, draw_population
from checkoutsim.model.store import KIOSK, StoreModel, run_replication
from checkoutsim.model.streams import Streams
from checkoutsim.scenario.schema import PerceivedWait


def _small(switching: dict[str, Any] | None, never: float, prefer: float) -> Scenario:
    return Scenario.model_validate(
        {
            "name": "small",
            "store": {"open": "08:00", "close": "09:00"},
            "arrivals": {"profile": [{"start": "08:00", "end": "09:00", "customers_per_hour": 30}]},
            "customers": {
                "basket_items": {"kind": "fixed", "value": 5},
                "payment_min": {"kind": "fixed", "value": 0.25},
                "channel": {"never_kiosk_share": never, "prefer_kiosk_share": prefer},
                "switching": switching,
            },
            "cashiers": {
                "lanes": 1,
                "scan_min_per_item": {"kind": "fixed", "value": 0.05},
                "fixed_min": {"kind": "fixed", "value": 0.5},
            },
            "kiosks": {
                "count": 1,
                "scan_min_per_item": {"kind": "fixed", "value": 0.1},
                "fixed_min": {"kind": "fixed", "value": 0.25},
            },
            "attendants": {"walk_min": {"kind": "fixed", "value": 0.1}},
            "staffing": [{"start": "08:00", "end": "09:00", "cashiers": 1, "attendants": 1}],
        }
    )


def _fill(pool: Any, customers: int) -> None:
    """Put ``customers`` at a one-server pool: one in service, the rest waiting."""
    for k in range(customers):
        if k == 0:
            assert pool.acquire() is not None
        else:
            pool.request()


@pytest.mark.parametrize(("ahead", "switches"), [(2, False), (3, True)])
def test_a_never_kiosk_customer_switches_past_tolerance(ahead: int, switches: bool) -> None:
    # Cashier service 0.5 + 5 x 0.05 + 0.25 = 1 minute: 2 ahead = 2 minutes, 3 = 3 minutes.
    scenario = _small({"never_kiosk_tolerance_min": 2.5}, never=1.0, prefer=0.0)
    population = draw_population(scenario, Streams(1, 0))
    assert population.preference[0] == PreferenceCode.NEVER_KIOSK
    model = StoreModel(scenario, population)
    _fill(model.lanes[0], ahead)
    assert model._choose(0) == (KIOSK if switches else 0)
    assert model.recorder.switches[0] == int(switches)


def test_nobody_switches_to_a_line_that_looks_slower() -> None:
    scenario = _small({"never_kiosk_tolerance_min": 0.5}, never=1.0, prefer=0.0)
    model = StoreModel(scenario, draw_population(scenario, Streams(1, 0)))
    _fill(model.lanes[0], 2)  # 2 minutes at the lane
    _fill(model.kiosks, 4)  # (3 waiting + 1) x 0.75 = 3 minutes at the kiosk
    assert model._choose(0) == 0
    assert model.recorder.switches[0] == 0


@pytest.mark.parametrize(("waiting", "switches"), [(1, False), (3, True)])
def test_a_kiosk_customer_switches_past_tolerance(waiting: int, switches: bool) -> None:
    # Kiosk service 0.25 + 5 x 0.1 + 0.25 = 1 minute; all busy: (waiting + 1) minutes.
    scenario = _small({"kiosk_tolerance_min": 2.5}, never=0.0, prefer=1.0)
    model = StoreModel(scenario, draw_population(scenario, Streams(1, 0)))
    _fill(model.kiosks, waiting + 1)
    _fill(model.lanes[0], 1)  # 1 minute at the lane
    assert model._choose(0) == (0 if switches else KIOSK)
    assert model.recorder.switches[0] == int(switches)


def test_a_day_records_switches_only_away_from_the_preference(lean: Scenario) -> None:
    scenario = lean.with_overrides(
        {"customers": {"switching": {"never_kiosk_tolerance_min": 3, "kiosk_tolerance_min": 3}}}
    )
    population = draw_population(scenario, Streams(7, 0))
    columns = StoreModel(scenario, population).run().customers
    switched = columns["switches"] > 0
    assert switched.sum() > 0
    preference = population.preference[switched]
    channel = columns["channel"][switched]
    # Pushed away from the preference: never-kiosk to a kiosk, prefer-kiosk to a lane.
    assert np.all(np.where(preference == PreferenceCode.NEVER_KIOSK, channel == 1, channel == 0))
    assert not np.any(population.preference[switched] == PreferenceCode.FLEXIBLE)


def test_no_switching_block_and_endless_tolerance_give_the_same_day(weekday: Scenario) -> None:
    """The default (null) is today's behaviour; a tolerance nobody reaches changes nothing."""
    patient = weekday.with_overrides(
        {"customers": {"switching": {"never_kiosk_tolerance_min": 1440}}}
    )
    a, b = run_replication(weekday, 0, 3), run_replication(patient, 0, 3)
    for key in a.customers:
        np.testing.assert_array_equal(a.customers[key], b.customers[key], err_msg=key)
    assert not a.customers["switches"].any()


@pytest.mark.parametrize(
    "value", [0, -1.0, 1441.0, "soon"], ids=["zero", "negative", "over_a_day", "text"]
)
@pytest.mark.parametrize("key", ["never_kiosk_tolerance_min", "kiosk_tolerance_min"])
def test_bad_tolerances_are_refused(key: str, value: object) -> None:
    with pytest.raises(ValidationError, match=key):
        _small({key: value}, never=0.5, prefer=0.5)


def test_unknown_switching_keys_are_refused() -> None:
    with pytest.raises(ValidationError, match="tolerance_minutes"):
        _small({"tolerance_minutes": 3}, never=0.5, prefer=0.5)


def test_a_switch_costs_its_felt_minutes() -> None:
    weights = PerceivedWait(switched_felt_min=2.0)
    felt = frustration_felt_min(np.array([1.0, 1.0]), np.array([0, 0]), weights, np.array([0, 1]))
    np.testing.assert_allclose(felt, [1.0, 3.0])


def test_switching_shows_in_metrics_and_root_causes(lean: Scenario) -> None:
    scenario = lean.with_overrides(
        {"customers": {"switching": {"never_kiosk_tolerance_min": 3, "kiosk_tolerance_min": 3}}}
    )
    result = simulate(scenario, replications=2, seed=5)
    summary = result.summary()
    share = summary[(summary.scope == "all") & (summary.metric == "switched_pct")]["mean"].item()
    per_day = (result.customers["switches"] > 0).groupby(result.customers["rep"]).mean()
    expected = 100.0 * per_day.mean()
    assert share == pytest.approx(expected) and share > 0
    causes = result.root_causes().set_index("cause")
    pushed = causes.loc["switched"]
    assert pushed["label"] == "Pushed to the other channel"
    assert pushed["csat_points_lost_per_day"] > 0 and pushed["delay_min_per_day"] == 0
    # Every customer pushed and served is touched by the cause.
    served = result.customers["outcome"] == "served"
    touched = ((result.customers["switches"] > 0) & served).sum() / 2
    assert pushed["customers_per_day"] == pytest.approx(touched)
