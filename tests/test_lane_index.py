"""Lane choice: the index (model/lane_index.py) chooses exactly what the scan chose, and
nobody queues behind a busy cashier while a line they may use has a free server.

Lane choice through the index is O(log lanes) per customer; the scan of every open lane is
kept as the reference. Whole days are run both ways on random stores (many lanes, express
lanes, staffing changes, fixed service times that make ties common, every policy) and every
recorded column must be identical.
"""

from __future__ import annotations

import heapq
import itertools
from typing import Any

import numpy as np
import pytest
import simpy
from hypothesis import given
from hypothesis import strategies as st

from checkoutsim import Scenario
from checkoutsim.model.lane_index import LANE_BITS, IndexedLane, LaneClass
from checkoutsim.model.population import PreferenceCode, draw_population
from checkoutsim.model.recorder import RunColumns
from checkoutsim.model.resources import TimeWeighted
from checkoutsim.model.store import KIOSK, StoreModel
from checkoutsim.model.streams import Streams

pytestmark = pytest.mark.property


def _duration(draw: st.DrawFn, mean: float) -> dict[str, Any]:
    # Fixed times make equal lane counts (ties) and simultaneous events common.
    if draw(st.booleans()):
        return {"kind": "fixed", "value": draw(st.sampled_from([0.0, mean]))}
    return {"kind": "exponential", "mean": mean}


@st.composite
def busy_stores(draw: st.DrawFn) -> Scenario:
    lanes = draw(st.integers(0, 40))
    express = draw(st.integers(0, 4))
    if lanes + express == 0:
        lanes = 1
    kiosks = draw(st.integers(0, 6))
    cuts = sorted(draw(st.lists(st.sampled_from([30, 60, 90]), unique=True, max_size=2)))
    edges = [0, *cuts, 120]
    staffing = []
    for a, b in itertools.pairwise(edges):
        regular = draw(st.integers(0, lanes))
        fast = draw(st.integers(0, express))
        if regular + fast == 0:
            regular, fast = (1, 0) if lanes else (0, 1)
        staffing.append(
            {
                "start": f"{8 + a // 60:02d}:{a % 60:02d}",
                "end": f"{8 + b // 60:02d}:{b % 60:02d}",
                "cashiers": regular,
                "express_cashiers": fast,
                "attendants": 1,
            }
        )
    rate = draw(st.floats(10.0, 60.0)) * (lanes + express + kiosks)
    never = draw(st.floats(0.0, 1.0))
    data = {
        "name": "many_lanes",
        "store": {"open": "08:00", "close": "10:00"},
        "arrivals": {"profile": [{"start": "08:00", "end": "10:00", "customers_per_hour": rate}]},
        "customers": {
            "basket_items": {"kind": "fixed", "value": draw(st.integers(1, 20))}
            if draw(st.booleans())
            else {"kind": "lognormal", "mean": 10, "sd": 10},
            "payment_min": _duration(draw, 0.3),
            "patience_min": draw(st.none() | st.just({"kind": "exponential", "mean": 5.0})),
            "channel": {
                "never_kiosk_share": never,
                "prefer_kiosk_share": draw(st.floats(0.0, 1.0 - never)),
            },
        },
        "cashiers": {
            "lanes": lanes,
            "scan_min_per_item": _duration(draw, 0.05),
            "fixed_min": _duration(draw, 0.4),
            "express": {"lanes": express, "item_limit": draw(st.integers(1, 15))}
            if express
            else None,
        },
        "kiosks": {
            "count": kiosks,
            "scan_min_per_item": _duration(draw, 0.1),
            "fixed_min": _duration(draw, 0.3),
        },
        "attendants": {"walk_min": {"kind": "fixed", "value": 0.1}},
        "staffing": staffing,
        "run": {
            "lane_choice": draw(st.sampled_from(["expected_wait", "shortest_queue", "random"])),
            "seed": draw(st.integers(0, 2**32 - 1)),
        },
    }
    return Scenario.model_validate(data)


def _day(scenario: Scenario, indexed: bool) -> RunColumns:
    population = draw_population(scenario, Streams(scenario.run.seed, 0))
    return StoreModel(scenario, population, indexed_lanes=indexed, drain_limit_min=5_000).run()


