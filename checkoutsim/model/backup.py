"""Lanes that open on demand: the "call for backup" rule and the floaters who answer it.

Stores run peaks with a rule rather than a roster: when lines build, a supervisor calls a
floating staff member (from the shop floor, the office) to open a closed lane, and sends them
back once the lines have stayed short for a while (Tesco's "one in front", Kroger's "1+1":
Kroger moved from one customer in service plus two waiting to one plus one). The rule
(``cashiers.backup``) is checked event by event: every change of the cashier or kiosk queue
counters calls :meth:`FloaterDesk.check`, so a lane opens exactly ``response_min`` after the
customer who pushed the line past the threshold, and closes exactly ``quiet_min`` after the
lines fell below the lower one. Nothing here runs when the rule is off.

Floater lanes follow the shift rules of scheduled lanes: a closing lane takes nobody new and
serves its line first; the floater is free (and stops being paid) when it is empty. A floater
whose lane becomes a scheduled lane at a shift change hands it over and is free at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import simpy

from checkoutsim.model.resources import ServerPool, TimeWeighted
from checkoutsim.scenario.schema import Backup

__all__ = ["FloaterDesk", "WatchedLevel"]


class WatchedLevel(TimeWeighted):
    """A :class:`TimeWeighted` level that calls ``watcher`` after every change."""

    __slots__ = ("watcher",)

    def __init__(self, env: simpy.Environment, watcher: Callable[[], None]):
        super().__init__(env)
        self.watcher = watcher

    def add(self, delta: float) -> None:
        TimeWeighted.add(self, delta)
        self.watcher()


@dataclass
class _Quiet:
    """When the lines last fell below the lower thresholds, and which timer is current."""

    since: float | None = None
    token: int = 0


class FloaterDesk:
    """The floaters of the day and the lanes they staff.

    Parameters
    ----------
    env : simpy.Environment
        The environment.
    rule : Backup
        The scenario's ``cashiers.backup`` rule.
    lanes : sequence of ServerPool
        Every cashier lane, regular first.
    regular_lanes : int
        How many of ``lanes`` are regular lanes (the only ones floaters open).
    cashier_queue, kiosk_queue : TimeWeighted
        Customers waiting at cashier lanes (all of them) and for a kiosk.
    staffing_level : TimeWeighted
        Floaters staffing a lane (their paid time is its integral).
    open_lane_count : callable
        Lanes that take customers now (scheduled and floater lanes).
    lanes_changed : callable
        Called after a floater lane opened or stopped taking customers (the store refreshes
        its list of open lanes and the lane index).
    """

    def __init__(
        self,
        env: simpy.Environment,
        rule: Backup,
        lanes: Sequence[ServerPool],
        regular_lanes: int,
        cashier_queue: TimeWeighted,
        kiosk_queue: TimeWeighted,
        staffing_level: TimeWeighted,
        open_lane_count: Callable[[], int],
        lanes_changed: Callable[[], None],
    ):
        self.env = env
        self.rule = rule
        self.lanes = lanes
        self.regular_lanes = regular_lanes
        self.staffing_level = staffing_level
        self._open_lane_count = open_lane_count
        self._lanes_changed = lanes_changed
        self.cashier_queue = cashier_queue
        self.kiosk_queue = kiosk_queue
        self.floaters = 0
        self.pending = 0
        self._cancelled = 0
        # Lane id -> True while it takes customers, False while it serves its last line.
        self.staffed: dict[int, bool] = {}
        # Lanes a floater keeps open while their cashier is on break (model/breaks.py).
        self.covering: set[int] = set()
        self._quiet = _Quiet()
        # (minute, what, lane): "call", "cancel", "open", "cover" (a cashier's break), "back"
        # (no lane left when the floater came), "stop" (takes nobody new), "free" (line served
        # or handed over). A few per day.
        self.events: list[tuple[float, str, int]] = []
        for k, lane in enumerate(lanes):
            lane.on_retire = partial(self._retired, k)

    # -- what the store asks --------------------------------------------------------------------
    def holds(self, lane_id: int) -> bool:
        """Whether a floater keeps lane ``lane_id`` open (it must stay on at a shift change)."""
        return self.staffed.get(lane_id, False)

    def busy(self) -> int:
        """Floaters called, staffing a lane, or covering a cashier's break."""
        return self.pending + len(self.staffed) + len(self.covering)

    # -- breaks ---------------------------------------------------------------------------------
    def cover(self, lane_id: int) -> bool:
        """A free floater takes lane ``lane_id`` over for its cashier's break; False if none.

        The lane stays open and the floater is paid until :meth:`uncover`.
        """
        if self.busy() >= self.floaters:
            return False
        self.covering.add(lane_id)
        self.staffing_level.add(1)
        self.events.append((self.env.now, "cover", lane_id))
        return True

    def uncover(self, lane_id: int) -> None:
        """The cashier of lane ``lane_id`` is back: the floater covering it is free."""
        self.covering.remove(lane_id)
        self.staffing_level.add(-1)
        self.events.append((self.env.now, "free", lane_id))
        self.check()

    # -- shift changes ----------------------------------------------------------------------------
    def hand_over(self, scheduled: Callable[[int], bool]) -> None:
        """Floater lanes that are scheduled lanes from now on go to the scheduled cashier."""
        for lane_id in [k for k in self.staffed if scheduled(k)]:
            del self.staffed[lane_id]
            self.staffing_level.add(-1)
            self.events.append((self.env.now, "free", lane_id))

    def set_floaters(self, count: int) -> None:
        """``count`` floaters on staff from now on; extra calls are cancelled, extra lanes close.

        A floater whose lane closes still serves its line, like a scheduled cashier at the end
        of a shift.
        """
        self.floaters = count
        while self.busy() > count and self.pending:
            self.pending -= 1
            self._cancelled += 1
            self.events.append((self.env.now, "cancel", -1))
        while self.busy() > count and self._close_one():
            pass
        self.check()

    # -- the rule ---------------------------------------------------------------------------------
    def check(self) -> None:
        """Call floaters the lines need now, and start or stop the quiet-period clock."""
        rule = self.rule
        waiting = self.cashier_queue.level
        kiosk_waiting = self.kiosk_queue.level
        open_lanes = self._open_lane_count()
        kiosk_above = rule.open_above_kiosk_queue
        while self.busy() < self.floaters and (
            waiting > rule.open_above_waiting_per_lane * (open_lanes + self.pending)
            or (kiosk_above is not None and kiosk_waiting > kiosk_above and not self.pending)
        ):
            if self._closed_lanes() <= self.pending:
                break
            self.pending += 1
            self.events.append((self.env.now, "call", -1))
            self.env.timeout(rule.response_min).callbacks.append(self._floater_arrives)
        kiosk_below = rule.close_below_kiosk_queue
        # Quiet: below the lower thresholds, and one lane fewer would not call again at once
        # (else a zero response and quiet period would open and close a lane for ever in
        # the same instant).
        quiet = (
            any(self.staffed.values())
            and waiting < rule.close_below_waiting_per_lane * open_lanes
            and waiting <= rule.open_above_waiting_per_lane * (open_lanes - 1)
            and (kiosk_above is None or kiosk_waiting <= kiosk_above)
            and (kiosk_below is None or kiosk_waiting < kiosk_below)
        )
        q = self._quiet
        if quiet:
            if q.since is None:
                q.since = self.env.now
                q.token += 1
                timer = self.env.timeout(rule.quiet_min, q.token)
                timer.callbacks.append(self._quiet_elapsed)
        elif q.since is not None:
            q.since = None
            q.token += 1

    # -- internals --------------------------------------------------------------------------------
    def _closed_lanes(self) -> int:
        return sum(1 for k in range(self.regular_lanes) if self._free(k))

    def _free(self, lane_id: int) -> bool:
        lane = self.lanes[lane_id]
        # A lane whose cashier is on break is not free: they come back to it.
        return (
            lane.target == 0
            and lane.servers == 0
            and lane_id not in self.staffed
            and lane.away == 0
        )

    def _floater_arrives(self, _: simpy.Event) -> None:
        if self._cancelled:
            self._cancelled -= 1
            return
        self.pending -= 1
        lane_id = next((k for k in range(self.regular_lanes) if self._free(k)), None)
        if lane_id is None:
            self.events.append((self.env.now, "back", -1))
        else:
            self.staffed[lane_id] = True
            self.staffing_level.add(1)
            self.events.append((self.env.now, "open", lane_id))
            self.lanes[lane_id].set_target(1)
            self._lanes_changed()
        self.check()

    def _quiet_elapsed(self, event: simpy.Event) -> None:
        q = self._quiet
        if event.value != q.token or q.since is None:
            return  # the lines grew again since this clock started
        q.since = None
        q.token += 1
        if self._close_one():
            self.check()

    def _close_one(self) -> bool:
        """Stop the floater lane with the fewest customers taking new ones; False if none."""
        taking = [k for k, on in self.staffed.items() if on]
        if not taking:
            return False
        lane_id = min(taking, key=lambda k: (self.lanes[k].queue_length + self.lanes[k].busy, -k))
        self.staffed[lane_id] = False
        self.events.append((self.env.now, "stop", lane_id))
        # May retire the lane at once (nobody there): _retired frees the floater.
        self.lanes[lane_id].set_target(0)
        self._lanes_changed()
        return True

    def _retired(self, lane_id: int) -> None:
        """A lane went off duty: if a floater was finishing its line, they are free now."""
        if self.staffed.get(lane_id) is False:
            del self.staffed[lane_id]
            self.staffing_level.add(-1)
            self.events.append((self.env.now, "free", lane_id))
            self.check()
