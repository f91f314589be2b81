"""Staff breaks during the day: the person stays on shift, is away, and comes back.

At a break's ``start`` (``scenario.breaks``):

* a **cashier**'s lane takes no new customers and serves the line already waiting; when the
  last customer leaves, the cashier rests ``length_min`` minutes and reopens the same lane.
  With floaters (``cashiers.backup``) and one free at that moment, the floater takes the lane
  over at once instead: the lane stays open and the floater is paid (``floaters_staffing``)
  until the cashier is back;
* an **attendant** takes no new freezes: the first attendant free (at once if one is idle)
  rests ``length_min`` minutes, then the same attendant is back on duty.

The rest is counted from the moment the person is free, so a break is never shortened by a
long line; it ends later instead. Resting staff are off duty in the pools' ``*_on_duty``
levels (so utilisation is over the time actually available) and on the levels
``cashiers_on_break`` and ``attendants_on_break`` (the time-series columns
:data:`BREAK_FIELDS`). Nothing here runs for a scenario without breaks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import simpy

from checkoutsim.model.backup import FloaterDesk
from checkoutsim.model.resources import ServerPool, TimeWeighted
from checkoutsim.scenario.schema import Scenario, StaffBreak

__all__ = ["BREAK_FIELDS", "BreakTaker"]

BREAK_FIELDS = (
    "cashiers_on_break",
    "attendants_on_break",
    "cashiers_on_break_avg",
    "attendants_on_break_avg",
)
"""Time-series columns a scenario with ``breaks`` adds: cashiers (lanes closed for a break,
or covered by a floater) and attendants resting at the row's time, and on average over the
interval that ends there."""


class BreakTaker:
    """Starts and ends every break of the day.

    Parameters
    ----------
    env : simpy.Environment
        The environment.
    scenario : Scenario
        The scenario (its ``breaks``, store hours and lanes).
    lanes : sequence of ServerPool
        Every cashier lane, regular first.
    attendants : ServerPool
        The attendants' pool.
    desk : FloaterDesk or None
        The floaters, when the scenario has a backup rule.
    lanes_changed : callable
        Called after a lane stopped or started taking customers.
    cashier_level, attendant_level : TimeWeighted
        Cashiers and attendants resting.

    Attributes
    ----------
    events : list of (float, str, str, int)
        ``(minute, what, role, who)`` with ``what`` one of ``"stop"`` (takes nobody new),
        ``"rest"``, ``"cover"`` (a floater took the lane), ``"back"``; ``who`` is the lane
        index or the attendant's id.
    """

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        lanes: Sequence[ServerPool],
        attendants: ServerPool,
        desk: FloaterDesk | None,
        lanes_changed: Callable[[], None],
        cashier_level: TimeWeighted,
        attendant_level: TimeWeighted,
    ):
        self.env = env
        self.lanes = lanes
        self.attendants = attendants
        self.desk = desk
        self._lanes_changed = lanes_changed
        self.cashier_level = cashier_level
        self.attendant_level = attendant_level
        self.events: list[tuple[float, str, str, int]] = []
        self._regular = scenario.cashiers.lanes
        # Rest lengths waiting for their server to come free, first asked first served.
        self._attendant_waiting: list[float] = []
        self._lane_length: dict[int, float] = {}
        attendants.on_rest = self._attendant_rests
        for k, lane in enumerate(lanes):
            lane.on_rest = partial(self._lane_rests, k)
        for b in scenario.breaks:
            start = float(scenario.minutes_after_open(b.start))
            env.timeout(start).callbacks.append(partial(self._after_shift_changes, b))

    def _after_shift_changes(self, b: StaffBreak, _: simpy.Event) -> None:
        """Start ``b`` after every other event of this instant: a break that starts with the
        block that staffs the lane must find the lane staffed (else the break would wait for
        a server who never comes on duty)."""
        self.env.timeout(0).callbacks.append(partial(self._start, b))

    # -- a break begins -------------------------------------------------------------------------
    def _start(self, b: StaffBreak, _: simpy.Event) -> None:
        now = self.env.now
        if b.role == "attendant":
            self.events.append((now, "stop", "attendant", -1))
            self._attendant_waiting.append(b.length_min)
            self.attendants.begin_break()
            return
        lane_id = (b.lane or 1) - 1 + (self._regular if b.role == "express_cashier" else 0)
        desk = self.desk
        if desk is not None and desk.cover(lane_id):
            self.events.append((now, "cover", "cashier", lane_id))
            self.cashier_level.add(1)
            back = partial(self._floater_leaves, lane_id)
            self.env.timeout(b.length_min).callbacks.append(back)
            return
        self.events.append((now, "stop", "cashier", lane_id))
        self._lane_length[lane_id] = b.length_min
        self.lanes[lane_id].begin_break()
        self._lanes_changed()

    # -- the rest begins (the person is free) ----------------------------------------------------
    def _lane_rests(self, lane_id: int, server: int) -> None:
        self.events.append((self.env.now, "rest", "cashier", lane_id))
        self.cashier_level.add(1)
        length = self._lane_length.pop(lane_id)
        self.env.timeout(length).callbacks.append(partial(self._lane_back, lane_id, server))

    def _attendant_rests(self, server: int) -> None:
        self.events.append((self.env.now, "rest", "attendant", server))
        self.attendant_level.add(1)
        length = self._attendant_waiting.pop(0)
        self.env.timeout(length).callbacks.append(partial(self._attendant_back, server))

    # -- back ------------------------------------------------------------------------------------
    def _lane_back(self, lane_id: int, server: int, _: simpy.Event) -> None:
        self.events.append((self.env.now, "back", "cashier", lane_id))
        self.cashier_level.add(-1)
        self.lanes[lane_id].end_break(server)
        self._lanes_changed()

    def _attendant_back(self, server: int, _: simpy.Event) -> None:
        self.events.append((self.env.now, "back", "attendant", server))
        self.attendant_level.add(-1)
        self.attendants.end_break(server)

    def _floater_leaves(self, lane_id: int, _: simpy.Event) -> None:
        self.events.append((self.env.now, "back", "cashier", lane_id))
        self.cashier_level.add(-1)
        self.desk.uncover(lane_id)  # type: ignore[union-attr]
