"""Every shift the rules allow on one day: the columns of the roster's integer program.

Time is cut into slots of ``slot_min`` minutes from midnight (slot ``t`` covers
``[t * slot, (t + 1) * slot)``). A candidate is a role, a start slot, a length and, when the
rules give its length a break, one allowed break position: each break position is its own
candidate, so the integer program places breaks too (Dantzig's set-covering formulation with
breaks written out as explicit columns).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from checkoutsim.scenario.schema import Scenario, parse_time_of_day
from checkoutsim.scenario.shifts import Role, RoleRules, ShiftRules

__all__ = ["Candidate", "candidates", "clock", "premium_factor", "role_cost_per_hour"]


@dataclass(frozen=True)
class Candidate:
    """One allowed shift.

    Attributes
    ----------
    role : str
    start_min, end_min : int
        Minutes after midnight.
    break_start_min : int or None
        Minutes after midnight; None when the shift has no break.
    break_min : int
        Break length, minutes (0 without a break).
    paid_break : bool
    working : numpy.ndarray
        Boolean per slot of the day: at work and not on break.
    paid_hours : float
    cost : float
        Paid minutes at the role's rate plus premiums.
    """

    role: str
    start_min: int
    end_min: int
    break_start_min: int | None
    break_min: int
    paid_break: bool
    working: np.ndarray
    paid_hours: float
    cost: float


def clock(minutes: int) -> str:
    """``"HH:MM"`` of minutes after midnight (``"24:00"`` at the end of the day)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def role_cost_per_hour(role: str, rules: RoleRules, scenario: Scenario) -> float:
    """The role's cost per paid hour: its own, else the scenario's wage (floater: the higher)."""
    if rules.cost_per_hour is not None:
        return rules.cost_per_hour
    costs = scenario.costs
    if role == "cashier":
        return costs.cashier_wage_per_hour
    if role == "attendant":
        return costs.attendant_wage_per_hour
    return max(costs.cashier_wage_per_hour, costs.attendant_wage_per_hour)


def premium_factor(shifts: ShiftRules, slots: int) -> np.ndarray:
    """1 + the premiums (as fractions) of each slot's start."""
    factor = np.ones(slots)
    starts = np.arange(slots) * shifts.slot_min
    for p in shifts.premiums:
        inside = (starts >= parse_time_of_day(p.start)) & (starts < parse_time_of_day(p.end))
        factor[inside] += p.pct / 100.0
    return factor


def candidates(shifts: ShiftRules, role: Role, scenario: Scenario) -> list[Candidate]:
    """Every shift of ``role`` the rules allow on the day of ``scenario``.

    Starts run from ``earliest_start`` (default opening) to ``latest_start`` (default: as late
    as the shortest length still ends by ``latest_end``, default closing), on the slot grid.
    """
    rules = shifts.roles[role]
    slot = shifts.slot_min
    slots = 1440 // slot
    open_min = scenario.store.open_min
    close_min = open_min + scenario.store.day_length_min
    earliest = parse_time_of_day(rules.earliest_start) if rules.earliest_start else open_min
    latest_end = parse_time_of_day(rules.latest_end) if rules.latest_end else close_min
    latest = parse_time_of_day(rules.latest_start) if rules.latest_start else latest_end
    earliest = -(-earliest // slot) * slot  # round up to the grid
    rate = role_cost_per_hour(role, rules, scenario) / 60.0 * slot
    factor = premium_factor(shifts, slots)
    out: list[Candidate] = []
    for hours in sorted(rules.lengths_h):
        length = round(hours * 60)
        rule = shifts.break_for(length)
        for start in range(earliest, latest + 1, slot):
            end = start + length
            if end > latest_end or end > 1440:
                break
            on = np.zeros(slots, dtype=bool)
            on[start // slot : end // slot] = True
            if rule is None:
                placements: list[int | None] = [None]
            else:
                last = min(rule.latest_after_min, length - rule.length_min)
                placements = list(range(rule.earliest_after_min, last + 1, slot)) or []
            for offset in placements:
                working = on.copy()
                paid = on.copy()
                brk = None if offset is None else start + offset
                if brk is not None and rule is not None:
                    working[brk // slot : (brk + rule.length_min) // slot] = False
                    if not rule.paid:
                        paid = working
                out.append(
                    Candidate(
                        role=role,
                        start_min=start,
                        end_min=end,
                        break_start_min=brk,
                        break_min=0 if rule is None else rule.length_min,
                        paid_break=bool(rule is not None and rule.paid),
                        working=working,
                        paid_hours=float(paid.sum()) * slot / 60.0,
                        cost=float((paid * factor).sum() * rate),
                    )
                )
    return out
