"""Staff breaks in the model (issue 15 item 1): ``breaks:``, ``model/breaks.py``.

A hand-made day checks a cashier's break to the minute (the lane closes only when its line is
served, the rest is full length, the same lane reopens, the time series shows it); random days
of the shipped scenarios check the invariants (nobody starts service with a resting cashier or
attendant, the coupon book of a shift is not refilled by a break); the schema's checks give
clear messages.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from cashier_customers import cashier_customers
from pydantic import ValidationError

from checkoutsim import Scenario, load_scenario, simulate
from checkoutsim.experience.costs import scheduled_hours
from checkoutsim.model.breaks import BREAK_FIELDS
from checkoutsim.model.kiosk_faults import draw_faults
from checkoutsim.model.population import draw_population
from checkoutsim.model.store import StoreModel, run_replication
from checkoutsim.model.streams import Source, Streams


def _two_lanes(breaks: list[dict[str, Any]], *, floaters: int = 0) -> Scenario:
    """A one-hour store of two staffed cashier lanes, cashier-only customers."""
    backup = (
        {
            "open_above_waiting_per_lane": 50,
            "close_below_waiting_per_lane": 1,
            "response_min": 1.0,
            "quiet_min": 5.0,
        }
        if floaters
        else None
    )
    return Scenario.model_validate(
        {
            "name": "breaks",
            "store": {"open": "08:00", "close": "09:00"},
            "arrivals": {
                "profile": [{"start": "08:00", "end": "09:00", "customers_per_hour": 10.0}]
            },
            "customers": {
                "basket_items": {"kind": "fixed", "value": 5},
                "payment_min": {"kind": "fixed", "value": 0.25},
                "channel": {"never_kiosk_share": 1.0, "prefer_kiosk_share": 0.0},
            },
            "cashiers": {
                "lanes": 3,
                "scan_min_per_item": {"kind": "fixed", "value": 0.05},
                "fixed_min": {"kind": "fixed", "value": 0.5},
                "backup": backup,
            },
            "kiosks": {
                "count": 0,
                "scan_min_per_item": {"kind": "fixed", "value": 0.1},
                "fixed_min": {"kind": "fixed", "value": 0.25},
            },
            "attendants": {"walk_min": {"kind": "fixed", "value": 0.1}},
            "staffing": [
                {
                    "start": "08:00",
                    "end": "09:00",
                    "cashiers": 2,
                    "attendants": 0,
                    "floaters": floaters,
                }
            ],
            "breaks": breaks,
            "run": {"sample_interval_min": 0.5},
        }
    )


LANE_1_BREAK = [{"role": "cashier", "lane": 1, "start": "08:01", "length_min": 5}]
# Lane 1 serves customer 0 (0-3) then customer 2 (3-4); lane 2 customer 1 (0.1-3.1) then 3.
# Customers 4 and 5 come while lane 1 is on break, customer 6 after it is back.
ARRIVALS = [0.0, 0.1, 0.2, 0.3, 1.5, 5.0, 9.5]
SERVICE = [3.0, 3.0, 1.0, 1.0, 0.5, 0.5, 0.5]


def _hand_made_day(
    breaks: list[dict[str, Any]], floaters: int = 0
) -> tuple[StoreModel, pd.DataFrame, pd.DataFrame]:
    model = StoreModel(_two_lanes(breaks, floaters=floaters), cashier_customers(ARRIVALS, SERVICE))
    cols = model.run()
    return model, pd.DataFrame(cols.customers), pd.DataFrame(cols.timeseries)


def test_a_lane_closes_for_its_break_only_after_its_line_is_served() -> None:
    model, customers, _ = _hand_made_day(LANE_1_BREAK)
    assert model.breaks is not None
    events = [(round(t, 9), what, role, who) for t, what, role, who in model.breaks.events]
    # Stops taking customers at 08:01, rests when customer 2 leaves at 4.0, back 5 min later.
    assert events == [
        (1.0, "stop", "cashier", 0),
        (4.0, "rest", "cashier", 0),
        (9.0, "back", "cashier", 0),
    ]
    lane = customers["lane"].to_numpy()
    assert lane.tolist()[:4] == [0, 1, 0, 1]
    # Nobody joins lane 1 from the stop to the return; the first customer after it may.
    assert lane[4] == 1 and lane[5] == 1 and lane[6] == 0
    assert customers["service_start_min"].iloc[2] == pytest.approx(3.0)


def test_the_time_series_shows_the_break_where_it_happens() -> None:
    _, _, ts = _hand_made_day(LANE_1_BREAK)
    t = ts["time_min"].to_numpy()
    inside = (t > 4.0) & (t < 9.0)
    outside = (t < 4.0) | (t > 9.0)
    assert (ts.loc[inside, "cashiers_on_break"] == 1).all()
    assert (ts.loc[outside, "cashiers_on_break"] == 0).all()
    assert (ts.loc[(t > 1.0) & (t < 9.0), "cashiers_open"] == 1).all()
    assert (ts.loc[t > 9.0, "cashiers_open"] == 2).all()
    widths = np.diff(np.concatenate([[0.0], t]))
    # Five minutes of rest; on duty (utilisation's denominator) loses exactly them.
    assert float(np.dot(ts["cashiers_on_break_avg"], widths)) == pytest.approx(5.0)
    end = float(t[-1])
    assert float(np.dot(ts["cashiers_on_duty_avg"], widths)) == pytest.approx(2 * end - 5.0)
    assert (ts["attendants_on_break"] == 0).all()


def test_a_free_floater_covers_the_break_and_the_lane_stays_open() -> None:
    model, customers, ts = _hand_made_day(LANE_1_BREAK, floaters=1)
    assert model.breaks is not None and model.desk is not None
    assert [(round(t, 9), what) for t, what, _, _ in model.breaks.events] == [
        (1.0, "cover"),
        (6.0, "back"),
    ]
    assert [(round(t, 9), what, lane) for t, what, lane in model.desk.events] == [
        (1.0, "cover", 0),
        (6.0, "free", 0),
    ]
    # The lane kept taking customers: customer 4 joins lane 1 (the shorter) during the break.
    assert customers["lane"].iloc[4] == 0
    t = ts["time_min"].to_numpy()
    widths = np.diff(np.concatenate([[0.0], t]))
    assert float(np.dot(ts["floaters_staffing_avg"], widths)) == pytest.approx(5.0)


def test_a_break_that_starts_with_the_lanes_shift_ends_and_the_lane_reopens() -> None:
    # Lane 2 is staffed from 08:02, and its cashier's break starts then too.
    scenario = _two_lanes([{"role": "cashier", "lane": 2, "start": "08:02", "length_min": 5}])
    scenario = scenario.with_overrides(
        {
            "staffing": [
                {"start": "08:00", "end": "08:02", "cashiers": 1, "attendants": 0},
                {"start": "08:02", "end": "09:00", "cashiers": 2, "attendants": 0},
            ]
        }
    )
    model = StoreModel(scenario, cashier_customers([0.0, 10.0, 10.1], [3.0, 3.0, 3.0]))
    cols = model.run()
    assert model.breaks is not None
    assert [(round(t, 9), what) for t, what, _, _ in model.breaks.events] == [
        (2.0, "stop"),
        (2.0, "rest"),
        (7.0, "back"),
    ]
    # Back on duty: customers 1 and 2 arriving together at 10 use both lanes.
    assert pd.DataFrame(cols.customers)["lane"].tolist() == [0, 0, 1]


def test_without_breaks_no_break_columns_and_no_break_process() -> None:
    scenario = _two_lanes([])
    model = StoreModel(scenario, cashier_customers(ARRIVALS, SERVICE))
    cols = model.run()
    assert model.breaks is None
    assert not set(BREAK_FIELDS) & set(cols.timeseries)


# -- random days: nobody served by someone resting ------------------------------------------------
WEEKDAY_BREAKS = [
    {"role": "cashier", "lane": 2, "start": "12:00", "length_min": 30},
    {"role": "cashier", "lane": 4, "start": "12:15", "length_min": 30},
    {"role": "express_cashier", "lane": 1, "start": "12:30", "length_min": 15, "paid": True},
    {"role": "attendant", "start": "12:00", "length_min": 30},
    {"role": "attendant", "start": "17:00", "length_min": 20},
]


@pytest.mark.parametrize("rep", [0, 1, 2])
def test_nobody_starts_service_with_staff_on_break(rep: int) -> None:
    scenario = load_scenario("scenarios/weekday.yaml").with_overrides({"breaks": WEEKDAY_BREAKS})
    streams = Streams(7, rep)
    model = StoreModel(
        scenario,
        draw_population(scenario, streams),
        faults=draw_faults(scenario, streams.generator(Source.FAULTS)),
    )
    cols = model.run()
    assert model.breaks is not None
    events = model.breaks.events
    customers = pd.DataFrame(cols.customers)
    assists = pd.DataFrame(cols.assists)
    cashier = customers[customers["channel"] == 0]
    stops = {who: t for t, what, role, who in events if what == "stop" and role == "cashier"}
    rests = [(t, role, who) for t, what, role, who in events if what == "rest"]
    backs = {(role, who): t for t, what, role, who in events if what == "back"}
    assert len(rests) == len(WEEKDAY_BREAKS)
    for t0, role, who in rests:
        t1 = backs[(role, who)]
        if role == "cashier":
            assert t1 - t0 == pytest.approx(30.0 if who != 10 else 15.0)
            lane = cashier[cashier["lane"] == who]
            served = lane["service_start_min"].to_numpy()
            assert not ((served > t0) & (served < t1)).any()
            # Nobody joins from the stop to the return (choice is made on arrival).
            joined = lane["arrival_min"].to_numpy()
            assert not ((joined > stops[who]) & (joined < t1)).any()
            # The line was served to the end: the rest starts at the stop (idle lane) or when
            # the last customer who joined before the stop leaves.
            before = lane[lane["arrival_min"] < stops[who]]
            assert max(stops[who], before["departure_min"].max()) == pytest.approx(t0)
        else:
            mine = assists[assists["attendant"] == who]
            assigned = mine["assigned_min"].to_numpy()
            assert not ((assigned >= t0) & (assigned < t1)).any()


# -- the coupon book of a shift is not refilled by a break ----------------------------------------
def _lean(coupons: int, extra: dict[str, Any]) -> Scenario:
    lean = load_scenario("scenarios/lean_staffing.yaml")
    return lean.with_overrides(
        {
            "service_recovery": {
                "coupons_per_shift": coupons,
                "frustration_threshold_felt_min": 4.0,
                "acknowledge_threshold_felt_min": 2.0,
            },
            **extra,
        }
    )


def test_a_break_does_not_refill_the_coupon_book() -> None:
    coupons = 2
    as_staffing = _lean(
        coupons,
        {
            "staffing": [
                {"start": "08:00", "end": "12:00", "cashiers": 1, "attendants": 1},
                {"start": "12:00", "end": "12:30", "cashiers": 0, "attendants": 1},
                {"start": "12:30", "end": "21:00", "cashiers": 1, "attendants": 1},
            ]
        },
    )
    as_break = _lean(
        coupons,
        {"breaks": [{"role": "cashier", "lane": 1, "start": "12:00", "length_min": 30}]},
    )
    old = simulate(as_staffing, 4, 11, progress=False)
    new = simulate(as_break, 4, 11, progress=False)
    for result, books in ((old, 2), (new, 1)):
        cashier = result.coupons[result.coupons["role"] == "cashier"]
        assert (cashier.groupby("rep").size() == books).all()
        given = result.customers[result.customers["coupon_role"] == "cashier"].groupby("rep").size()
        assert (given <= books * coupons).all()
    # The shift's book ran out before the break (so refilling would have shown).
    old_given = old.customers[old.customers["coupon_role"] == "cashier"].groupby("rep").size()
    assert (old_given > coupons).any()


# -- money ----------------------------------------------------------------------------------------
def test_unpaid_breaks_come_off_the_scheduled_hours() -> None:
    weekday = load_scenario("scenarios/weekday.yaml")
    with_breaks = weekday.with_overrides({"breaks": WEEKDAY_BREAKS})
    before, after = scheduled_hours(weekday), scheduled_hours(with_breaks)
    assert before["cashier"] - after["cashier"] == pytest.approx(1.0)  # two unpaid 30 min
    assert before["attendant"] - after["attendant"] == pytest.approx(50 / 60)


# -- the schema -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("breaks", "message"),
    [
        ([{"role": "cashier", "lane": 3, "start": "08:10", "length_min": 5}], "not staffed"),
        ([{"role": "cashier", "lane": 4, "start": "08:10", "length_min": 5}], "only 3 exist"),
        ([{"role": "cashier", "lane": 1, "start": "08:50", "length_min": 15}], "after closing"),
        ([{"role": "cashier", "start": "08:10", "length_min": 5}], "needs the lane"),
        ([{"role": "attendant", "lane": 1, "start": "08:10", "length_min": 5}], "takes no lane"),
        ([{"role": "attendant", "start": "08:10", "length_min": 5}], "only 0 staffed"),
        ([{"role": "cashier", "lane": 1, "start": "08:10", "length_min": 0}], "greater than 0"),
        ([{"role": "cashier", "lane": 1, "start": "08:10", "length_min": 241}], "240"),
        (
            [
                {"role": "cashier", "lane": 1, "start": "08:10", "length_min": 15},
                {"role": "cashier", "lane": 1, "start": "08:20", "length_min": 15},
            ],
            r"overlaps breaks\[0\]",
        ),
        ([{"role": "cashier", "lane": 1, "start": "08:10", "length_min": 5, "x": 1}], "extra"),
    ],
)
def test_bad_breaks_are_refused_with_a_clear_message(
    breaks: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        _two_lanes(breaks)


def test_the_same_replication_with_and_without_an_unused_break_list() -> None:
    """``breaks: []`` is today's scenario: identical columns."""
    weekday = load_scenario("scenarios/weekday.yaml")
    a = run_replication(weekday, 0, 3)
    b = run_replication(weekday.with_overrides({"breaks": []}), 0, 3)
    for name, column in a.customers.items():
        np.testing.assert_array_equal(column, b.customers[name])
    for name, column in a.timeseries.items():
        np.testing.assert_array_equal(column, b.timeseries[name])