@given(scenario=busy_stores())
def test_the_index_chooses_what_the_scan_chose(scenario: Scenario) -> None:
    indexed, scanned = _day(scenario, True), _day(scenario, False)
    for part in ("customers", "assists", "timeseries"):
        a, b = getattr(indexed, part), getattr(scanned, part)
        assert a.keys() == b.keys()
        for key in a:
            np.testing.assert_array_equal(a[key], b[key], err_msg=f"{part}.{key}")


def _lanes(n: int, lane_class: LaneClass) -> list[IndexedLane]:
    env = simpy.Environment()
    level = TimeWeighted(env)
    lanes = [
        IndexedLane(env, k, lane_class, queue_level=level, busy_level=level, duty_level=level)
        for k in range(n)
    ]
    for lane in lanes:
        lane.set_target(1)
    lane_class.reset(enumerate(lanes))
    return lanes


@given(moves=st.lists(st.tuples(st.integers(0, 7), st.booleans()), max_size=300))
def test_best_is_the_first_lane_with_the_fewest(moves: list[tuple[int, bool]]) -> None:
    """After any sequence of joins and departures, the head is the minimum by scan."""
    lane_class = LaneClass()
    lanes = _lanes(8, lane_class)
    held: list[list[Any]] = [[] for _ in lanes]  # each lane's granted server or requests
    for k, join in moves:
        lane = lanes[k]
        if join:
            server = lane.acquire()
            held[k].append(server if server is not None else lane.request())
        elif held[k]:
            first = held[k].pop(0)
            if isinstance(first, int):
                lane.release(first)
            else:
                lane.cancel(first)
        expected = min((lane.queue_length + lane.busy, j) for j, lane in enumerate(lanes))
        best = lane_class.best()
        assert (best >> LANE_BITS, best & ((1 << LANE_BITS) - 1)) == expected
        # Stale entries never pile up beyond the rebuild limit.
        assert len(lane_class._heap) <= 2 * len(lanes) + 16


def test_closed_lanes_leave_the_index() -> None:
    lane_class = LaneClass()
    lanes = _lanes(3, lane_class)
    lane_class.reset([(2, lanes[2])])
    assert lane_class.best() & ((1 << LANE_BITS) - 1) == 2
    assert lane_class.open_ids == [2]
    lane_class.reset([])
    assert lane_class.best() == -1
    assert heapq.nsmallest(1, lane_class._heap) == []


def test_zero_service_times_tie_every_lane_as_the_scan_does() -> None:
    """With a zero mean service time every lane's expected wait is the same: the first lane
    wins even when it is busy (the scan's tie rule), which the index must defer to."""
    data = {
        "name": "zero",
        "store": {"open": "08:00", "close": "09:00"},
        "arrivals": {"profile": [{"start": "08:00", "end": "09:00", "customers_per_hour": 30}]},
        "customers": {
            "basket_items": {"kind": "fixed", "value": 3},
            "payment_min": {"kind": "fixed", "value": 0},
            "channel": {"never_kiosk_share": 1.0, "prefer_kiosk_share": 0.0},
        },
        "cashiers": {
            "lanes": 3,
            "scan_min_per_item": {"kind": "fixed", "value": 0},
            "fixed_min": {"kind": "fixed", "value": 0},
        },
        "kiosks": {
            "count": 0,
            "scan_min_per_item": {"kind": "fixed", "value": 0.1},
            "fixed_min": {"kind": "fixed", "value": 0.1},
        },
        "attendants": {"walk_min": {"kind": "fixed", "value": 0.1}},
        "staffing": [{"start": "08:00", "end": "09:00", "cashiers": 3, "attendants": 0}],
    }
    scenario = Scenario.model_validate(data)
    population = draw_population(scenario, Streams(1, 0))
    model = StoreModel(scenario, population)
    assert model.lanes[0].acquire() is not None  # lane 0 busy, lanes 1 and 2 idle
    scan = model._choose_by_scan(0, 3, int(population.preference[0]), False)
    assert scan == 0
    assert model._choose(0) == scan


