"""The roster's integer program against brute force, and the shift candidates (issue 15)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from checkoutsim import Scenario
from checkoutsim.planning.roster_ip import RosterInfeasibleError, solve_roster
from checkoutsim.planning.shift_candidates import candidates
from checkoutsim.scenario.shifts import ShiftRules

SLOTS = 1440 // 60


def _small_day(weekday: Scenario) -> Scenario:
    """08:00-13:00, five one-hour slots."""
    return weekday.with_overrides(
        {
            "store": {"open": "08:00", "close": "13:00"},
            "arrivals": {"profile": [{"start": "08:00", "end": "13:00", "customers_per_hour": 50}]},
            "staffing": [{"start": "08:00", "end": "13:00", "cashiers": 1, "attendants": 1}],
        }
    )


def _rules(headcount: int | None) -> ShiftRules:
    return ShiftRules.model_validate(
        {
            "slot_min": 60,
            "roles": {
                "cashier": {"lengths_h": [2.0, 5.0], "cost_per_hour": 10.0, "headcount": headcount},
                "attendant": {"lengths_h": [3.0], "cost_per_hour": 11.0},
                "floater": {"lengths_h": [4.0], "cost_per_hour": 12.0},
            },
            "breaks": [
                {
                    "min_shift_h": 5.0,
                    "length_min": 60,
                    "earliest_after_min": 120,
                    "latest_after_min": 180,
                }
            ],
            "premiums": [{"start": "12:00", "end": "24:00", "pct": 50}],
        }
    )


def _needs() -> dict[str, np.ndarray]:
    c, a = np.zeros(SLOTS, dtype=int), np.zeros(SLOTS, dtype=int)
    c[8:13] = [1, 2, 3, 2, 1]
    a[8:13] = [1, 1, 2, 1, 0]
    return {"cashier": c, "attendant": a}


def _brute_force(cands, needs, headcount, top=2):
    """Cheapest covering counts by enumeration (0 to ``top`` of each shift: the requirement
    peaks at 3 and two shifts always cover a slot, so an optimum lies there); floaters go
    where the deficit is."""
    best = np.inf
    work = np.array([c.working for c in cands], dtype=int)
    roles = [c.role for c in cands]
    cost = np.array([c.cost for c in cands])
    for x in itertools.product(range(top + 1), repeat=len(cands)):
        xs = np.array(x)
        total = xs @ cost
        if total >= best:
            continue
        cover = {
            r: (xs * np.array([ro == r for ro in roles])) @ work
            for r in ("cashier", "attendant", "floater")
        }
        if (
            headcount is not None
            and sum(xi for xi, r in zip(x, roles, strict=True) if r == "cashier") > headcount
        ):
            continue
        short = np.maximum(needs["cashier"] - cover["cashier"], 0) + np.maximum(
            needs["attendant"] - cover["attendant"], 0
        )
        if (short <= cover["floater"]).all():
            best = total
    return best


@pytest.mark.parametrize("headcount", [None, 2])
def test_integer_program_matches_brute_force(weekday: Scenario, headcount: int | None) -> None:
    day = _small_day(weekday)
    rules = _rules(headcount)
    cands = [c for role in rules.roles for c in candidates(rules, role, day)]
    assert len(cands) == 11  # 4 + 2 cashier (two break places), 3 attendant, 2 floater
    needs = _needs()
    sol = solve_roster(["d"], {"d": cands}, {"d": needs}, rules, {})
    expected = _brute_force(cands, needs, headcount)
    assert sol.cost == pytest.approx(expected)
    # The solution itself covers the requirement with its floater split.
    for need in ("cashier", "attendant"):
        assert (sol.working("d", need) >= needs[need]).all()
    if headcount is not None:
        assert sum(n for _, c, n in sol.shifts if c.role == "cashier") <= headcount


def test_candidates_obey_the_rules(weekday: Scenario) -> None:
    rules = _rules(None)
    cands = candidates(rules, "cashier", _small_day(weekday))
    for c in cands:
        assert c.start_min >= 8 * 60 and c.end_min <= 13 * 60
        assert (c.end_min - c.start_min) in (120, 300)
        if c.end_min - c.start_min == 300:
            assert c.break_start_min is not None
            assert 120 <= c.break_start_min - c.start_min <= 180
            assert c.paid_hours == 4.0  # unpaid hour
            # Premium 50% from 12:00 on the one paid hour there: 4 x 10 + 0.5 x 10.
            assert c.cost == pytest.approx(45.0)
        else:
            assert c.break_start_min is None and c.paid_hours == 2.0


def test_unreachable_slot_is_named(weekday: Scenario) -> None:
    rules = _rules(None).model_copy(update={"roles": {"cashier": _rules(None).roles["cashier"]}})
    day = _small_day(weekday)
    cands = candidates(rules, "cashier", day)
    with pytest.raises(RosterInfeasibleError, match="no allowed attendant shift works the slot"):
        solve_roster(["d"], {"d": cands}, {"d": _needs()}, rules, {})
