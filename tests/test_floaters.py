"""Lanes that open on demand (floaters, ``cashiers.backup``) and jockeying (issue 13 items 4, 2).

Deterministic days are built from hand-made customers (fixed arrival and service times) so
that every opening, closing and move can be checked to the minute; random days check the
invariants (never more floaters than on staff, the lane index agrees with the scan, labour is
the time on a lane).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from cashier_customers import cashier_customers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from checkoutsim import Scenario, simulate
from checkoutsim.model.population import Population, draw_population
from checkoutsim.model.recorder import RunColumns
from checkoutsim.model.store import StoreModel
from checkoutsim.model.streams import Streams
from checkoutsim.scenario.metrics import DIRECTIONS
from checkoutsim.scenario.schema import cross_field_problems

BACKUP = {
    "open_above_waiting_per_lane": 2,
    "close_below_waiting_per_lane": 1,
    "response_min": 2.0,
    "quiet_min": 5.0,
}


def _store(
    staffing: list[dict[str, Any]],
    backup: dict[str, Any] | None = BACKUP,
    jockeying: dict[str, Any] | None = None,
    lanes: int = 3,
    rate: float = 30.0,
) -> Scenario:
    """A one-hour store of cashier lanes only, every customer cashier-only."""
    return Scenario.model_validate(
        {
            "name": "floaters",
            "store": {"open": "08:00", "close": "09:00"},
            "arrivals": {
                "profile": [{"start": "08:00", "end": "09:00", "customers_per_hour": rate}]
            },
            "customers": {
                "basket_items": {"kind": "fixed", "value": 5},
                "payment_min": {"kind": "fixed", "value": 0.25},
                "channel": {"never_kiosk_share": 1.0, "prefer_kiosk_share": 0.0},
                "jockeying": jockeying,
            },
            "cashiers": {
                "lanes": lanes,
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
            "staffing": staffing,
            "run": {"sample_interval_min": 0.5},
        }
    )


def _one_block(cashiers: int = 1, floaters: int = 1) -> list[dict[str, Any]]:
    return [
        {
            "start": "08:00",
            "end": "09:00",
            "cashiers": cashiers,
            "attendants": 0,
            "floaters": floaters,
        }
    ]


def _run(scenario: Scenario, population: Population) -> tuple[StoreModel, RunColumns]:
    model = StoreModel(scenario, population)
    return model, model.run()


def _events(model: StoreModel) -> list[tuple[float, str, int]]:
    assert model.desk is not None
    return [(round(t, 9), what, lane) for t, what, lane in model.desk.events]


# -- the rule, to the minute -------------------------------------------------------------------
def test_a_lane_opens_after_the_response_delay_and_closes_after_the_quiet_period() -> None:
    # One lane, 1-minute services. At 0.3 three wait (> 2 per open lane): a floater is called
    # and opens lane 1 at 2.3; from then one waits on two lanes (< 1 per lane), so after the
    # 5-minute quiet period lane 1 stops at 7.3 and, idle, frees its floater at once.
    model, _ = _run(_store(_one_block()), cashier_customers([0.0, 0.1, 0.2, 0.3], [1.0] * 4))
    assert _events(model) == [
        (0.3, "call", -1),
        (2.3, "open", 1),
        (7.3, "stop", 1),
        (7.3, "free", 1),
    ]


def test_no_call_at_the_threshold_itself() -> None:
    # Two waiting on one lane is not "more than 2 per lane".
    model, _ = _run(_store(_one_block()), cashier_customers([0.0, 0.1, 0.2], [1.0] * 3))
    assert _events(model) == []


def test_a_closing_lane_serves_its_line_and_its_floater_is_paid_until_then() -> None:
    # Lane 1 opens at 2.3; customer 4 (2.4) takes it for 10 minutes, customer 5 (2.5) queues
    # behind them. Quiet from 3.0 (customer 3 starts at lane 0: one waits on two lanes), so
    # lane 1 stops taking customers at 8.0, serves customer 5 from 12.4 to 13.4, and only then
    # is the floater free. Customer 6 (9.0) goes to lane 0 although lane 1 is still staffed.
    arrivals = [0.0, 0.1, 0.2, 0.3, 2.4, 2.5, 9.0]
    service = [1.0, 1.0, 1.0, 1.0, 10.0, 1.0, 1.0]
    model, columns = _run(_store(_one_block()), cashier_customers(arrivals, service))
    assert _events(model) == [
        (0.3, "call", -1),
        (2.3, "open", 1),
        (8.0, "stop", 1),
        (13.4, "free", 1),
    ]
    c = columns.customers
    assert c["lane"].tolist() == [0, 0, 0, 0, 1, 1, 0]
    assert c["service_start_min"][5] == pytest.approx(12.4)
    ts = columns.timeseries
    width = np.diff(ts["time_min"], prepend=0.0)
    paid = float(np.sum(ts["floaters_staffing_avg"] * width))
    assert paid == pytest.approx(13.4 - 2.3)
    # Instantaneous column: 1 from the opening to the end of the last service on lane 1.
    on = ts["time_min"][ts["floaters_staffing"] > 0]
    assert on.min() == pytest.approx(2.5) and on.max() == pytest.approx(13.0)


def test_the_quiet_clock_restarts_when_the_line_grows_again() -> None:
    # As in the first test (quiet from 2.3), but four customers come at 5.0-5.03: 5.0 and
    # 5.01 start at once on lanes 0 and 1, 5.02 and 5.03 wait. At 5.03 two wait on two lanes
    # (not below 1 per lane): the 7.3 closing is off. At 6.0 one starts and the line is quiet
    # again, so lane 1 stops at 11.0 (idle since 7.01: free at once).
    arrivals = [0.0, 0.1, 0.2, 0.3, 5.0, 5.01, 5.02, 5.03]
    model, _ = _run(_store(_one_block()), cashier_customers(arrivals, [1.0] * 8))
    assert _events(model) == [
        (0.3, "call", -1),
        (2.3, "open", 1),
        (11.0, "stop", 1),
        (11.0, "free", 1),
    ]


def test_response_delay_and_thresholds_are_read_from_the_rule() -> None:
    # Lane 1 opens at 0.8; nobody moves to it (no jockeying), so three, then two wait on two
    # lanes until customer 2 starts at 2.0: quiet from then, 1 minute, lane 1 stops at 3.0.
    backup = {**BACKUP, "response_min": 0.5, "quiet_min": 1.0}
    customers = cashier_customers([0.0, 0.1, 0.2, 0.3], [1.0] * 4)
    model, _ = _run(_store(_one_block(), backup), customers)
    expected = [(0.3, "call", -1), (0.8, "open", 1), (3.0, "stop", 1), (3.0, "free", 1)]
    assert _events(model) == expected


def test_no_lane_closes_that_would_be_called_again_at_once() -> None:
    # Thresholds equal, no delays. At 0.3 three wait on one lane: lane 1 opens at once and
    # nobody moves to it. Three waiting on two lanes is below 2 per lane, but with lane 1
    # closed it would be above 2 per lane again: closing it would call it back in the same
    # instant, for ever. It closes at 1.0, when two wait (not above 2 on one lane).
    backup = {**BACKUP, "close_below_waiting_per_lane": 2, "response_min": 0, "quiet_min": 0}
    customers = cashier_customers([0.0, 0.1, 0.2, 0.3], [1.0] * 4)
    model = StoreModel(_store(_one_block(), backup), customers)
    # Step the day event by event, so that a loop in one instant fails instead of hanging.
    env = model.env
    for process in (model._arrivals, model._staffing, model._sampler, model._closing):
        env.process(process())
    steps = 0
    while not model._stop.triggered and steps < 10_000:
        env.step()
        steps += 1
    assert model._stop.triggered, f"still running at {env.now} min after {steps} events"
    expected = [(0.3, "call", -1), (0.3, "open", 1), (1.0, "stop", 1), (1.0, "free", 1)]
    assert _events(model) == expected


def test_no_floater_no_lane() -> None:
    model, columns = _run(
        _store(_one_block(floaters=0)), cashier_customers([0.0, 0.1, 0.2, 0.3, 0.4], [1.0] * 5)
    )
    assert _events(model) == []
    assert set(columns.customers["lane"].tolist()) == {0}


def test_the_kiosk_line_can_call_too() -> None:
    backup = {**BACKUP, "open_above_waiting_per_lane": 50, "close_below_waiting_per_lane": 1}
    scenario = _store(_one_block(), {**backup, "open_above_kiosk_queue": 0})
    model = StoreModel(scenario, cashier_customers([0.0], [1.0]))
    assert model.desk is not None
    model.kiosk_queue.add(1)  # one waits for a kiosk: more than 0
    assert model.desk.pending == 1


def test_a_scheduled_cashier_takes_over_a_floater_lane_at_a_shift_change() -> None:
    blocks = [
        {"start": "08:00", "end": "08:05", "cashiers": 1, "attendants": 0, "floaters": 1},
        {"start": "08:05", "end": "09:00", "cashiers": 2, "attendants": 0, "floaters": 1},
    ]
    arrivals = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    model, columns = _run(_store(blocks), cashier_customers(arrivals, [3.0] * 6))
    events = _events(model)
    assert events[:2] == [(0.3, "call", -1), (2.3, "open", 1)]
    # Lane 1 is on the roster from 08:05: the floater hands it over and is free.
    assert (5.0, "free", 1) in events
    ts = columns.timeseries
    assert np.all(ts["floaters_staffing"][ts["time_min"] > 5.0] == 0)


# -- invariants on random days --------------------------------------------------------------------
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    floaters=st.integers(0, 3),
    above=st.sampled_from([0.5, 1.0, 2.0, 3.0]),
    close=st.sampled_from([0.5, 1.0]),
    response=st.sampled_from([0.0, 1.0, 3.0]),
    quiet=st.sampled_from([0.0, 2.0, 6.0]),
    gain=st.sampled_from([None, 1, 2]),
    rep=st.integers(0, 3),
)
def test_invariants_on_random_days(
    floaters: int,
    above: float,
    close: float,
    response: float,
    quiet: float,
    gain: int | None,
    rep: int,
) -> None:
    backup = {
        "open_above_waiting_per_lane": above,
        "close_below_waiting_per_lane": close * above,
        "response_min": response,
        "quiet_min": quiet,
    }
    scenario = _store(
        _one_block(cashiers=1, floaters=floaters),
        backup,
        None if gain is None else {"min_gain_customers": gain},
        lanes=4,
        rate=110.0,
    )
    population = draw_population(scenario, Streams(11, rep))
    model = StoreModel(scenario, population)
    columns = model.run()
    scan = StoreModel(scenario, draw_population(scenario, Streams(11, rep)), indexed_lanes=False)
    reference = scan.run()
    # The lane index stays consistent as lanes open and close: same day as the full scan.
    for part in ("customers", "timeseries"):
        ours, theirs = getattr(columns, part), getattr(reference, part)
        for key in ours:
            np.testing.assert_array_equal(ours[key], theirs[key], err_msg=key)
    assert model.desk is not None
    staffed = 0
    opened: dict[int, float] = {}
    paid = 0.0
    for t, what, lane in model.desk.events:
        if what == "open":
            staffed += 1
            opened[lane] = t
        elif what == "free":
            staffed -= 1
            paid += t - opened.pop(lane)
        assert 0 <= staffed <= floaters
    ts = columns.timeseries
    assert ts["floaters_staffing"].max(initial=0) <= floaters
    # Paid time is exactly the time floaters spent on a lane (opening to free).
    paid += sum(columns.end_min - t for t in opened.values())
    width = np.diff(ts["time_min"], prepend=0.0)
    assert float(np.sum(ts["floaters_staffing_avg"] * width)) == pytest.approx(paid, abs=1e-6)
    # Everyone who came left; nobody was served at a lane that was closed to them.
    assert np.all(columns.customers["outcome"] >= 0)
    assert ts["cashiers_open"].max() <= 1 + floaters


# -- jockeying ----------------------------------------------------------------------------------
def test_the_last_customer_moves_to_a_lane_that_opens() -> None:
    # One lane until 08:05, two after. Customers every 0.1 min with 2-minute services: at
    # 5.0 customer 2 is in service (4-6) and customers 3 and 4 wait. Customer 4 has 2 ahead,
    # the new lane 0: they move (gain 2) and start at once; customer 3 (1 ahead) stays.
    blocks = [
        {"start": "08:00", "end": "08:05", "cashiers": 1, "attendants": 0},
        {"start": "08:05", "end": "09:00", "cashiers": 2, "attendants": 0},
    ]
    arrivals = [0.0, 0.1, 0.2, 0.3, 0.4]
    for gain, moves in ((2, True), (3, False)):
        scenario = _store(blocks, None, {"min_gain_customers": gain})
        _, columns = _run(scenario, cashier_customers(arrivals, [2.0] * 5))
        c = columns.customers
        assert c["jockeys"].tolist() == [0, 0, 0, 0, int(moves)]
        assert c["lane"][4] == (1 if moves else 0)
        assert c["service_start_min"][4] == pytest.approx(5.0 if moves else 8.0)
        assert c["queue_wait_min"][4] == pytest.approx(4.6 if moves else 7.6)


def test_a_customer_moves_when_another_lane_gets_much_shorter() -> None:
    # Two lanes. Customer 0 takes 20 minutes at lane 0; customer 1 one minute at lane 1;
    # customer 2 (0.02) queues at lane 0 (tie, lowest lane), customer 3 at lane 1, customer 4
    # at lane 0. At 1.01 customer 3 starts at lane 1: customer 4 has 2 ahead, lane 1 has 1
    # (gain 1: they move, and start after customer 3 at 2.01); at 2.01 lane 1 is empty (gain
    # 2). With gain 3 they never move and wait for customer 2 (20-21) at lane 0. With gain 1
    # customer 2 (1 ahead) follows when lane 1 empties at 3.01.
    blocks = [{"start": "08:00", "end": "09:00", "cashiers": 2, "attendants": 0}]
    arrivals = [0.0, 0.01, 0.02, 0.03, 0.04]
    service = [20.0, 1.0, 1.0, 1.0, 1.0]
    cases = ((1, [0, 0, 1, 0, 1], 1, 2.01), (2, [0, 0, 0, 0, 1], 1, 2.01), (3, [0] * 5, 0, 21.0))
    for gain, moved, lane, start in cases:
        scenario = _store(blocks, None, {"min_gain_customers": gain})
        _, columns = _run(scenario, cashier_customers(arrivals, service))
        c = columns.customers
        assert c["jockeys"].tolist() == moved
        assert c["lane"][4] == lane
        assert c["service_start_min"][4] == pytest.approx(start)


def test_without_jockeying_there_is_no_jockeys_column() -> None:
    _, columns = _run(_store(_one_block(floaters=0), None, None), cashier_customers([0.0], [1.0]))
    assert "jockeys" not in columns.customers
    assert "floaters_staffing" not in columns.timeseries


# -- money ---------------------------------------------------------------------------------------
def test_floater_labour_is_a_cost_line_only_with_a_backup_rule() -> None:
    with_rule = _store(_one_block(floaters=2), rate=200.0)
    result = simulate(with_rule, replications=2, seed=3)
    metrics = result.metrics().set_index(["rep", "metric"])["value"]
    ts = result.timeseries
    for rep in (0, 1):
        day = ts[ts["rep"] == rep]
        width = np.diff(day["time_min"].to_numpy(), prepend=0.0)
        hours = float(np.sum(day["floaters_staffing_avg"].to_numpy() * width)) / 60.0
        assert hours > 0
        assert metrics[(rep, "floater_hours")] == pytest.approx(hours)
        cost = metrics[(rep, "labour_floater_cost")]
        assert cost == pytest.approx(hours * with_rule.costs.floater_wage_per_hour)
        assert metrics[(rep, "labour_cost")] == pytest.approx(
            metrics[(rep, "labour_cashier_cost")] + metrics[(rep, "labour_attendant_cost")] + cost
        )
    # By clock hour too: the hours' labour adds up to the day's.
    hourly = result.hourly()
    labour = hourly[hourly["metric"] == "labour_cost"].groupby("rep")["value"].sum()
    for rep in (0, 1):
        assert labour[rep] == pytest.approx(metrics[(rep, "labour_cost")])
    # The new lines have a better side (lower) for compare and the verdict.
    assert set(result.metrics()["metric"]) - set(DIRECTIONS) == set()
    without = simulate(_store(_one_block(floaters=0), None, rate=200.0), replications=1, seed=3)
    assert "labour_floater_cost" not in set(without.metrics()["metric"])


# -- scenario keys -------------------------------------------------------------------------------
def test_defaults_are_off(weekday: Scenario) -> None:
    assert weekday.cashiers.backup is None
    assert weekday.customers.jockeying is None
    assert all(block.floaters == 0 for block in weekday.staffing)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"close_below_waiting_per_lane": 3}, "must be at most open_above_waiting_per_lane"),
        ({"response_min": -1}, "greater than or equal to 0"),
        ({"quiet_min": 2000}, "less than or equal to 1440"),
        ({"open_above_waiting_per_lane": -0.5}, "greater than or equal to 0"),
        ({"close_below_kiosk_queue": 2}, "needs open_above_kiosk_queue"),
        ({"open_above_kiosk_queue": 2, "close_below_kiosk_queue": 3}, "at most open_above_kiosk"),
        ({"respons_min": 2}, "Extra inputs are not permitted"),
    ],
)
def test_bad_rules_are_refused_with_a_clear_message(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _store(_one_block(), {**BACKUP, **change})


def test_floaters_without_a_rule_are_refused() -> None:
    with pytest.raises(ValidationError, match="floaters on staff but no rule calls them"):
        _store(_one_block(floaters=2), None)
    data = _store(_one_block(floaters=0), None).to_dict()
    data["staffing"][0]["floaters"] = 2
    data["costs"]["currency"] = 7  # another error elsewhere does not hide this one
    problems = cross_field_problems(data)
    assert (("staffing", 0, "floaters"), problems[0][1]) == problems[0]
    assert "no rule calls them" in problems[0][1]


def test_jockeying_gain_must_be_at_least_one() -> None:
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        _store(_one_block(), None, {"min_gain_customers": 0})


def test_the_shipped_floater_plans_load() -> None:
    from pathlib import Path

    from checkoutsim.scenario.plans import load_plan

    plans = Path(__file__).resolve().parents[1] / "scenarios" / "plans"
    for name in ("weekday_floaters.yaml", "lean_floaters.yaml"):
        variants = load_plan(plans / name).variants
        floaters = {key: max(b.floaters for b in s.staffing) for key, s in variants.items()}
        assert floaters["one_floater"] == 1 and floaters["two_floaters"] == 2
        assert variants["one_more_cashier"].cashiers.backup is None
        assert variants["two_floaters_jockeying"].customers.jockeying is not None


def test_the_command_line_names_the_key_and_exits_2(tmp_path: Any) -> None:
    import subprocess
    import sys

    from ruamel.yaml import YAML

    data = _store(_one_block(floaters=0), None).to_dict()
    data["staffing"][0]["floaters"] = 1
    path = tmp_path / "floaters.yaml"
    with path.open("w") as f:
        YAML().dump(data, f)
    out = subprocess.run(
        [sys.executable, "-m", "checkoutsim", "validate", str(path)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert "staffing[0].floaters: 1 floater on staff but no rule calls them" in out.stderr
    assert "Traceback" not in out.stderr
