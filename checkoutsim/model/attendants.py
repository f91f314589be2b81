"""The attendants' side of a kiosk freeze: who takes which waiting freeze, and where they walk.

:class:`HelpDesk` is the attendants' :class:`~checkoutsim.model.resources.ServerPool` with a
dispatch rule and a kiosk-bank geometry:

* ``fcfs``: a free attendant takes the freeze that was noticed first;
* ``priority``: the lowest rank (``confusion[*].priority``, ``faults[*].priority``) first, first
  come among equal ranks;
* ``nearest``: the waiting kiosk nearest to where the attendant stands (first come among equal
  distances); a freeze noticed while several attendants are free gets the nearest of them.

With a geometry, each attendant has a position: they start the shift at ``station_m``, stand
at a kiosk after clearing it in person, and stay where they are for a remote clear. The walk
is distance over ``walk_m_per_min``.

A plain ``ServerPool`` (first come, walk times drawn per freeze) is used when the dispatch is
``fcfs`` and there is no geometry: the store then runs exactly as before this module existed.
"""

from __future__ import annotations

from typing import cast

import simpy

from checkoutsim.model.resources import ServerPool, TimeWeighted
from checkoutsim.scenario.schema import Attendants

__all__ = ["HelpDesk", "HelpRequest"]


class HelpRequest(simpy.Event):
    """A request for an attendant at ``kiosk``, ranked by ``rank`` (lower first), ``seq`` in
    order of asking."""

    __slots__ = ("kiosk", "rank", "seq")

    def __init__(self, env: simpy.Environment, kiosk: int, rank: int, seq: int):
        super().__init__(env)
        self.kiosk = kiosk
        self.rank = rank
        self.seq = seq


class HelpDesk(ServerPool):
    """Attendants with a dispatch rule and (optionally) positions along the kiosk bank.

    Parameters
    ----------
    env : simpy.Environment
    max_servers : int
        Most attendants on duty at once.
    config : Attendants
        The scenario's attendant settings (dispatch, geometry).
    kiosks : int
        Physical kiosks (positions ``0..kiosks-1``).
    queue_level, busy_level, duty_level : TimeWeighted
        As for :class:`~checkoutsim.model.resources.ServerPool`.
    """

    __slots__ = ("_kiosk_m", "_seq", "_speed", "_station", "dispatch", "position")

    def __init__(
        self,
        env: simpy.Environment,
        max_servers: int,
        config: Attendants,
        kiosks: int,
        *,
        queue_level: TimeWeighted,
        busy_level: TimeWeighted,
        duty_level: TimeWeighted,
    ):
        geometry = config.geometry
        self.dispatch = config.dispatch
        self._seq = 0
        if geometry is None:
            self._kiosk_m = [0.0] * kiosks
            self._station = 0.0
            self._speed = 1.0
        else:
            self._kiosk_m = geometry.kiosk_positions(kiosks)
            self._station = geometry.station_m
            self._speed = geometry.walk_m_per_min
        self.position = [self._station] * max_servers
        super().__init__(
            env,
            max_servers,
            0,
            keep_one_while_queued=False,
            queue_level=queue_level,
            busy_level=busy_level,
            duty_level=duty_level,
        )

    # -- the customer's (kiosk's) side ------------------------------------------------------------
    def ask(self, kiosk: int, rank: int) -> simpy.Event:
        """Ask for an attendant at ``kiosk``; the event's value is the attendant's id."""
        if self.dispatch == "fcfs":
            return self.request()  # first come: the plain pool's request, nothing to rank
        event = HelpRequest(self.env, kiosk, rank, self._seq)
        self._seq += 1
        idle = self._idle
        if idle:
            k = 0
            if self.dispatch == "nearest" and len(idle) > 1:
                here = self._kiosk_m[kiosk]
                pos = self.position
                k = min(range(len(idle)), key=lambda j: (abs(pos[idle[j]] - here), j))
            else:
                k = len(idle) - 1  # as ServerPool.request: the last attendant to come free
            self._grant(event, idle.pop(k))
        else:
            self._queue.append(event)
            self.queue_level.add(1)
        return event

    def walk_to(self, attendant: int, kiosk: int, drawn: float = 0.0) -> float:
        """Minutes for ``attendant`` to walk to ``kiosk``; the attendant is then there.

        ``drawn`` (a walk drawn per freeze, used without a geometry) is ignored: the signature
        matches the store's walk function so this method can be it.
        """
        target = self._kiosk_m[kiosk]
        minutes = abs(target - self.position[attendant]) / self._speed
        self.position[attendant] = target
        return minutes

    # -- dispatch ---------------------------------------------------------------------------------
    def _next_request(self, server_id: int) -> simpy.Event:
        queue = self._queue
        if self.dispatch == "fcfs" or len(queue) == 1:
            return queue.popleft()
        requests = cast(list[HelpRequest], list(queue))
        if self.dispatch == "priority":
            chosen = min(requests, key=lambda r: (r.rank, r.seq))
        else:
            here = self.position[server_id]
            kiosk_m = self._kiosk_m
            chosen = min(requests, key=lambda r: (abs(kiosk_m[r.kiosk] - here), r.seq))
        queue.remove(chosen)
        return chosen

    def _retire(self, server_id: int) -> None:
        # The next shift starts at the station.
        self.position[server_id] = self._station
        super()._retire(server_id)