def test_break_minutes_are_day_metrics_and_off_the_utilisation_denominator() -> None:
    weekday = load_scenario("scenarios/weekday.yaml")
    result = simulate(weekday.with_overrides({"breaks": WEEKDAY_BREAKS}), 2, 5, progress=False)
    m = result.metrics()
    for metric, minutes in (("cashier_break_min", 75.0), ("attendant_break_min", 50.0)):
        values = m[(m["metric"] == metric) & (m["scope"] == "all")]["value"]
        assert len(values) == 2
        assert values.to_numpy() == pytest.approx(minutes)
    ts = result.timeseries
    for rep, day in ts.groupby("rep"):
        t = day["time_min"].to_numpy()
        widths = np.diff(np.concatenate([[0.0], t]))
        busy = float(np.dot(day["cashiers_busy_avg"], widths))
        duty = float(np.dot(day["cashiers_on_duty_avg"], widths))
        share = m[
            (m["metric"] == "cashiers_utilisation_pct") & (m["scope"] == "all") & (m["rep"] == rep)
        ]["value"]
        assert share.item() == pytest.approx(100 * busy / duty)
    # Old scenarios keep their metrics: no break rows.
    plain = simulate(weekday, 1, 5, progress=False).metrics()
    assert not plain["metric"].isin(["cashier_break_min", "attendant_break_min"]).any()


