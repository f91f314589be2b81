"""Property-based tests: invariants of the model on random valid scenarios (hypothesis).

The strategy below draws whole scenarios: opening hours, piecewise arrival rates, lanes,
express lanes, kiosks, confusion causes, every distribution kind, patience, balking, channel
shares, item limits, lane-choice policies and staffing blocks that change during the day.
Days are short so that the default profile stays fast; ``--hypothesis-profile=thorough``
(registered in ``conftest.py``) runs many more examples.

The invariants on the shipped scenarios live in ``test_model_invariants.py``; these extend them
to any valid scenario, with stronger checks (every server's busy periods from the records,
Little's law as an exact identity, a run that must finish).
"""

from __future__ import annotations

import itertools
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from checkoutsim import Scenario, ScenarioError, load_scenario, run_replication
from checkoutsim.model.population import draw_population
from checkoutsim.model.recorder import OutcomeCode, RunColumns
from checkoutsim.model.streams import Streams
from checkoutsim.scenario.loader import (
    dump_scenario_yaml,
    parse_yaml_mapping,
    scenario_from_mapping,
)
from checkoutsim.validation.cases import SCENARIO_DIR
from checkoutsim.validation.measures import day_tables, little_sides

pytestmark = pytest.mark.property

RUN_LIMIT_S = 60
"""A short day runs in well under a second; a run still going after a minute is stuck (the
limit only tells a hang from a finished run: no speed is asserted)."""

KINDS = ("fixed", "exponential", "lognormal", "gamma", "triangular", "uniform", "empirical")


# -- strategies ------------------------------------------------------------------------------


def _clock(minutes_after_midnight: int) -> str:
    return f"{minutes_after_midnight // 60:02d}:{minutes_after_midnight % 60:02d}"


@st.composite
def distributions(draw: st.DrawFn, max_mean: float, min_mean: float = 0.0) -> dict[str, Any]:
    """Any distribution kind, as scenario data, with a mean of at most ``max_mean``."""
    kind = draw(st.sampled_from(KINDS))
    mean = draw(st.floats(max(min_mean, 0.01), max_mean))
    if kind == "fixed":
        return {
            "kind": "fixed",
            "value": draw(st.sampled_from([0.0, mean])) if min_mean == 0 else mean,
        }
    if kind == "exponential":
        return {"kind": "exponential", "mean": mean}
    if kind in ("lognormal", "gamma"):
        return {"kind": kind, "mean": mean, "sd": mean * draw(st.floats(0.1, 1.5))}
    if kind == "triangular":
        high = mean * draw(st.floats(1.1, 3.0))
        return {"kind": "triangular", "low": mean * 0.5, "mode": mean, "high": high}
    if kind == "uniform":
        return {"kind": "uniform", "low": mean * draw(st.floats(0.0, 0.9)), "high": mean * 1.5}
    values = draw(st.lists(st.floats(0.0, 2.0 * max_mean), min_size=1, max_size=4))
    if draw(st.booleans()) and any(v > 0 for v in values):
        weights = draw(st.lists(st.floats(0.1, 1.0), min_size=len(values), max_size=len(values)))
        return {"kind": "empirical", "values": values, "weights": weights}
    return {"kind": "empirical", "values": values}


@st.composite
def blocks(draw: st.DrawFn, open_min: int, day_min: int) -> list[tuple[str, str]]:
    """One to three consecutive blocks covering opening to closing (half-hour boundaries)."""
    cuts = draw(st.lists(st.sampled_from(range(30, day_min, 30)), unique=True, max_size=2))
    edges = [0, *sorted(cuts), day_min]
    return [(_clock(open_min + a), _clock(open_min + b)) for a, b in itertools.pairwise(edges)]