def _free(pool: Any) -> bool:
    return pool.idle > 0 and pool.queue_length == 0


@given(scenario=busy_stores(), policy=st.sampled_from(["shortest_queue", "expected_wait"]))
def test_nobody_joins_a_busy_lane_while_one_they_may_use_is_free(
    scenario: Scenario, policy: str
) -> None:
    """At every choice: if the chosen line has no free server, no line the customer may use
    (open lanes within their basket's limit; the kiosks for a flexible customer under
    ``shortest_queue``) has one. Under ``expected_wait`` a flexible customer may still prefer
    a busy lane to a free kiosk (a full trolley scans slowly there), or a short kiosk line to a
    free lane (a small basket at fast kiosks), so only its choices among lanes are checked."""
    scenario = scenario.with_overrides({"run": {"lane_choice": policy}})
    population = draw_population(scenario, Streams(scenario.run.seed, 0))
    model = StoreModel(scenario, population, drain_limit_min=5_000)
    if policy == "expected_wait" and model.cashier_service_mean == 0:
        return  # every lane then ties (the first wins), busy or not
    choose = model._choose
    checked = 0

    def checked_choose(i: int) -> int | None:
        nonlocal checked
        chosen = choose(i)
        items = population.basket_items.item(i)
        preference = population.preference.item(i)
        if chosen is None or (chosen == KIOSK and preference == PreferenceCode.PREFER_KIOSK):
            return chosen
        if policy == "expected_wait" and chosen == KIOSK:
            # A short wait for a kiosk that scans fast may beat a free lane's own service time:
            # expected_wait weighs both, so only its choices among lanes are checked here.
            return chosen
        pool = model.kiosks if chosen == KIOSK else model.lanes[chosen]
        if not _free(pool):
            usable = [lane for _, lane, limit in model._open_lanes if items <= limit]
            kiosk_ok = model.kiosks.accepting and items <= model.kiosk_limit
            if policy == "shortest_queue" and kiosk_ok and preference == PreferenceCode.FLEXIBLE:
                usable.append(model.kiosks)
            assert not any(_free(p) for p in usable), f"customer {i} joined a busy line"
            checked += 1
        return chosen

    model._choose = checked_choose  # type: ignore[method-assign]
    model.run()


def test_shortest_queue_counts_the_customer_in_service() -> None:
    """Two lanes, one serving a customer with nobody waiting, one idle: the idle one wins
    (before the fix both showed 0 waiting and the first, busy, lane won the tie)."""
    data = {
        "name": "two_lanes",
        "store": {"open": "08:00", "close": "09:00"},
        "arrivals": {"profile": [{"start": "08:00", "end": "09:00", "customers_per_hour": 30}]},
        "customers": {
            "basket_items": {"kind": "fixed", "value": 3},
            "payment_min": {"kind": "fixed", "value": 0.2},
            "channel": {"never_kiosk_share": 0.0, "prefer_kiosk_share": 0.0},
        },
        "cashiers": {
            "lanes": 2,
            "scan_min_per_item": {"kind": "fixed", "value": 0.05},
            "fixed_min": {"kind": "fixed", "value": 0.4},
        },
        "kiosks": {
            "count": 2,
            "scan_min_per_item": {"kind": "fixed", "value": 0.1},
            "fixed_min": {"kind": "fixed", "value": 0.1},
        },
        "attendants": {"walk_min": {"kind": "fixed", "value": 0.1}},
        "staffing": [{"start": "08:00", "end": "09:00", "cashiers": 2, "attendants": 1}],
        "run": {"lane_choice": "shortest_queue"},
    }
    scenario = Scenario.model_validate(data)
    population = draw_population(scenario, Streams(1, 0))
    for indexed in (True, False):
        model = StoreModel(scenario, population, indexed_lanes=indexed)
        assert model.lanes[0].acquire() is not None
        assert model._choose(0) == 1  # the idle lane, not the busy lane 0
        for _kiosk in range(2):  # every kiosk busy, nobody waiting: 1 ahead, as at lane 0
            assert model.kiosks.acquire() is not None
        assert model.lanes[1].acquire() is not None
        assert model._choose(0) == 0  # lanes first on a tie of one ahead each
