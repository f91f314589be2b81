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
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from checkoutsim.model.recorder import Recorder
from checkoutsim.model.resources import ServerPool, TimeWeighted
from checkoutsim.scenario.schema import Scenario

__all__ = ["FaultSchedule", "KioskBank", "draw_faults", "run_faults"]


@dataclass(frozen=True)
class FaultSchedule:
    """The day's kiosk faults in time order (arrays of equal length).

    Not part of the customers' :class:`~checkoutsim.model.population.Population`: a fault
    belongs to the bank (its rate scales with ``kiosks.count``), so two plans with different
    banks still see the same customers.
    """

    fault_min: np.ndarray
    fault_kind: np.ndarray
    fault_repair_min: np.ndarray
    fault_kiosk: np.ndarray
    fault_walk_min: np.ndarray

    @property
    def size(self) -> int:
        """Number of faults drawn."""
        return int(self.fault_min.shape[0])


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
    pop: FaultSchedule,
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
    assigned = arrived = down
    if rank is not None:
        attendant = yield ask_help(kiosk, rank)
        assigned = env.now
        # The walk's end is recorded, not a timeout of its own: the events stay as they were.
        walked = walk_min(attendant, kiosk, walk)
        arrived = assigned + walked
        yield env.timeout(walked + repair)
        attendants.release(attendant)
    else:
        yield env.timeout(repair)
    recorder.fault(kind, kiosk, attendant, struck, down, assigned, env.now, arrived)
    bank.put_back(kiosk)


def draw_faults(scenario: Scenario, rng: np.random.Generator) -> FaultSchedule:
    """Kiosk faults of the day in time order: when, which kind, how long to repair.

    Each kind strikes the bank as a Poisson process of ``per_kiosk_hour`` x kiosks
    (``kiosks.count``) per hour over opening hours, at a kiosk drawn uniformly; the model skips
    a fault whose kiosk number is not below the number switched on (thinning), so the rate is
    per kiosk switched on. Drawn here so that a staffing change never shifts the faults
    (common random numbers).
    """
    day = float(scenario.store.day_length_min)
    times, kinds, repairs, kiosks = [], [], [], []
    for kind, fault in enumerate(scenario.kiosks.faults):
        rate = fault.per_kiosk_hour * scenario.kiosks.count / 60.0
        count = int(rng.poisson(rate * day))
        times.append(day * rng.random(count))
        kinds.append(np.full(count, kind, dtype=np.int64))
        repairs.append(fault.repair_min.sample(rng, count))
        kiosks.append(rng.integers(0, max(scenario.kiosks.count, 1), size=count))
    if not times:
        empty = np.empty(0)
        none = np.empty(0, dtype=np.int64)
        return FaultSchedule(empty, none, empty, none, empty)
    t = np.concatenate(times)
    order = np.argsort(t, kind="stable")
    return FaultSchedule(
        fault_min=t[order],
        fault_kind=np.concatenate(kinds)[order],
        fault_repair_min=np.concatenate(repairs)[order],
        fault_kiosk=np.concatenate(kiosks)[order],
        # The attendant's walk to an attendant-cleared fault (unused with a geometry).
        fault_walk_min=(
            np.zeros(t.shape[0])
            if scenario.attendants.walk_min is None
            else scenario.attendants.walk_min.sample(rng, t.shape[0])[order]
        ),
    )