@st.composite
def staffing_plans(
    draw: st.DrawFn,
    open_min: int,
    day_min: int,
    lanes: int,
    express: int,
    kiosks: int,
    needs_attendant: bool,
) -> list[dict[str, Any]]:
    """Staffing blocks within the physical lanes and kiosks: each block keeps a line open, and
    the last has an attendant if kiosks with confusion causes are ever on (the validator's
    rules)."""
    plan = []
    for start, end in draw(blocks(open_min, day_min)):
        block: dict[str, Any] = {
            "start": start,
            "end": end,
            "cashiers": draw(st.integers(0, lanes)),
            "express_cashiers": draw(st.integers(0, express)),
            "attendants": draw(st.integers(0, 2)),
            "kiosks": draw(st.none() | st.integers(0, kiosks)),
        }
        plan.append(block)
    for block in plan:
        open_kiosks = kiosks if block["kiosks"] is None else block["kiosks"]
        if block["cashiers"] + block["express_cashiers"] == 0 and open_kiosks == 0:
            # The validator rejects a block with arrivals and nowhere to check out.
            if lanes:
                block["cashiers"] = 1
            elif express:
                block["express_cashiers"] = 1
            else:
                block["kiosks"] = None
    kiosks_ever = any((kiosks if b["kiosks"] is None else b["kiosks"]) > 0 for b in plan)
    if needs_attendant and kiosks_ever and plan[-1]["attendants"] == 0:
        plan[-1]["attendants"] = 1
    return plan


@st.composite
def scenario_data(draw: st.DrawFn) -> dict[str, Any]:
    """A valid scenario as plain data (as a YAML file would hold it)."""
    open_min = draw(st.integers(6, 12)) * 60
    day_min = draw(st.sampled_from([60, 90, 120, 180]))
    profile = [
        {"start": a, "end": b, "customers_per_hour": draw(st.floats(0.0, 240.0))}
        for a, b in draw(blocks(open_min, day_min))
    ]
    lanes = draw(st.integers(0, 4))
    express = draw(
        st.none()
        | st.fixed_dictionaries({"lanes": st.integers(0, 2), "item_limit": st.integers(1, 15)})
    )
    kiosk_count = draw(st.integers(0 if lanes or (express and express["lanes"]) else 1, 6))
    names = draw(
        st.lists(st.sampled_from(["bagging", "age", "lookup", "card"]), unique=True, max_size=3)
    )
    confusion = []
    for name in names:
        per = draw(st.sampled_from(["item", "transaction"]))
        cause = {
            "name": name,
            "per": per,
            "probability": draw(st.floats(0.0, 0.05 if per == "item" else 0.3)),
            "resolve_min": draw(distributions(2.0)),
        }
        if draw(st.booleans()):
            cause["at"] = draw(st.sampled_from(["scan", "payment"]))
        confusion.append(cause)
    never = draw(st.floats(0.0, 1.0))
    channel = {"never_kiosk_share": never, "prefer_kiosk_share": draw(st.floats(0.0, 1.0 - never))}
    balking = st.fixed_dictionaries(
        {
            "midpoint_queue_length": st.floats(0.5, 10.0),
            "steepness_per_customer": st.floats(0.1, 3.0),
        }
    )
    return {
        "name": "random",
        "store": {"open": _clock(open_min), "close": _clock(open_min + day_min)},
        "arrivals": {"profile": profile},
        "customers": {
            "basket_items": draw(distributions(25.0, min_mean=1.0)),
            "payment_min": draw(distributions(1.0)),
            "patience_min": draw(st.none() | distributions(15.0, min_mean=0.1)),
            "balking": draw(st.none() | balking),
            "channel": channel,
            "kiosk_item_limit": draw(st.none() | st.integers(1, 30)),
        },
        "cashiers": {
            "lanes": lanes,
            "scan_min_per_item": draw(distributions(0.2)),
            "fixed_min": draw(distributions(1.0)),
            "express": express,
        },
        "kiosks": {
            "count": kiosk_count,
            "scan_min_per_item": draw(distributions(0.3)),
            "fixed_min": draw(distributions(1.0)),
            "confusion": confusion,
        },
        "attendants": {"walk_min": draw(distributions(0.5))},
        "staffing": draw(
            staffing_plans(
                open_min,
                day_min,
                lanes,
                express["lanes"] if express else 0,
                kiosk_count,
                any(c["probability"] > 0 for c in confusion),
            )
        ),
        "run": {
            "replications": 1,
            "seed": draw(st.integers(0, 2**32 - 1)),
            "lane_choice": draw(st.sampled_from(["expected_wait", "shortest_queue", "random"])),
            "sample_interval_min": draw(st.sampled_from([1.0, 5.0, 7.5])),
        },
    }


