"""Customers in a cashier line who move to a lane that opened or got much shorter (jockeying).

Only the last customer of a line moves: they have the most to gain and nobody behind them to
push past (Koenigsberg 1966; Zhao & Grassmann 1990 model jockeying from the back of the
longest line). They move when the other lane has at least ``min_gain_customers`` fewer
customers ahead of them (waiting plus in service) than they have in their own line, and the
other lane takes their basket (an express lane's item limit). A lane can only get shorter
when a customer leaves it (served or reneged) or when it opens, so those are the moments
checked; a customer joining a line chose the best one anyway.

A customer who may move waits on a :class:`_Ticket` (their line and request, which change
when they move) instead of the fixed callbacks of :meth:`StoreModel._wait`; their patience
runs from when they first joined a line, and their time in line is counted across lines.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import cast

import numpy as np
import simpy

from checkoutsim.model.recorder import Recorder
from checkoutsim.model.resources import ServerPool

__all__ = ["Jockeying"]


class _Ticket:
    """A customer waiting in a cashier line they may leave for another."""

    __slots__ = ("arrived", "i", "lane", "pool", "request")

    def __init__(self, i: int, arrived: float):
        self.i = i
        self.arrived = arrived
        self.lane = -1
        self.pool: ServerPool | None = None
        self.request: simpy.Event | None = None


class Jockeying:
    """Tickets of the customers waiting at cashier lanes, and the moves between lanes.

    Parameters
    ----------
    env : simpy.Environment
        The environment.
    min_gain_customers : int
        Fewer customers ahead, at least, that make the last customer of a line move.
    lanes : sequence of ServerPool
        Every cashier lane, regular first.
    item_limits : sequence of float
        Largest basket each lane takes (``inf`` for a regular lane).
    basket_items, patience_min : numpy.ndarray
        Each customer's basket and patience.
    recorder : Recorder
        Where moves are counted.
    begin_service : callable
        ``begin_service(i, waited, lane, pool, server)``: the store starts a cashier service.
    reneged : callable
        ``reneged(i, waited)``: the store lets a customer go who gave up waiting.
    open_lanes : callable
        The lane numbers that take customers now.
    """

    def __init__(
        self,
        env: simpy.Environment,
        min_gain_customers: int,
        lanes: Sequence[ServerPool],
        item_limits: Sequence[float],
        basket_items: np.ndarray,
        patience_min: np.ndarray,
        recorder: Recorder,
        begin_service: Callable[[int, float, int, ServerPool, int], None],
        reneged: Callable[[int, float], None],
        open_lanes: Callable[[], list[int]],
    ):
        self.env = env
        self.gain = min_gain_customers
        self.lanes = lanes
        self.item_limits = item_limits
        self.basket_items = basket_items
        self.patience_min = patience_min
        self.recorder = recorder
        self._begin_service = begin_service
        self._reneged = reneged
        self._open_lanes = open_lanes
        self._tickets: dict[simpy.Event, _Ticket] = {}
        self._lane_of = {pool: k for k, pool in enumerate(lanes)}

    # -- a customer joins a line ------------------------------------------------------------------
    def wait(self, i: int, lane: int, pool: ServerPool) -> None:
        """Customer ``i`` queues at cashier lane ``lane``, ready to move."""
        ticket = _Ticket(i, self.env.now)
        self._place(ticket, lane, pool)
        patience = self.patience_min.item(i)
        if patience != math.inf:
            self.env.timeout(patience).callbacks.append(partial(self._patience_out, ticket))

    def _place(self, ticket: _Ticket, lane: int, pool: ServerPool) -> None:
        request = pool.request()
        ticket.lane, ticket.pool, ticket.request = lane, pool, request
        self._tickets[request] = ticket
        request.callbacks.append(partial(self._granted, ticket))

    def _granted(self, ticket: _Ticket, request: simpy.Event) -> None:
        del self._tickets[request]
        waited = self.env.now - ticket.arrived
        server = cast(int, request.value)
        self._begin_service(ticket.i, waited, ticket.lane, cast(ServerPool, ticket.pool), server)

    def _patience_out(self, ticket: _Ticket, _: simpy.Event) -> None:
        request = ticket.request
        if request is not None and not request.triggered:
            # Decided one zero-delay event later: a server freed at this instant still wins.
            self.env.timeout(0).callbacks.append(partial(self._renege, ticket))

    def _renege(self, ticket: _Ticket, _: simpy.Event) -> None:
        request, pool = ticket.request, ticket.pool
        if request is None or pool is None or request.triggered:
            return
        pool.cancel(request)
        del self._tickets[request]
        self._reneged(ticket.i, self.env.now - ticket.arrived)
        self.lane_shorter(ticket.lane)

    # -- moves -----------------------------------------------------------------------------------
    def left(self, pool: ServerPool) -> None:
        """A customer finished at ``pool``: if it is a cashier lane, it just got shorter."""
        lane = self._lane_of.get(pool)
        if lane is not None:
            self.lane_shorter(lane)

    def lanes_opened(self) -> None:
        """Lanes opened or closed: every open lane may now draw customers."""
        for lane in self._open_lanes():
            self.lane_shorter(lane)

    def lane_shorter(self, target: int) -> None:
        """Move last customers of longer lines to lane ``target`` while they gain enough."""
        pool = self.lanes[target]
        if not pool.accepting:
            return
        limit = self.item_limits[target]
        items = self.basket_items
        while True:
            ahead_here = pool.queue_length + pool.busy
            source: ServerPool | None = None
            longest = 0
            for other in self.lanes:
                waiting = other.queue_length
                if other is pool or waiting <= longest:
                    continue
                last = self._tickets.get(cast(simpy.Event, other.last_waiting()))
                if last is not None and items.item(last.i) <= limit:
                    source, longest = other, waiting
            if source is None or (longest - 1 + source.busy) - ahead_here < self.gain:
                return
            request = cast(simpy.Event, source.last_waiting())
            ticket = self._tickets.pop(request)
            source.cancel(request)
            self.recorder.jockeyed(ticket.i)
            self._place(ticket, target, pool)
