"""Server pools whose staffing changes during the day, and time-weighted counters.

A :class:`ServerPool` is a first-come-first-served queue in front of identical servers (one
cashier lane, the kiosk bank, the attendants). Unlike ``simpy.Resource`` its number of servers
on duty can change at a block boundary, and each server has an identity (kiosk 3, attendant 1)
so results can say who served whom.

Shift changes follow what happens in a store: a server taken off duty while busy finishes the
customer in hand first; with ``keep_one_while_queued`` (lanes, kiosks) the last server also
serves the line that is already waiting before going off duty, while with it off (attendants)
waiting requests simply wait for the next server to come on duty.

A break (:meth:`ServerPool.begin_break`) is a shift change of one person who comes back: the
pool takes one server fewer from then on, the first server to come free (after the line, with
``keep_one_while_queued``) rests, and :meth:`ServerPool.end_break` brings that same server back.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable
from typing import Any

import simpy

__all__ = ["ServerPool", "TimeWeighted"]


class TimeWeighted:
    """Integral over time of a piecewise-constant level (queue length, busy servers).

    Each change costs O(1); :meth:`integral` gives the area up to ``now`` so that averages over
    any interval are differences of two readings.
    """

    __slots__ = ("_area", "_env", "_last", "level")

    def __init__(self, env: simpy.Environment, level: float = 0.0):
        self._env = env
        self.level = level
        self._area = 0.0
        self._last = env.now

    def add(self, delta: float) -> None:
        """Change the level by ``delta`` at the current simulation time."""
        now = self._env.now
        self._area += self.level * (now - self._last)
        self._last = now
        self.level += delta

    def integral(self) -> float:
        """Level-minutes accumulated from the start up to the current time."""
        return self._area + self.level * (self._env.now - self._last)


class ServerPool:
    """FCFS queue in front of a changing number of identical, identified servers.

    Parameters
    ----------
    env : simpy.Environment
        The environment.
    max_servers : int
        Physical servers; ids run from 0 to ``max_servers - 1``.
    on_duty : int
        Servers on duty at time 0.
    keep_one_while_queued : bool
        If true, the last server stays until the waiting line is empty even when the target
        drops to zero (a closing lane serves its queue).
    queue_level, busy_level, duty_level : TimeWeighted
        Counters this pool adds its queue length, busy servers and servers on duty to. Several
        pools may share one counter (all cashier lanes add to the same queue counter).
    """

    __slots__ = (
        "_breaking",
        "_free_ids",
        "_idle",
        "_queue",
        "_resting",
        "busy",
        "busy_level",
        "duty_level",
        "env",
        "keep_one_while_queued",
        "on_rest",
        "on_retire",
        "queue_level",
        "scheduled",
        "servers",
        "target",
    )

    def __init__(
        self,
        env: simpy.Environment,
        max_servers: int,
        on_duty: int,
        *,
        keep_one_while_queued: bool,
        queue_level: TimeWeighted,
        busy_level: TimeWeighted,
        duty_level: TimeWeighted,
    ):
        self.env = env
        self.keep_one_while_queued = keep_one_while_queued
        # Called after a server goes off duty (a floater's lane has served its last line).
        self.on_retire: Callable[[], None] | None = None
        # Called with the server's id when a break's rest begins (the server went off duty).
        self.on_rest: Callable[[int], None] | None = None
        self._breaking = 0  # breaks asked for whose server is still at work
        self._resting: list[int] = []  # servers on break, kept out of the free ids
        self.scheduled = 0
        self.queue_level = queue_level
        self.busy_level = busy_level
        self.duty_level = duty_level
        self._queue: deque[simpy.Event] = deque()
        self._idle: list[int] = []
        # A min-heap: the lowest free id comes on duty first. A sorted list re-sorted at every
        # retirement cost O(n log n) per server taken off duty (a hang with 100,000 kiosks).
        self._free_ids: list[int] = list(range(max_servers))
        self.busy = 0
        self.servers = 0
        self.target = 0
        self.set_target(on_duty)

    # -- introspection --------------------------------------------------------------------------
    @property
    def queue_length(self) -> int:
        """Requests waiting for a server."""
        return len(self._queue)

    @property
    def idle(self) -> int:
        """Servers on duty and free."""
        return len(self._idle)

    def last_waiting(self) -> simpy.Event | None:
        """The request at the back of the line, or None if nobody waits."""
        return self._queue[-1] if self._queue else None

    @property
    def away(self) -> int:
        """Servers on break or about to go (scheduled, but not counted in :attr:`target`)."""
        return self._breaking + len(self._resting)

    @property
    def accepting(self) -> bool:
        """Whether new customers may join (some server is meant to be on duty)."""
        return self.target > 0

    # -- customer side -------------------------------------------------------------------------
    def acquire(self) -> int | None:
        """Take an idle server now, if there is one: its id, else ``None`` (nothing queued).

        The fast path of :meth:`request` for a caller that does not need an event: no SimPy
        event is created or scheduled when the server is free anyway.
        """
        if self._idle:
            server_id = self._idle.pop()
            self.busy += 1
            self.busy_level.add(1)
            return server_id
        return None

    def request(self) -> simpy.Event:
        """Ask for a server; the event's value is the server id once granted."""
        event = self.env.event()
        if self._idle:
            self._grant(event, self._idle.pop())
        else:
            self._queue.append(event)
            self.queue_level.add(1)
        return event

    def cancel(self, event: simpy.Event) -> None:
        """Withdraw a request that has not been granted (the customer reneged)."""
        if not event.triggered:
            self._queue.remove(event)
            self.queue_level.add(-1)

    def release(self, server_id: int) -> None:
        """Give ``server_id`` back after service."""
        self.busy -= 1
        self.busy_level.add(-1)
        if self.servers > self.target and not self._must_stay():
            self._retire(server_id)
        elif self._queue:
            self.queue_level.add(-1)
            self._grant(self._next_request(server_id), server_id)
        else:
            self._idle.append(server_id)

    # -- staffing side -------------------------------------------------------------------------
    def set_target(self, on_duty: int) -> None:
        """Set how many servers should be on duty from now on (those on break included)."""
        self.scheduled = on_duty
        self.target = on_duty
        if self._breaking or self._resting:
            self.target = max(on_duty - self._breaking - len(self._resting), 0)
        on_duty = self.target
        while self.servers < on_duty and self._free_ids:
            self.servers += 1
            self.duty_level.add(1)
            self._idle.append(heapq.heappop(self._free_ids))
        while self.servers > self.target and self._idle and not self._must_stay():
            self._retire(self._idle.pop())
        while self._idle and self._queue:
            self.queue_level.add(-1)
            server_id = self._idle.pop()
            self._grant(self._next_request(server_id), server_id)

    def begin_break(self) -> None:
        """One server goes on break: the first to come free (an idle one now) rests.

        With ``keep_one_while_queued`` the last server serves the waiting line first. When the
        rest begins, :attr:`on_rest` is called with the server's id.
        """
        self._breaking += 1
        self.set_target(self.scheduled)

    def end_break(self, server_id: int) -> None:
        """Server ``server_id``, resting, comes back on duty (and serves the line)."""
        self._resting.remove(server_id)
        self.servers += 1
        self.duty_level.add(1)
        self._idle.append(server_id)
        self.set_target(self.scheduled)

    # -- internals ----------------------------------------------------------------------------
    def _next_request(self, server_id: int) -> simpy.Event:
        """The waiting request ``server_id`` serves next (first come here; a subclass may
        choose otherwise, see :class:`checkoutsim.model.attendants.HelpDesk`)."""
        return self._queue.popleft()

    def _must_stay(self) -> bool:
        return self.keep_one_while_queued and self.servers == 1 and bool(self._queue)

    def _grant(self, event: simpy.Event, server_id: int) -> None:
        self.busy += 1
        self.busy_level.add(1)
        event.succeed(server_id)

    def _retire(self, server_id: int) -> None:
        self.servers -= 1
        self.duty_level.add(-1)
        if self._breaking:
            # Off duty for a break: held apart, so the same server comes back.
            self._breaking -= 1
            self._resting.append(server_id)
            if self.on_rest is not None:
                self.on_rest(server_id)
            return
        heapq.heappush(self._free_ids, server_id)
        if self.on_retire is not None:
            self.on_retire()

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        state: dict[str, Any] = {
            "servers": self.servers,
            "target": self.target,
            "busy": self.busy,
            "queue": len(self._queue),
        }
        return f"ServerPool({state})"
