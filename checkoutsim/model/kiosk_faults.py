"""Kiosks out of order: faults that take a kiosk away until an attendant or a technician fixes it.

A fault (scanner fault, receipt paper out, cash box full) strikes the bank at a time drawn up
front (:func:`checkoutsim.model.population.draw_faults`). It takes the next kiosk to come free,
ahead of any waiting customer: the customer in hand finishes (paper runs out at the end of a
receipt, the cash box fills on a payment), then the kiosk is out of order. An attendant-cleared
fault joins the attendants' help queue like a freeze (walk + repair); a technician's fault keeps
the kiosk down for its whole repair time without attendant time. Then the kiosk serves again.

While out of order a kiosk counts as on duty but not busy (kiosk utilisation stays the
customers' share); the outages are recorded as their own rows (``RunColumns.faults``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator
from typing import Any

import simpy

from checkoutsim.model.population import Population
from checkoutsim.model.recorder import Recorder
from checkoutsim.model.resources import ServerPool, TimeWeighted
from checkoutsim.scenario.schema import Scenario

__all__ = ["KioskBank", "run_faults"]


class KioskBank(ServerPool):
    """The kiosk bank's pool, where a fault waiting for a kiosk goes before any customer."""

    __slots__ = ("_faults_waiting", "down_level")

    def __init__(self, env: simpy.Environment, max_servers: int, **levels: TimeWeighted):
        self._faults_waiting: deque[simpy.Event] = deque()
        self.down_level = TimeWeighted(env)
        super().__init__(env, max_servers, 0, keep_one_while_queued=True, **levels)

    def take_out(self) -> simpy.Event:
        """An event whose value is the kiosk that goes out of order (at once if one is idle)."""
        event = self.env.event()
        server = self.acquire()
        if server is None:
            self._faults_waiting.append(event)
        else:
            self._down(event, server)
        return event

    def put_back(self, server_id: int) -> None:
        """The repaired kiosk serves again (or goes off duty, or to the next fault)."""
        self.down_level.add(-1)
        self.busy_level.add(1)
        self.release(server_id)

    def release(self, server_id: int) -> None:
        if self._faults_waiting and not (self.servers > self.target and not self._must_stay()):
            # busy stays: the kiosk passes from its customer to the fault.
            self._down(self._faults_waiting.popleft(), server_id)
            return
        super().release(server_id)

    def _down(self, event: simpy.Event, server_id: int) -> None:
        self.busy_level.add(-1)
        self.down_level.add(1)
        event.succeed(server_id)


def run_faults(
    env: simpy.Environment,
    scenario: Scenario,
    pop: Population,
    bank: KioskBank,
    ask_help: Callable[[int, int], simpy.Event],
    walk_min: Callable[[int, int, float], float],
    attendants: ServerPool,
    recorder: Recorder,
) -> Generator[simpy.Event, Any, None]:
    """Process: strike each of the day's faults at its time, and fix it.

    ``ask_help(kiosk, rank)`` requests an attendant; ``walk_min(attendant, kiosk, drawn)``
    gives the walk: the drawn one, or by distance with a geometry (moving the attendant).
    """
    faults = scenario.kiosks.faults
    for t, kind, repair, kiosk_no, walk in zip(
        pop.fault_min.tolist(),
        pop.fault_kind.tolist(),
        pop.fault_repair_min.tolist(),
        pop.fault_kiosk.tolist(),
        pop.fault_walk_min.tolist(),
        strict=True,
    ):
        yield env.timeout(t - env.now)
        if kiosk_no >= bank.target:
            continue  # thinning: the drawn kiosk is switched off
        fault = faults[kind]
        env.process(
            _outage(
                env,
                bank,
                kind,
                repair,
                walk,
                fault.priority if fault.cleared_by == "attendant" else None,
                ask_help,
                walk_min,
                attendants,
                recorder,
            )
        )


def _outage(
    env: simpy.Environment,
    bank: KioskBank,
    kind: int,
    repair: float,
    walk: float,
    rank: int | None,
    ask_help: Callable[[int, int], simpy.Event],
    walk_min: Callable[[int, int, float], float],
    attendants: ServerPool,
    recorder: Recorder,
) -> Generator[simpy.Event, Any, None]:
    struck = env.now
    kiosk: int = yield bank.take_out()
    down = env.now
    attendant = -1
    assigned = down
    if rank is not None:
        attendant = yield ask_help(kiosk, rank)
        assigned = env.now
        yield env.timeout(walk_min(attendant, kiosk, walk) + repair)
        attendants.release(attendant)
    else:
        yield env.timeout(repair)
    recorder.fault(kind, kiosk, attendant, struck, down, assigned, env.now)
    bank.put_back(kiosk)
