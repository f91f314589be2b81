"""Shift changes in a whole store day: zero attendants, lanes closing, kiosks switched off."""

from __future__ import annotations

import numpy as np

from checkoutsim import Scenario, simulate


def _with_staffing(base: Scenario, blocks: list[dict]) -> Scenario:
    return base.with_overrides({"staffing": blocks})


def test_no_attendant_block_shows_in_the_numbers_and_does_not_hang(weekday: Scenario) -> None:
    scenario = _with_staffing(
        weekday,
        [
            {"start": "08:00", "end": "12:00", "cashiers": 3, "attendants": 1},
            {"start": "12:00", "end": "13:00", "cashiers": 3, "attendants": 0},
            {"start": "13:00", "end": "21:00", "cashiers": 3, "attendants": 1},
        ],
    )
    result = simulate(scenario, replications=2, seed=4)
    assists = result.assists
    noon, one = 240.0, 300.0
    stuck_in_gap = assists[(assists["stuck_min"] >= noon) & (assists["stuck_min"] < one)]
    assert len(stuck_in_gap) > 0
    # Nobody is helped before an attendant comes back on duty at 13:00.
    assert np.all(stuck_in_gap["attendant_arrived_min"] >= one)
    waits = stuck_in_gap["wait_for_attendant_min"].to_numpy()
    assert waits.mean() > 10 * assists["wait_for_attendant_min"].median()
    assert set(result.customers["outcome"].unique()) <= {"served", "balked", "reneged"}


def test_closing_lanes_take_no_new_customers(weekday: Scenario) -> None:
    scenario = _with_staffing(
        weekday,
        [
            {
                "start": "08:00",
                "end": "14:00",
                "cashiers": 4,
                "express_cashiers": 1,
                "attendants": 1,
            },
            {
                "start": "14:00",
                "end": "21:00",
                "cashiers": 1,
                "express_cashiers": 0,
                "attendants": 1,
            },
        ],
    )
    c = simulate(scenario, replications=1, seed=2).customers
    after = c[
        (c["arrival_min"] >= 360.0) & (c["channel"] == "cashier") & (c["outcome"] == "served")
    ]
    assert len(after) > 0
    assert set(after["lane"].unique()) == {0}
    # Lanes closed at 14:00 still served customers who were in their lines at 14:00.
    closing = c[(c["arrival_min"] < 360.0) & (c["lane"] > 0) & (c["channel"] == "cashier")]
    assert (closing["service_start_min"] >= 360.0).sum() > 0


def test_kiosks_switched_off_take_no_new_customers(weekday: Scenario) -> None:
    scenario = _with_staffing(
        weekday,
        [
            {"start": "08:00", "end": "12:00", "cashiers": 3, "attendants": 1, "kiosks": 0},
            {"start": "12:00", "end": "21:00", "cashiers": 3, "attendants": 1},
        ],
    )
    c = simulate(scenario, replications=1, seed=2).customers
    morning = c[c["arrival_min"] < 240.0]
    assert (morning["channel"] == "kiosk").sum() == 0
    assert (c[c["arrival_min"] >= 240.0]["channel"] == "kiosk").sum() > 0


def test_express_lanes_respect_the_item_limit(weekday: Scenario) -> None:
    c = simulate(weekday, replications=1, seed=3).customers
    express = c[(c["channel"] == "cashier") & (c["lane"] >= weekday.cashiers.lanes)]
    assert len(express) > 0
    assert express["basket_items"].max() <= weekday.cashiers.express.item_limit


def test_kiosk_item_limit_is_respected(weekday: Scenario) -> None:
    c = simulate(weekday, replications=1, seed=3).customers
    kiosk = c[c["channel"] == "kiosk"]
    assert kiosk["basket_items"].max() <= weekday.customers.kiosk_item_limit
