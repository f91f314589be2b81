"""Open cashier lanes kept in the order lane choice compares them, for O(log lanes) choices.

Scanning every open lane for every arriving customer costs O(lanes) per customer (issue 20:
10,000 lanes, 211 s for one day). Every policy but ``random`` only needs the open lane with the
fewest customers, waiting plus in service (ties to the lowest lane number), in each
item-limit class, so each class keeps
a lazy min-heap of its lanes:

* every change of a lane's line (a customer joins, starts, reneges, leaves) pushes the lane
  with its new count, an O(log) push in C, and leaves the old entry behind;
* a query pops entries that no longer hold (the lane's count moved on, or the lane closed)
  until the top one does; each entry is popped at most once;
* when stale entries outnumber the lanes, the heap is rebuilt from the lanes themselves
  (O(lanes), paid for by at least as many pushes before it): memory stays O(lanes).

An entry is one integer, ``count << LANE_BITS | lane``, so the heap compares plain ints and the
smallest entry is the smallest count with the lowest lane number: the tie rule of the policies
(the first option in lane order wins).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

import simpy

from checkoutsim.model.resources import ServerPool, TimeWeighted

__all__ = ["LANE_BITS", "IndexedLane", "LaneClass"]

LANE_BITS = 20
"""Bits for the lane number in a heap entry: up to about a million lanes (the schema allows
2,000, regular plus express)."""
_LANE_MASK = (1 << LANE_BITS) - 1


class LaneClass:
    """The open lanes of one item-limit class, ordered by (customers ahead, lane number).

    Customers ahead are those waiting plus the one in service, what both ``expected_wait`` and
    ``shortest_queue`` compare.
    """

    __slots__ = ("_heap", "_limit", "lanes", "open_ids")

    def __init__(self) -> None:
        self.lanes: dict[int, ServerPool] = {}
        self.open_ids: list[int] = []
        self._heap: list[int] = []
        self._limit = 16

    def reset(self, lanes: Iterable[tuple[int, ServerPool]]) -> None:
        """Make ``lanes`` (lane number, pool), in lane order, the open lanes of this class."""
        self.lanes = dict(lanes)
        self.open_ids = list(self.lanes)
        self._rebuild()

    @staticmethod
    def count(lane: ServerPool) -> int:
        """What the policies compare for ``lane``: customers waiting and in service."""
        return lane.queue_length + lane.busy

    def changed(self, lane_id: int, lane: ServerPool) -> None:
        """Lane ``lane_id``'s line changed: file it under its new count."""
        if lane_id in self.lanes:
            heap = self._heap
            heapq.heappush(heap, self.count(lane) << LANE_BITS | lane_id)
            if len(heap) > self._limit:
                self._rebuild()

    def best(self) -> int:
        """``count << LANE_BITS | lane`` of the open lane with the fewest, or -1 if none."""
        heap = self._heap
        lanes = self.lanes
        while heap:
            entry = heap[0]
            lane = lanes.get(entry & _LANE_MASK)
            if lane is not None and lane.queue_length + lane.busy == entry >> LANE_BITS:
                return entry
            heapq.heappop(heap)
        return -1

    def _rebuild(self) -> None:
        self._heap = [self.count(lane) << LANE_BITS | k for k, lane in self.lanes.items()]
        heapq.heapify(self._heap)
        self._limit = 2 * len(self._heap) + 16


class IndexedLane(ServerPool):
    """A one-server cashier lane that tells its :class:`LaneClass` whenever its line changes.

    Parameters
    ----------
    env : simpy.Environment
        The environment.
    lane_id : int
        The lane's number.
    lane_class : LaneClass
        The class the lane belongs to (open or not: the class ignores lanes it does not hold).
    queue_level, busy_level, duty_level : TimeWeighted
        As for :class:`ServerPool`.
    """

    __slots__ = ("lane_class", "lane_id")

    def __init__(
        self,
        env: simpy.Environment,
        lane_id: int,
        lane_class: LaneClass,
        *,
        queue_level: TimeWeighted,
        busy_level: TimeWeighted,
        duty_level: TimeWeighted,
    ):
        self.lane_id = lane_id
        self.lane_class = lane_class
        super().__init__(
            env,
            1,
            0,
            keep_one_while_queued=True,
            queue_level=queue_level,
            busy_level=busy_level,
            duty_level=duty_level,
        )

    def acquire(self) -> int | None:
        server = ServerPool.acquire(self)
        if server is not None:
            self.lane_class.changed(self.lane_id, self)
        return server

    def request(self) -> simpy.Event:
        event = ServerPool.request(self)
        self.lane_class.changed(self.lane_id, self)
        return event

    def cancel(self, event: simpy.Event) -> None:
        ServerPool.cancel(self, event)
        self.lane_class.changed(self.lane_id, self)

    def release(self, server_id: int) -> None:
        ServerPool.release(self, server_id)
        self.lane_class.changed(self.lane_id, self)

    def set_target(self, on_duty: int) -> None:
        ServerPool.set_target(self, on_duty)
        self.lane_class.changed(self.lane_id, self)
