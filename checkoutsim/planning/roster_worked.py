"""A roster as it will be worked: each day's ``staffing:`` (people on shift) and ``breaks:``.

The staffing blocks count everyone on shift, breaks included; each break of a cashier or an
attendant shift becomes a break of the model (``docs/model.md``, "Breaks"): the person's lane
stops taking customers, serves its line, closes for the break and reopens with the same
cashier (and the same coupon book); an attendant finishes the help in hand. Floaters are
placed slot by slot by the integer program (``fc``, ``fa``) around their own breaks, so they
stay staffing counts.

A cashier's break goes to the highest-numbered regular lane staffed for the whole break and
not already on break (then an express lane), a lane whose break has just ended last. When
every staffed lane is taken (more people on shift than lanes), the break closes no lane:
someone on shift without a lane covers it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from checkoutsim.planning.shift_candidates import clock
from checkoutsim.scenario.schema import Scenario, parse_time_of_day

if TYPE_CHECKING:
    from checkoutsim.planning.roster_ip import RosterSolution

__all__ = ["WorkedBlock", "on_shift", "worked_breaks", "worked_staffing"]


class WorkedBlock(Protocol):
    """A requirement block: its clock span (minutes after midnight), express lanes wanted and
    kiosks switched on."""

    @property
    def start_min(self) -> int: ...
    @property
    def end_min(self) -> int: ...
    @property
    def express(self) -> int: ...
    @property
    def kiosks(self) -> int | None: ...


def on_shift(solution: RosterSolution, day: str, need: str) -> np.ndarray:
    """Staff on shift as ``need`` (``cashier`` or ``attendant``) per slot of ``day``: the
    shifts of that role from start to end (breaks included) and the floaters placed there."""
    fc, fa = solution.floaters[day]
    total = (fc if need == "cashier" else fa).astype(np.int64).copy()
    for d, cand, count in solution.shifts:
        if d == day and cand.role == need:
            slot = 1440 // len(cand.working)
            total[cand.start_min // slot : cand.end_min // slot] += count
    return total


def worked_staffing(
    day: Scenario, blocks: Sequence[WorkedBlock], solution: RosterSolution, name: str, slot: int
) -> list[dict[str, Any]]:
    """The day's ``staffing:`` as the roster is worked: staff on shift, equal slots merged.

    Cashiers on shift fill the requirement's express lanes first (up to the express lanes
    that exist), the rest the regular lanes (up to the lanes); kiosks switched on follow the
    requirement's block.
    """
    open_min = day.store.open_min
    close_min = open_min + day.store.day_length_min
    cashiers = on_shift(solution, name, "cashier")
    attendants = on_shift(solution, name, "attendant")
    express_lanes = day.cashiers.express.lanes if day.cashiers.express else 0
    rows: list[dict[str, Any]] = []
    for t in range(open_min // slot, -(-close_min // slot)):
        start, end = max(t * slot, open_min), min((t + 1) * slot, close_min)
        block = next(b for b in blocks if b.start_min <= start < b.end_min)
        working = int(cashiers[t])
        express = min(block.express, working, express_lanes)
        regular = min(working - express, day.cashiers.lanes)
        express = min(express + (working - express - regular), express_lanes)
        row = {
            "start": clock(start),
            "end": clock(end),
            "cashiers": regular,
            "express_cashiers": express,
            "attendants": int(attendants[t]),
            "kiosks": block.kiosks,
        }
        if rows and all(rows[-1][k] == row[k] for k in row if k not in ("start", "end")):
            rows[-1]["end"] = row["end"]
        else:
            rows.append(row)
    return rows


def worked_breaks(
    staffing: list[dict[str, Any]], solution: RosterSolution, name: str, slot: int
) -> list[dict[str, Any]]:
    """The day's ``breaks:``: one per person on a cashier or attendant shift with a break.

    Parameters
    ----------
    staffing : list of dict
        :func:`worked_staffing` of the day (who is on shift, lane by lane).
    solution : RosterSolution
        The roster.
    name : str
        The day type.
    slot : int
        The planning grid, minutes.
    """
    spans = [(parse_time_of_day(r["start"]), parse_time_of_day(r["end"]), r) for r in staffing]
    # Breaks that may close a lane (or take an attendant off) in each slot: staffed minus
    # working. Fewer than the breaks of the slot when more people are on shift than lanes.
    closable = {}
    for need, keys in (
        ("cashier", ("cashiers", "express_cashiers")),
        ("attendant", ("attendants",)),
    ):
        staffed = np.zeros(1440 // slot, dtype=np.int64)
        for a, b, r in spans:
            staffed[a // slot : -(-b // slot)] = sum(r[k] for k in keys)
        closable[need] = np.maximum(staffed - solution.working(name, need), 0)
    wanted = sorted(
        (cand.break_start_min, cand.break_min, cand.role, cand.paid_break)
        for d, cand, count in solution.shifts
        for _ in range(count)
        if d == name
        and cand.role in ("cashier", "attendant")
        and cand.break_start_min is not None
        and cand.break_min > 0
    )
    taken: list[tuple[int, int, str, int]] = []  # (start, end, role, lane) of breaks given
    out: list[dict[str, Any]] = []
    for start, length, role, paid in wanted:
        end = start + length
        inside = [r for a, b, r in spans if a < end and start < b]
        room = closable[role][start // slot : -(-end // slot)]
        if not inside or room.min() <= 0:
            continue  # someone on shift without a lane covers it
        room -= 1
        busy = [x for x in taken if x[0] < end and start < x[1]]
        if role == "attendant":
            taken.append((start, end, "attendant", 0))
            out.append(
                {"role": "attendant", "start": clock(start), "length_min": length, "paid": paid}
            )
            continue
        for kind, key in (("cashier", "cashiers"), ("express_cashier", "express_cashiers")):
            used = {x[3] for x in busy if x[2] == kind}
            # A lane whose break has just ended is not chosen again while another is free: its
            # cashier may be back late (the line delays a rest), and a second break on it
            # would wait for them and close the lane twice as long.
            recent = {x[3] for x in taken if x[2] == kind and start - slot < x[1] <= start}
            free = sorted(
                (k for k in range(min(r[key] for r in inside), 0, -1) if k not in used),
                key=lambda k: (k in recent, -k),
            )
            if free:
                taken.append((start, end, kind, free[0]))
                out.append(
                    {
                        "role": kind,
                        "lane": free[0],
                        "start": clock(start),
                        "length_min": length,
                        "paid": paid,
                    }
                )
                break
    return out
