"""The roster's integer program: the cheapest set of shifts covering a requirement per slot.

Variables: ``x_j`` (integer >= 0) shifts of candidate ``j`` (role, day, start, length, break
position; :mod:`checkoutsim.planning.shift_candidates`), and per day and slot the floaters at
work as cashiers ``fc`` and as attendants ``fa`` (integers). Minimise ``sum cost_j x_j`` so that
in every slot ``t`` of every day ``d``:

* cashiers working + ``fc[d,t]`` >= cashier requirement, attendants working + ``fa[d,t]`` >=
  attendant requirement (requirements already hold each role's ``min_on_duty``);
* ``fc[d,t] + fa[d,t]`` <= floaters working;
* staff of a role working <= its ``max_on_duty``;

and per role: shifts a day <= ``headcount``, paid hours in the week <= ``headcount x
max_hours_per_person_per_week``. Solved by HiGHS through :func:`scipy.optimize.milp` (a
branch and bound with a proven optimality gap; no hand-written solver). Days are linked only by
the weekly hours, so each day is solved alone first and the whole week jointly only when the
days' optimum breaks a weekly limit.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from checkoutsim.planning.shift_candidates import Candidate, clock
from checkoutsim.scenario.shifts import ShiftRules

__all__ = ["NEEDS", "RosterInfeasibleError", "RosterSolution", "solve_roster"]

NEEDS = ("cashier", "attendant")
"""What a requirement counts: working cashiers (lanes, regular or express) and attendants."""


class RosterInfeasibleError(ValueError):
    """No set of allowed shifts covers the requirement (the message says where)."""


@dataclass(frozen=True)
class RosterSolution:
    """The shifts chosen.

    Attributes
    ----------
    shifts : list of (day, Candidate, count)
        Chosen candidates with how many people work each, in day order.
    floaters : dict of day to (fc, fa)
        Floaters working as cashiers and as attendants, per slot of the day.
    cost : float
        Total cost of the shifts.
    gap : float
        HiGHS's relative optimality gap (0 = proven optimal).
    """

    shifts: list[tuple[str, Candidate, int]]
    floaters: dict[str, tuple[np.ndarray, np.ndarray]]
    cost: float
    gap: float

    def working(self, day: str, need: str) -> np.ndarray:
        """Staff working as ``need`` (``cashier`` or ``attendant``) per slot of ``day``,
        floaters included."""
        fc, fa = self.floaters[day]
        total = (fc if need == "cashier" else fa).astype(np.int64).copy()
        for d, cand, count in self.shifts:
            if d == day and cand.role == need:
                total += count * cand.working
        return total


def _unreachable(
    days: Sequence[str],
    cands: Mapping[str, list[Candidate]],
    needs: Mapping[str, Mapping[str, np.ndarray]],
    slot_min: int,
) -> list[str]:
    """Slots with a requirement that no allowed shift can work at all."""
    out = []
    for day in days:
        for need in NEEDS:
            can = np.zeros_like(needs[day][need], dtype=bool)
            for c in cands[day]:
                if c.role in (need, "floater"):
                    can |= c.working
            bad = np.flatnonzero((needs[day][need] > 0) & ~can)
            if bad.size:
                when = ", ".join(clock(int(t) * slot_min) for t in bad[:6])
                more = f" and {bad.size - 6} more" if bad.size > 6 else ""
                out.append(f"{day}: no allowed {need} shift works the slot(s) at {when}{more}")
    return out


def solve_roster(
    days: Sequence[str],
    cands: Mapping[str, list[Candidate]],
    needs: Mapping[str, Mapping[str, np.ndarray]],
    rules: ShiftRules,
    max_on_duty: Mapping[str, int],
    *,
    time_limit_s: float = 120.0,
) -> RosterSolution:
    """Solve the integer program (module docstring).

    Parameters
    ----------
    days : sequence of str
        Day types in week order.
    cands : mapping of day to list of Candidate
        Allowed shifts of every role on each day.
    needs : mapping of day to mapping of need to int array
        Requirement per slot of the day for ``cashier`` and ``attendant`` (minimums included).
    rules : ShiftRules
        For headcount and weekly hours.
    max_on_duty : mapping of role to int
        Most staff of each role working at once.
    time_limit_s : float
        HiGHS time limit; the best roster found by then is returned with its gap.

    Raises
    ------
    RosterInfeasibleError
        When no roster obeys the rules and covers the requirement.
    """
    problems = _unreachable(days, cands, needs, rules.slot_min)
    if problems:
        raise RosterInfeasibleError("; ".join(problems))
    if len(days) == 1:
        return _solve(days, cands, needs, rules, max_on_duty, time_limit_s, weekly=True)
    # Days are coupled only by the weekly hours. Solve each day alone first: if the week
    # they make stays within every weekly limit it is optimal for the whole week (the joint
    # program without that constraint is exactly the sum of the days), and far quicker.
    parts = []
    for d in days:
        try:
            parts.append(_solve([d], cands, needs, rules, max_on_duty, time_limit_s, weekly=False))
        except RosterInfeasibleError as exc:
            raise RosterInfeasibleError(f"{d}: {exc}") from None
    week = RosterSolution(
        shifts=[s for p in parts for s in p.shifts],
        floaters={d: p.floaters[d] for d, p in zip(days, parts, strict=True)},
        cost=sum(p.cost for p in parts),
        gap=max(p.gap for p in parts),
    )
    if _within_weekly_hours(week, rules):
        return week
    return _solve(days, cands, needs, rules, max_on_duty, time_limit_s, weekly=True)


@contextlib.contextmanager
def _native_stdout_silenced() -> Iterator[None]:
    """Send file descriptor 1 to the null device while HiGHS runs.

    HiGHS's C++ code can print progress lines straight to the process's standard output even
    with ``disp=False`` (seen on long solves: "HighsMipSolverData::..."), which would corrupt
    ``--json`` output. Python's own ``sys.stdout`` is flushed first and restored after.
    """
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # captured (pytest, notebooks): no fd 1
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), fd)
            try:
                yield
            finally:
                os.dup2(saved, fd)
    finally:
        os.close(saved)


def _within_weekly_hours(solution: RosterSolution, rules: ShiftRules) -> bool:
    for role, r in rules.roles.items():
        if r.headcount is None or r.max_hours_per_person_per_week is None:
            continue
        hours = sum(n * c.paid_hours for _, c, n in solution.shifts if c.role == role)
        if hours > r.headcount * r.max_hours_per_person_per_week + 1e-9:
            return False
    return True


def _solve(
    days: Sequence[str],
    cands: Mapping[str, list[Candidate]],
    needs: Mapping[str, Mapping[str, np.ndarray]],
    rules: ShiftRules,
    max_on_duty: Mapping[str, int],
    time_limit_s: float,
    *,
    weekly: bool,
) -> RosterSolution:
    """The program over ``days`` (with the weekly-hours rows when ``weekly``)."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import lil_matrix

    slots = 1440 // rules.slot_min
    columns = [(d, c) for d in days for c in cands[d]]
    n_x = len(columns)
    floaters = "floater" in rules.roles
    n_f = 2 * slots * len(days) if floaters else 0
    n = n_x + n_f

    def f_index(day_i: int, t: int, need_i: int) -> int:
        return n_x + (day_i * slots + int(t)) * 2 + need_i

    rows: list[tuple[list[tuple[int, float]], float, float]] = []
    day_of = {d: i for i, d in enumerate(days)}
    by_day_slot_role: dict[tuple[str, int, str], list[int]] = {}
    for j, (d, c) in enumerate(columns):
        for slot_i in np.flatnonzero(c.working):
            by_day_slot_role.setdefault((d, int(slot_i), c.role), []).append(j)
    for d in days:
        di = day_of[d]
        for t in range(slots):
            for ni, need in enumerate(NEEDS):
                req = float(needs[d][need][t])
                terms = [(j, 1.0) for j in by_day_slot_role.get((d, t, need), [])]
                if floaters:
                    terms.append((f_index(di, t, ni), 1.0))
                if req > 0:
                    rows.append((terms, req, np.inf))
            for role in rules.roles:
                js = by_day_slot_role.get((d, t, role), [])
                if js and role in max_on_duty:
                    rows.append(([(j, 1.0) for j in js], -np.inf, float(max_on_duty[role])))
            if floaters:
                js = by_day_slot_role.get((d, t, "floater"), [])
                both = [(f_index(di, t, 0), 1.0), (f_index(di, t, 1), 1.0)]
                rows.append((both + [(j, -1.0) for j in js], -np.inf, 0.0))
    for role, r in rules.roles.items():
        if r.headcount is None:
            continue
        for d in days:
            js = [j for j, (dd, c) in enumerate(columns) if dd == d and c.role == role]
            if js:
                rows.append(([(j, 1.0) for j in js], -np.inf, float(r.headcount)))
        if weekly and r.max_hours_per_person_per_week is not None:
            js = [j for j, (_, c) in enumerate(columns) if c.role == role]
            hours = [(j, columns[j][1].paid_hours) for j in js]
            cap = r.headcount * r.max_hours_per_person_per_week
            rows.append((hours, -np.inf, float(cap)))

    a = lil_matrix((len(rows), n))
    lb = np.empty(len(rows))
    ub = np.empty(len(rows))
    for i, (terms, lo, hi) in enumerate(rows):
        for j, v in terms:
            a[i, j] = v
        lb[i], ub[i] = lo, hi
    cost = np.zeros(n)
    cost[:n_x] = [c.cost for _, c in columns]
    with _native_stdout_silenced():
        res = milp(
            cost,
            constraints=LinearConstraint(a.tocsr(), lb, ub),
            integrality=np.ones(n),
            bounds=Bounds(np.zeros(n), np.full(n, np.inf)),
            options={"time_limit": time_limit_s, "mip_rel_gap": 1e-6},
        )
    if res.x is None:
        raise RosterInfeasibleError(
            "no roster obeys every shift rule and covers the requirement "
            f"(HiGHS: {res.message.strip()}); check max_on_duty, headcount and weekly hours"
        )
    x = np.rint(res.x).astype(np.int64)
    chosen = [(d, c, int(x[j])) for j, (d, c) in enumerate(columns) if x[j] > 0]
    split: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for d in days:
        di = day_of[d]
        if floaters:
            fc = np.array([x[f_index(di, t, 0)] for t in range(slots)])
            fa = np.array([x[f_index(di, t, 1)] for t in range(slots)])
        else:
            fc = fa = np.zeros(slots, dtype=np.int64)
        split[d] = (fc, fa)
    gap = float(getattr(res, "mip_gap", 0.0) or 0.0)
    return RosterSolution(shifts=chosen, floaters=split, cost=float(cost[:n_x] @ x[:n_x]), gap=gap)