scenarios = scenario_data().map(Scenario.model_validate)
reps = st.integers(0, 1000)


# -- helpers ---------------------------------------------------------------------------------


class StuckRunError(Exception):
    """The simulation did not finish within ``RUN_LIMIT_S``."""


@contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    def stuck(signum: int, frame: Any) -> None:
        raise StuckRunError(f"the run did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


DRAIN_LIMIT_MIN = 50_000.0
"""The generated days may be grossly overloaded (720 customers of 12 minutes at one kiosk):
they must still drain, given days rather than the default six hours after closing."""


def _run(scenario: Scenario, rep: int) -> RunColumns:
    with _time_limit(RUN_LIMIT_S):
        return run_replication(scenario, rep, scenario.run.seed, drain_limit_min=DRAIN_LIMIT_MIN)


def _no_overlap(servers: np.ndarray, start: np.ndarray, end: np.ndarray) -> None:
    """Each server's busy intervals, in order of start, never overlap."""
    order = np.lexsort((start, servers))
    s, b, e = servers[order], start[order], end[order]
    same = s[1:] == s[:-1]
    assert np.all(b[1:][same] >= e[:-1][same] - 1e-9), "a server holds two customers at once"


def _assert_same_columns(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


# -- properties ------------------------------------------------------------------------------


@given(scenario=scenarios, rep=reps)
def test_every_day_is_complete_ordered_within_capacity_and_repeatable(
    scenario: Scenario, rep: int
) -> None:
    run = _run(scenario, rep)
    c, a, ts = run.customers, run.assists, run.timeseries
    outcome = c["outcome"]
    served = outcome == OutcomeCode.SERVED
    balked = outcome == OutcomeCode.BALKED
    reneged = outcome == OutcomeCode.RENEGED

    # The run finished, and every arrival ended served, balked or reneged: none lost.
    assert np.all(served | balked | reneged)
    assert run.end_min >= scenario.store.day_length_min
    assert np.all(c["departure_min"] <= run.end_min + 1e-9)

    # Per-customer time order, and waits that are never negative.
    arrival, start, leave, wait = (
        c["arrival_min"],
        c["service_start_min"],
        c["departure_min"],
        c["queue_wait_min"],
    )
    assert np.all(np.diff(arrival) >= 0)
    assert np.all((arrival >= 0) & (arrival <= scenario.store.day_length_min))
    assert np.all(wait >= 0)
    # The clock reaches an arrival time as now + (t - now), which can differ from t by one
    # ulp: times are compared to within round-off.
    assert np.all(arrival[served] <= start[served] + 1e-9)
    assert np.all(start[served] <= leave[served])
    np.testing.assert_allclose(wait[served], start[served] - arrival[served], atol=1e-9)
    np.testing.assert_allclose(leave[reneged], arrival[reneged] + wait[reneged], atol=1e-9)
    assert np.all(np.isnan(start[~served]))
    np.testing.assert_allclose(leave[balked], arrival[balked], atol=1e-9)
    assert np.all(wait[balked] == 0)
    assert np.all(c["assist_wait_min"] >= 0) and np.all(
        c["assist_total_min"] >= c["assist_wait_min"] - 1e-9
    )
    assert np.all(c["assists"][c["channel"] != 1] == 0), "only kiosk customers get assists"
    assert np.all(a["stuck_min"] <= a["assigned_min"])
    assert np.all(a["assigned_min"] <= a["attendant_arrived_min"])
    assert np.all(a["attendant_arrived_min"] <= a["resolved_min"])
    np.testing.assert_array_equal(
        np.bincount(a["customer_id"], minlength=arrival.size), c["assists"]
    )

    # No resource above its capacity: every server's busy periods, from the records.
    express = scenario.cashiers.express.lanes if scenario.cashiers.express else 0
    at_lane = served & (c["channel"] == 0)
    at_kiosk = served & (c["channel"] == 1)
    assert np.all(c["lane"][at_lane] < scenario.cashiers.lanes + express)
    assert np.all(c["lane"][at_kiosk] < scenario.kiosks.count)
    _no_overlap(c["lane"][at_lane], start[at_lane], leave[at_lane])
    _no_overlap(c["lane"][at_kiosk], start[at_kiosk], leave[at_kiosk])
    assert np.all(a["attendant"] < max(b.attendants for b in scenario.staffing))
    _no_overlap(a["attendant"], a["assigned_min"], a["resolved_min"])
    # ... and from the time series: busy never above on duty (interval averages).
    for kind in ("cashiers", "kiosks", "attendants"):
        assert np.all(ts[f"{kind}_busy_avg"] <= ts[f"{kind}_on_duty_avg"] + 1e-9), kind
    assert np.all(ts["kiosks_busy"] <= scenario.kiosks.count)
    assert np.all(ts["cashiers_busy"] <= scenario.cashiers.lanes + express)

    # Little's law on the output, sample-path form: area under each queue = sum of its waits.
    day = day_tables(scenario, rep, scenario.run.seed, run)
    for line in ("cashier", "kiosk", "help"):
        area, total_wait = little_sides(day, line)
        assert area == pytest.approx(total_wait, rel=1e-9, abs=1e-9), line

    # Same scenario, rep and seed: identical results.
    again = _run(scenario, rep)
    _assert_same_columns(run.customers, again.customers)
    _assert_same_columns(run.assists, again.assists)
    _assert_same_columns(run.timeseries, again.timeseries)
    assert run.end_min == again.end_min


@given(scenario=scenarios, rep=reps, data=st.data())
def test_staffing_does_not_change_the_customers(
    scenario: Scenario, rep: int, data: st.DataObject
) -> None:
    """Common random numbers: another staffing plan for the same store sees the same customers."""
    plan = data.draw(
        staffing_plans(
            scenario.store.open_min,
            scenario.store.day_length_min,
            scenario.cashiers.lanes,
            scenario.cashiers.express.lanes if scenario.cashiers.express else 0,
            scenario.kiosks.count,
            any(c.probability > 0 for c in scenario.kiosks.confusion),
        ),
        label="other staffing",
    )
    restaffed = scenario.with_overrides({"staffing": plan})
    a, b = _run(scenario, rep), _run(restaffed, rep)
    np.testing.assert_array_equal(a.customers["arrival_min"], b.customers["arrival_min"])
    np.testing.assert_array_equal(a.customers["basket_items"], b.customers["basket_items"])
    # Stronger: every draw about every customer is the same.
    seed = scenario.run.seed
    pa = draw_population(scenario, Streams(seed, rep))
    pb = draw_population(restaffed, Streams(seed, rep))
    for name, value in vars(pa).items():
        np.testing.assert_array_equal(value, vars(pb)[name], err_msg=name)


@given(scenario=scenarios)
def test_a_dumped_scenario_loads_back_identical(scenario: Scenario) -> None:
    text = dump_scenario_yaml(scenario)
    loaded = scenario_from_mapping(parse_yaml_mapping(text, "<dumped>"), "<dumped>")
    assert loaded == scenario
    assert dump_scenario_yaml(loaded) == text


def test_kiosks_on_earlier_in_the_day_need_an_attendant_at_the_end() -> None:
    """Regression: kiosks on in the morning, switched off for the afternoon, no attendant after
    the morning. The validator accepted it (it asked for an attendant only if the *last*
    block had kiosks on), and a customer who got stuck at a kiosk after the attendant had gone
    waited for ever: the day never ended. Such a plan is now refused."""
    data = load_scenario(SCENARIO_DIR / "little.yaml").to_dict()
    data["staffing"] = [
        {"start": "09:00", "end": "12:00", "cashiers": 2, "attendants": 0, "kiosks": None},
        {"start": "12:00", "end": "15:00", "cashiers": 2, "attendants": 0, "kiosks": 0},
    ]
    with pytest.raises(ScenarioError, match=r"staffing\[1\]\.attendants.*at any time of the day"):
        scenario_from_mapping(data)
    data["staffing"][1]["attendants"] = 1
    run = _run(scenario_from_mapping(data), 0)
    assert np.all(run.customers["outcome"] != OutcomeCode.UNFINISHED)