def test_an_attendant_away_is_like_one_attendant_fewer_for_the_window() -> None:
    """Queueing sanity: two attendants with one resting 12:00-12:30 against a staffing block
    of one attendant for that half-hour. With an attendant idle at 12:00 (nearly always) the
    two are the same queue; the attendant waits must agree within a paired 95% interval."""
    from scipy import stats

    weekday = load_scenario("scenarios/weekday.yaml")
    blocks = [b.model_dump() for b in weekday.staffing]
    # 11:00-14:00 has two attendants: split it around the half-hour with one.
    lunch = blocks[2]
    fewer = [
        *blocks[:2],
        {**lunch, "end": "12:00"},
        {**lunch, "start": "12:00", "end": "12:30", "attendants": 1},
        {**lunch, "start": "12:30"},
        *blocks[3:],
    ]
    days, seed = 12, 20261122
    away = simulate(
        weekday.with_overrides(
            {"breaks": [{"role": "attendant", "start": "12:00", "length_min": 30}]}
        ),
        days,
        seed,
        progress=False,
    )
    one_fewer = simulate(weekday.with_overrides({"staffing": fewer}), days, seed, progress=False)

    def per_day(result: Any, metric: str) -> np.ndarray:
        m = result.metrics()
        rows = m[(m["metric"] == metric) & (m["scope"] == "all")].sort_values("rep")
        return rows["value"].to_numpy(dtype=float)

    for metric in ("attendant_response_mean_min", "attendants_utilisation_pct"):
        diff = per_day(away, metric) - per_day(one_fewer, metric)
        half = stats.t.ppf(0.975, days - 1) * diff.std(ddof=1) / math.sqrt(days)
        assert abs(diff.mean()) <= max(half, 1e-9), (metric, diff.mean(), half)
    # And the break really took an attendant away: waits are longer than with nobody away.
    none = simulate(weekday, days, seed, progress=False)
    assert (
        per_day(away, "attendant_response_mean_min").mean()
        > per_day(none, "attendant_response_mean_min").mean()
    )


def test_a_bad_break_in_a_file_names_its_line(tmp_path: Any) -> None:
    from checkoutsim import ScenarioError

    text = (Path("scenarios/weekday.yaml")).read_text()
    text += '\nbreaks:\n  - {role: cashier, lane: 7, start: "12:00", length_min: 30}\n'
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(
        ScenarioError, match=r"bad.yaml:\d+: breaks\[0\].lane: lane 7 is not staffed"
    ):
        load_scenario(path)
