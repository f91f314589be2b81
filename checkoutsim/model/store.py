"""The store as SimPy processes, and :func:`run_replication`, the one pure entry point.

Build, run, collect are separate phases: :class:`StoreModel` wires pools and processes from a
scenario and a population of pre-drawn customers; ``env.run()`` runs the day and the drain after
closing; the recorder's columns are the result. The simulation never touches files.

Customer journey::

    arrive -> pick a line (policy) -> balk? -> queue (renege if patience runs out)
           -> cashier: one service timeout (fixed + scanning + payment)
           -> kiosk:   scan ... freeze -> wait for an attendant -> attendant walks over
                       -> resolves -> scan on ... pay -> leave

Tie rule: when a customer's patience runs out at the very instant a server becomes free for
them, the customer is served (service wins).

Per-event cost decides how fast plans can be swept (docs/performance.md), so a journey is only
as much SimPy machinery as it needs: arriving, choosing and starting service happen in the
arrival step; waiting in line is a request and a patience timeout with callbacks; a service
without help is one timeout whose callback ends the visit; only a kiosk visit that meets
confusion events runs as a generator process (it waits for attendants several times).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from functools import partial
from typing import Any, cast

import numpy as np
import simpy

from checkoutsim.model.attendants import HelpDesk
from checkoutsim.model.backup import FloaterDesk, WatchedLevel
from checkoutsim.model.breaks import BREAK_FIELDS, BreakTaker
from checkoutsim.model.jockeying import Jockeying
from checkoutsim.model.kiosk_faults import FaultSchedule, KioskBank, draw_faults, run_faults
from checkoutsim.model.lane_index import LANE_BITS, IndexedLane, LaneClass
from checkoutsim.model.policies import POLICIES, Option
from checkoutsim.model.population import Population, PreferenceCode, draw_population
from checkoutsim.model.recorder import ChannelCode, Recorder, RunColumns
from checkoutsim.model.resources import ServerPool, TimeWeighted
from checkoutsim.model.streams import Source, Streams
from checkoutsim.scenario.schema import Scenario

__all__ = [
    "DRAIN_LIMIT_MIN",
    "FLOATER_FIELDS",
    "KIOSK",
    "MAX_SAMPLES",
    "DayDidNotDrainError",
    "StoreModel",
    "TimeSeriesTooLongError",
    "run_replication",
]

KIOSK = -1
"""What :meth:`StoreModel._choose` returns for the kiosk bank (a cashier lane is its index)."""

DRAIN_LIMIT_MIN = 360.0
"""Minutes after closing by which the store must be empty (6 hours): a day still not drained
then raises :class:`DayDidNotDrainError` instead of running for ever. A real store that has not
served its last customer six hours after closing is not a staffing plan but a broken scenario
(nobody staffed for a queue, or service times of days)."""

MAX_SAMPLES = 200_000
"""Most time-series rows a day may ask for: ``(close + drain limit) / sample_interval_min``.
A finer interval is refused (:class:`TimeSeriesTooLongError`), not silently coarsened: 200,000
rows of 19 float64 columns are 30 MB per day, a 0.54-second interval over a 24-hour day."""

FLOATER_FIELDS = ("floaters_staffing", "floaters_staffing_avg")
"""Time-series columns a scenario with ``cashiers.backup`` adds after the usual ones: floaters
staffing a lane at the row's time, and on average over the interval (paid floater time)."""

_HOUR_MIN = 60.0
_LANE_MASK = (1 << LANE_BITS) - 1


def _nothing() -> None:
    """A watcher that does nothing (until the floater desk is built)."""


class DayDidNotDrainError(ValueError):
    """The store still had customers inside ``DRAIN_LIMIT_MIN`` minutes after closing."""


class TimeSeriesTooLongError(ValueError):
    """``run.sample_interval_min`` is so small that the time series could not be held."""


def run_replication(
    scenario: Scenario, rep: int, seed: int, *, drain_limit_min: float = DRAIN_LIMIT_MIN
) -> RunColumns:
    """Simulate one store day.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    rep : int
        Replication number (0-based); selects the random streams.
    seed : int
        Root seed (any non-negative integer; ``numpy.random.SeedSequence`` takes big ones).
    drain_limit_min : float
        Minutes after closing by which the store must be empty.

    Returns
    -------
    RunColumns
        Customer, assist and time-series columns as numpy arrays.

    Raises
    ------
    DayDidNotDrainError
        If customers are still inside ``drain_limit_min`` minutes after closing.
    TimeSeriesTooLongError
        If ``run.sample_interval_min`` would give more than :data:`MAX_SAMPLES` rows.

    Notes
    -----
    Pure: the same (scenario, rep, seed) gives identical columns in any process.
    """
    streams = Streams(seed, rep)
    population = draw_population(scenario, streams)
    faults = draw_faults(scenario, streams.generator(Source.FAULTS))
    model = StoreModel(scenario, population, faults=faults, drain_limit_min=drain_limit_min)
    return model.run()


class StoreModel:
    """One store day: pools, processes and recorder for a scenario and its customers.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    population : Population
        The day's customers, drawn up front.
    drain_limit_min : float
        Minutes after closing by which the store must be empty
        (:class:`DayDidNotDrainError` otherwise).
    indexed_lanes : bool
        Choose lanes through a :class:`~checkoutsim.model.lane_index.LaneClass` index (True,
        O(log lanes) per customer) or by scanning every open lane (False, O(lanes), the
        reference the index is tested against). Both give identical results.
    """

    def __init__(
        self,
        scenario: Scenario,
        population: Population,
        *,
        faults: FaultSchedule | None = None,
        drain_limit_min: float = DRAIN_LIMIT_MIN,
        indexed_lanes: bool = True,
    ):
        self.scenario = scenario
        self.pop = population
        self.faults = faults
        self.env = simpy.Environment()
        env = self.env
        self.close_min = float(scenario.store.day_length_min)
        self.horizon_min = self.close_min + float(drain_limit_min)
        interval = scenario.run.sample_interval_min
        if self.horizon_min / interval > MAX_SAMPLES:
            raise TimeSeriesTooLongError(
                f"run.sample_interval_min = {interval:g} would give up to "
                f"{self.horizon_min / interval:,.0f} time-series rows per day (closing plus the "
                f"{drain_limit_min:g}-minute drain limit); at most {MAX_SAMPLES:,} are allowed, "
                f"so use at least {self.horizon_min / MAX_SAMPLES:.3g} minutes"
            )
        self.in_store = 0
        self.arrivals_done = False
        self.closed = False
        # Succeeds with True when the day is over (closed, everyone left), False at the horizon.
        self._stop = env.event()
        self._last_sample_min = 0.0
        backup = scenario.cashiers.backup

        # Time-weighted levels shared by pools of one kind. With a backup rule the queue
        # counters are watched: every change lets the rule look at the lines.
        self.cashier_queue = TimeWeighted(env) if backup is None else WatchedLevel(env, _nothing)
        self.cashier_busy = TimeWeighted(env)
        self.cashier_duty = TimeWeighted(env)
        self.kiosk_queue = TimeWeighted(env) if backup is None else WatchedLevel(env, _nothing)
        self.kiosk_busy = TimeWeighted(env)
        self.kiosk_duty = TimeWeighted(env)
        self.help_queue = TimeWeighted(env)
        self.attendant_busy = TimeWeighted(env)
        self.attendant_duty = TimeWeighted(env)
        self.floater_staffing = TimeWeighted(env)
        self.cashiers_on_break = TimeWeighted(env)
        self.attendants_on_break = TimeWeighted(env)
        self._levels = [
            self.cashier_queue,
            self.kiosk_queue,
            self.help_queue,
            self.cashier_duty,
            self.cashier_busy,
            self.kiosk_duty,
            self.kiosk_busy,
            self.attendant_duty,
            self.attendant_busy,
        ]
        if backup is not None:
            self._levels.append(self.floater_staffing)
        if scenario.breaks:
            self._levels += [self.cashiers_on_break, self.attendants_on_break]
        self._previous_areas = [0.0] * len(self._levels)

        cashiers = scenario.cashiers
        express = cashiers.express
        self.regular_lanes = cashiers.lanes
        self.express_lanes = express.lanes if express else 0
        self.express_limit = express.item_limit if express else 0
        first = scenario.staffing[0]
        self.lane_choice = scenario.run.lane_choice
        lane_count = self.regular_lanes + self.express_lanes
        # The index costs the same as a scan at weekday's 2-6 open lanes and wins from about
        # ten (docs/performance.md), so it is always on; the scan is the tested reference.
        self.indexed = indexed_lanes
        self.regular_class = LaneClass()
        self.express_class = LaneClass()
        self.lanes: list[ServerPool] = [
            IndexedLane(
                env,
                k,
                self.regular_class if k < self.regular_lanes else self.express_class,
                queue_level=self.cashier_queue,
                busy_level=self.cashier_busy,
                duty_level=self.cashier_duty,
            )
            if self.indexed
            else ServerPool(
                env,
                1,
                0,
                keep_one_while_queued=True,
                queue_level=self.cashier_queue,
                busy_level=self.cashier_busy,
                duty_level=self.cashier_duty,
            )
            for k in range(lane_count)
        ]
        self.kiosks: ServerPool
        if scenario.kiosks.faults:
            self.kiosks = KioskBank(
                env,
                scenario.kiosks.count,
                queue_level=self.kiosk_queue,
                busy_level=self.kiosk_busy,
                duty_level=self.kiosk_duty,
            )
        else:
            self.kiosks = ServerPool(
                env,
                scenario.kiosks.count,
                0,
                keep_one_while_queued=True,
                queue_level=self.kiosk_queue,
                busy_level=self.kiosk_busy,
                duty_level=self.kiosk_duty,
            )
        max_attendants = max(block.attendants for block in scenario.staffing)
        self._init_attendants(scenario, max_attendants)
        servers = max(len(self.lanes), scenario.kiosks.count, max_attendants)
        event_counts = np.diff(population.event_start)
        self.recorder = Recorder(
            population.size,
            servers=servers,
            causes=len(scenario.kiosks.confusion),
            assists_per_customer=int(event_counts.max()) if event_counts.size else 0,
            extra_timeseries=(() if backup is None else FLOATER_FIELDS)
            + (BREAK_FIELDS if scenario.breaks else ()),
            jockeying=scenario.customers.jockeying is not None,
        )
        self._open_lanes: list[tuple[int, ServerPool, float]] = []
        jockeying = scenario.customers.jockeying
        self.jockeying: Jockeying | None = None
        # The end of a service without help; with jockeying a lane that gets shorter is
        # offered to the back of longer lines (chosen once here: no test per customer).
        self._service_done_callback = self._service_done
        if jockeying is not None:
            limits = [math.inf] * self.regular_lanes + [float(self.express_limit)] * (
                lane_count - self.regular_lanes
            )
            self.jockeying = Jockeying(
                env,
                jockeying.min_gain_customers,
                self.lanes,
                limits,
                population.basket_items,
                population.patience_min,
                self.recorder,
                self._begin_lane_service,
                self._reneged_from_lane,
                lambda: [k for k, _, _ in self._open_lanes],
            )
            self._service_done_callback = self._service_done_and_jockey
        self.desk: FloaterDesk | None = None
        if backup is not None:
            self.desk = FloaterDesk(
                env,
                backup,
                self.lanes,
                self.regular_lanes,
                self.cashier_queue,
                self.kiosk_queue,
                self.floater_staffing,
                self._open_lane_count,
                self._lanes_changed,
            )
            cast(WatchedLevel, self.cashier_queue).watcher = self.desk.check
            cast(WatchedLevel, self.kiosk_queue).watcher = self.desk.check
        # The first block's staff are in place before the first customer (no shift change
        # as the very first event).
        self._apply_staffing(first)
        self.breaks: BreakTaker | None = None
        if scenario.breaks:
            self.breaks = BreakTaker(
                env,
                scenario,
                self.lanes,
                self.attendants,
                self.desk,
                self._lanes_changed,
                self.cashiers_on_break,
                self.attendants_on_break,
            )

        self.policy = POLICIES[scenario.run.lane_choice]
        self.kiosk_limit = scenario.customers.kiosk_item_limit or math.inf
        # What customers expect service to take, per item and fixed, for lane choice.
        self.cashier_fixed_mean = cashiers.fixed_min.mean + scenario.customers.payment_min.mean
        self.cashier_item_mean = cashiers.scan_min_per_item.mean
        kiosks = scenario.kiosks
        self.kiosk_fixed_mean = kiosks.fixed_min.mean + scenario.customers.payment_min.mean
        self.kiosk_item_mean = kiosks.scan_min_per_item.mean
        basket_mean = scenario.customers.basket_items.mean
        self.cashier_service_mean = self.cashier_fixed_mean + self.cashier_item_mean * basket_mean
        self.kiosk_service_mean = self.kiosk_fixed_mean + self.kiosk_item_mean * basket_mean
        switching = scenario.customers.switching
        self.never_kiosk_tolerance_min = switching.never_kiosk_tolerance_min if switching else None
        self.kiosk_tolerance_min = switching.kiosk_tolerance_min if switching else None
        balking = scenario.customers.balking
        self.balk_mid = balking.midpoint_queue_length if balking else math.inf
        self.balk_slope = balking.steepness_per_customer if balking else 0.0

    # -- phases -------------------------------------------------------------------------------
    def run(self) -> RunColumns:
        """Run the day and the drain; return the recorded columns.

        The day ends at closing or, if customers are still inside then, when the last one
        leaves; the time series ends there too (its last interval may be shorter), so no
        staffed minute after the day is counted.

        Raises
        ------
        DayDidNotDrainError
            If customers are still inside at closing plus the drain limit.
        """
        env = self.env
        env.process(self._arrivals())
        env.process(self._staffing())
        env.process(self._sampler())
        env.process(self._closing())
        if isinstance(self.kiosks, KioskBank) and self.faults is not None and self.faults.size:
            env.process(
                run_faults(
                    env,
                    self.scenario,
                    self.faults,
                    self.kiosks,
                    self._ask_help,
                    self._walk_min,
                    self.attendants,
                    self.recorder,
                )
            )
        env.timeout(self.horizon_min).callbacks.append(self._horizon)
        env.run(until=self._stop)
        if not self._stop.value:
            raise DayDidNotDrainError(self._not_drained_message())
        self._sample(env.now, final=True)
        return self.recorder.columns(self.pop.arrival_min, self.pop.basket_items, env.now)

    # -- end of the day ------------------------------------------------------------------------
    def _check_drained(self) -> None:
        """End the day if the store is closed, every customer has come, and nobody is inside."""
        if self.closed and self.arrivals_done and self.in_store == 0 and not self._stop.triggered:
            self._stop.succeed(True)

    def _closing(self) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(self.close_min)
        self.closed = True
        self._check_drained()

    def _horizon(self, _: simpy.Event) -> None:
        if not self._stop.triggered:
            self._stop.succeed(False)

    def _not_drained_message(self) -> str:
        waiting = [
            (f"cashier lane {k + 1}", lane.queue_length)
            for k, lane in enumerate(self.lanes)
            if lane.queue_length
        ]
        waiting += [
            ("kiosk bank", self.kiosks.queue_length),
            ("attendant help", self.attendants.queue_length),
        ]
        lines = ", ".join(f"{name}: {count:,} waiting" for name, count in waiting if count)
        in_service = (
            f"{sum(lane.busy for lane in self.lanes):,} at a cashier, "
            f"{self.kiosks.busy:,} at a kiosk"
        )
        return (
            f"the day did not drain: {self.in_store:,} customers still inside "
            f"{self.horizon_min - self.close_min:g} minutes after closing "
            f"(at {self.horizon_min:g} min); queues that never emptied: "
            f"{lines or 'none (every line is empty)'}; in service: {in_service}. "
            "Check that someone is staffed to serve every line until closing and that "
            "service, resolution and walk times are minutes, not days"
        )

    # -- processes -----------------------------------------------------------------------------
    def _arrivals(self) -> Generator[simpy.Event, Any, None]:
        env = self.env
        for i, t in enumerate(self.pop.arrival_min.tolist()):
            yield env.timeout(t - env.now)
            self.in_store += 1
            self._arrive(i)
        self.arrivals_done = True
        self._check_drained()

    def _staffing(self) -> Generator[simpy.Event, Any, None]:
        env = self.env
        for block in self.scenario.staffing[1:]:
            # Block boundaries from the block's own start, not cumulative sums of lengths.
            start = float(self.scenario.minutes_after_open(block.start))
            yield env.timeout(start - env.now)
            self._apply_staffing(block)

    def _sampler(self) -> Generator[simpy.Event, Any, None]:
        """Sample every interval and at every clock hour, until the run stops.

        Rows fall on ``k * sample_interval_min`` and on every full clock hour (so averages by
        hour are exact whatever the interval); :meth:`run` adds the last row at the end of the
        day. A tick within a billionth of an hour boundary is taken as the boundary.
        """
        env = self.env
        interval = self.scenario.run.sample_interval_min
        open_min = self.scenario.store.open_min
        # Minutes after opening of the first full clock hour after opening.
        hour = _HOUR_MIN * math.floor(open_min / _HOUR_MIN) + _HOUR_MIN - open_min
        k = 1
        while True:
            tick = k * interval
            if abs(tick - hour) <= 1e-9 * hour:
                tick = hour
            t = min(tick, hour)
            if t >= self.horizon_min:
                return
            yield env.timeout(t - env.now)
            self._sample(t, final=False)
            if t == tick:
                k += 1
            if t == hour:
                hour += _HOUR_MIN

    def _sample(self, t: float, *, final: bool) -> None:
        """Record the levels at ``t`` and their averages since the previous row."""
        width = t - self._last_sample_min
        if width <= 0.0 or (final and width <= 1e-9 * t):
            # Nothing since the last row (or a sliver of round-off at the very end).
            return
        levels = self._levels
        areas = [lv.integral() for lv in levels]
        avgs = [(a - p) / width for a, p in zip(areas, self._previous_areas, strict=True)]
        self._previous_areas = areas
        self._last_sample_min = t
        self.recorder.sample(
            (
                t,
                self.cashier_queue.level,
                self.kiosk_queue.level,
                self.help_queue.level,
                len(self._open_lanes),
                self.cashier_busy.level,
                self.kiosks.target,
                self.kiosk_busy.level,
                self.attendants.servers,
                self.attendant_busy.level,
                *avgs[:9],
                *(() if self.desk is None else (self.floater_staffing.level, avgs[9])),
                *self._break_values(avgs),
            )
        )

    def _break_values(self, avgs: list[float]) -> tuple[float, ...]:
        """The :data:`BREAK_FIELDS` of a time-series row (none without breaks)."""
        if self.breaks is None:
            return ()
        return (
            self.cashiers_on_break.level,
            self.attendants_on_break.level,
            avgs[-2],
            avgs[-1],
        )

    def _arrive(self, i: int) -> None:
        """Customer ``i`` walks up to the checkouts: choose a line, balk, or start service.

        Runs inside the arrivals process, at the arrival instant. Only a customer who must
        wait, or whose kiosk visit needs an attendant, gets a SimPy process of their own; a
        plain service is a single timeout whose callback lets the customer leave (two events
        fewer per customer than a process: no start-up and no end-of-process event).
        """
        rec = self.recorder
        lane = self._choose(i)
        if lane is None:
            # Nowhere this customer may check out (basket over every limit that is open).
            rec.balked(i, self.env.now)
            self.in_store -= 1
            if not self.in_store:
                self._check_drained()
            return
        is_kiosk = lane == KIOSK
        pool = self.kiosks if is_kiosk else self.lanes[lane]
        waiting = pool.queue_length
        rec.choice(i, ChannelCode.KIOSK if is_kiosk else ChannelCode.CASHIER, lane, waiting)
        if waiting > 0 and self._balks(i, waiting):
            rec.balked(i, self.env.now)
            self.in_store -= 1
            if not self.in_store:
                self._check_drained()
            return
        # A free server is taken without a SimPy event: most customers never queue.
        server = pool.acquire()
        if server is None:
            if self.jockeying is not None and not is_kiosk:
                self.jockeying.wait(i, lane, pool)
            else:
                self._wait(i, is_kiosk, lane, pool)
            return
        visit = self._begin_service(i, 0.0, is_kiosk, lane, pool, server)
        if visit is not None:
            self.env.process(visit)

    def _wait(self, i: int, is_kiosk: bool, lane: int, pool: ServerPool) -> None:
        """Customer ``i`` queues for ``pool``: served when granted, or reneges on patience.

        Callbacks rather than a process: the grant's callback starts service, the patience
        timeout's callback starts the renege. Like ``yield request | timeout`` in a process,
        the renege is decided one zero-delay event after patience ran out, so a server freed
        at that very instant still wins the tie (service wins).
        """
        env = self.env
        arrived = env.now
        request = pool.request()
        request.callbacks.append(partial(self._granted, i, arrived, is_kiosk, lane, pool))
        patience = self.pop.patience_min.item(i)
        if patience != math.inf:
            out = partial(self._patience_out, i, arrived, pool, request)
            env.timeout(patience).callbacks.append(out)

    def _granted(
        self,
        i: int,
        arrived: float,
        is_kiosk: bool,
        lane: int,
        pool: ServerPool,
        request: simpy.Event,
    ) -> None:
        now = self.env.now
        server = cast(int, request.value)
        visit = self._begin_service(i, now - arrived, is_kiosk, lane, pool, server)
        if visit is not None:
            self.env.process(visit)

    def _patience_out(
        self, i: int, arrived: float, pool: ServerPool, request: simpy.Event, _: simpy.Event
    ) -> None:
        if not request.triggered:
            self.env.timeout(0).callbacks.append(partial(self._renege, i, arrived, pool, request))

    def _renege(
        self, i: int, arrived: float, pool: ServerPool, request: simpy.Event, _: simpy.Event
    ) -> None:
        if request.triggered:  # served wins a tie with patience
            return
        pool.cancel(request)
        now = self.env.now
        self.recorder.reneged(i, now - arrived, now)
        self.in_store -= 1
        if not self.in_store:
            self._check_drained()

    def _begin_service(
        self, i: int, waited: float, is_kiosk: bool, lane: int, pool: ServerPool, server: int
    ) -> Generator[simpy.Event, Any, None] | None:
        """Start serving customer ``i``, who waited ``waited`` minutes in line.

        A service without help (every cashier service, a kiosk visit without confusion) is
        one timeout whose callback ends the visit; ``None`` is returned. A kiosk visit with
        confusion events is returned as a generator for the caller to run as (part of) a
        process.
        """
        env = self.env
        pop = self.pop
        now = env.now
        self.recorder.service_started(i, server if is_kiosk else lane, waited, now)
        if not is_kiosk:
            duration = pop.cashier_service_min.item(i)
        elif pop.event_start.item(i) == pop.event_start.item(i + 1):
            duration = pop.kiosk_work_min.item(i) + pop.payment_min.item(i)
        else:
            return self._assisted_kiosk_visit(i, pool, server)
        # The end of service as a callback on the timeout itself: no process to resume.
        env.timeout(duration, (i, pool, server)).callbacks.append(self._service_done_callback)
        return None

    def _service_done(self, event: simpy.Event) -> None:
        i, pool, server = cast(tuple[int, ServerPool, int], event.value)
        self._leave(i, pool, server)

    def _begin_lane_service(
        self, i: int, waited: float, lane: int, pool: ServerPool, server: int
    ) -> None:
        self._begin_service(i, waited, False, lane, pool, server)

    def _reneged_from_lane(self, i: int, waited: float) -> None:
        now = self.env.now
        self.recorder.reneged(i, waited, now)
        self.in_store -= 1
        if not self.in_store:
            self._check_drained()

    def _service_done_and_jockey(self, event: simpy.Event) -> None:
        i, pool, server = cast(tuple[int, ServerPool, int], event.value)
        self._leave(i, pool, server)
        cast(Jockeying, self.jockeying).left(pool)

    def _assisted_kiosk_visit(
        self, i: int, pool: ServerPool, kiosk: int
    ) -> Generator[simpy.Event, Any, None]:
        yield from self._kiosk_visit(i, kiosk)
        self._leave(i, pool, kiosk)

    def _leave(self, i: int, pool: ServerPool, server: int) -> None:
        pool.release(server)
        self.recorder.served(i, self.env.now)
        self.in_store -= 1
        if not self.in_store:
            self._check_drained()

    def _kiosk_visit(self, i: int, kiosk: int) -> Generator[simpy.Event, Any, None]:
        env = self.env
        pop = self.pop
        work = float(pop.kiosk_work_min[i])
        first, last = int(pop.event_start[i]), int(pop.event_start[i + 1])
        done = 0.0
        for e in range(first, last):
            at = float(pop.event_position[e]) * work
            if at > done:
                yield env.timeout(at - done)
                done = at
            stuck = env.now
            cause = int(pop.event_cause[e])
            notice = float(pop.event_notice_min[e])
            if self.notice_growth:
                # Attention split over the lights already on, per attendant on duty.
                open_each = self.open_freezes / max(self.attendants.servers, 1)
                notice *= 1.0 + self.notice_growth * open_each
            self.open_freezes += 1
            if notice > 0.0:
                # Unnoticed, the freeze already waits for help (help_queue counts it).
                help_queue = self.help_queue
                help_queue.add(1)
                yield env.timeout(notice)
                help_queue.add(-1)
            noticed = env.now
            help_request = self._ask_help(kiosk, self.cause_rank[cause])
            attendant: int = cast(
                int, help_request.value if help_request.triggered else (yield help_request)
            )
            assigned = env.now
            if self.cause_remote[cause]:
                walk = 0.0  # cleared from a handheld: no walk, the attendant stays put
            else:
                walk = self._walk_min(attendant, kiosk, float(pop.event_walk_min[e]))
            yield env.timeout(walk)
            arrived = env.now
            yield env.timeout(float(pop.event_resolve_min[e]))
            self.attendants.release(attendant)
            self.open_freezes -= 1
            self.recorder.assist(
                i, cause, kiosk, attendant, stuck, assigned, arrived, env.now, noticed
            )
        yield env.timeout(work - done + float(pop.payment_min[i]))

    # -- attendants ---------------------------------------------------------------------------
    def _init_attendants(self, scenario: Scenario, max_attendants: int) -> None:
        """The attendants' pool, dispatch and the per-cause clearing rules."""
        config = scenario.attendants
        self.attendants: ServerPool
        if config.dispatch == "fcfs" and config.geometry is None:
            # First come and drawn walks: the plain pool, exactly the store before dispatch
            # rules and geometry existed.
            pool = ServerPool(
                self.env,
                max_attendants,
                0,
                keep_one_while_queued=False,
                queue_level=self.help_queue,
                busy_level=self.attendant_busy,
                duty_level=self.attendant_duty,
            )
            self.attendants = pool
            self._ask_help: Callable[[int, int], simpy.Event] = lambda kiosk, rank: pool.request()
            self._walk_min: Callable[[int, int, float], float] = lambda a, k, drawn: drawn
        else:
            desk = HelpDesk(
                self.env,
                max_attendants,
                config,
                scenario.kiosks.count,
                queue_level=self.help_queue,
                busy_level=self.attendant_busy,
                duty_level=self.attendant_duty,
            )
            self.attendants = desk
            self._ask_help = desk.ask
            if config.geometry is None:
                self._walk_min = lambda a, k, drawn: drawn
            else:
                self._walk_min = desk.walk_to
        causes = scenario.kiosks.confusion
        self.cause_remote = [cause.clearing == "remote" for cause in causes]
        self.cause_rank = [cause.priority for cause in causes]
        self.notice_growth = config.notice_growth_per_open_freeze
        self.open_freezes = 0

    # -- decisions ----------------------------------------------------------------------------
    def _choose(self, i: int) -> int | None:
        """The cashier lane customer ``i`` joins, :data:`KIOSK`, or None (nowhere to go).

        Options are built only when the customer has a choice to make; a customer who goes
        straight to the kiosks (or has nowhere else) costs no option objects.
        """
        pop = self.pop
        items = pop.basket_items.item(i)
        preference = pop.preference.item(i)
        kiosk_ok = self.kiosks.accepting and items <= self.kiosk_limit
        if kiosk_ok and preference == PreferenceCode.PREFER_KIOSK:
            if self.kiosk_tolerance_min is None:
                return KIOSK
            return self._kiosk_customer_switches(i, items)
        if self.never_kiosk_tolerance_min is not None and preference == PreferenceCode.NEVER_KIOSK:
            return self._cashier_customer_switches(i, items, kiosk_ok)
        # _choose_line inlined: one call fewer per customer on the hot path.
        if self.indexed:
            flexible = kiosk_ok and preference == PreferenceCode.FLEXIBLE
            return self._choose_indexed(i, items, flexible, kiosk_ok)
        return self._choose_by_scan(i, items, preference, kiosk_ok)

    def _choose_line(self, i: int, items: int, preference: int, kiosk_ok: bool) -> int | None:
        """The line the policy picks for customer ``i`` (a never-kiosk customer: a lane)."""
        if self.indexed:
            return self._choose_indexed(
                i, items, kiosk_ok and preference == PreferenceCode.FLEXIBLE, kiosk_ok
            )
        return self._choose_by_scan(i, items, preference, kiosk_ok)

    def _choose_indexed(self, i: int, items: int, flexible: bool, kiosk_ok: bool) -> int | None:
        """:meth:`_choose_by_scan`'s answer from the lane index, without looking at every lane.

        The first open lane (in lane order) with the fewest customers is the head of its
        class's heap; a flexible customer then weighs it against the kiosk bank exactly as the
        policy weighs the options (cashier lanes first, so the kiosk wins only when strictly
        better).
        """
        express_ok = items <= self.express_limit
        if self.lane_choice == "random":
            regular = self.regular_class.open_ids
            express = self.express_class.open_ids if express_ok else []
            n = len(regular) + len(express) + flexible
            if n == 0:
                return KIOSK if kiosk_ok else None
            k = min(int(self.pop.choice_u.item(i) * n), n - 1)
            if k < len(regular):
                return regular[k]
            k -= len(regular)
            return express[k] if k < len(express) else KIOSK
        best = self.regular_class.best()
        if express_ok:
            other = self.express_class.best()
            if other >= 0 and (best < 0 or other < best):
                best = other
        if best < 0:
            return KIOSK if kiosk_ok else None
        lane = best & _LANE_MASK
        count = best >> LANE_BITS
        if self.lane_choice == "shortest_queue":
            return KIOSK if flexible and self._kiosk_ahead() < count else lane
        own = self.cashier_fixed_mean + self.cashier_item_mean * items
        total = count * self.cashier_service_mean + own
        if (count + 1) * self.cashier_service_mean + own == total:
            # Lanes with more customers would tie in floating point (a zero or vanishing mean
            # service time): only the scan knows which comes first.
            return self._choose_by_scan(i, items, self.pop.preference.item(i), kiosk_ok)
        if flexible:
            kiosk = self._kiosk_option(items)
            if kiosk.expected_wait_min + kiosk.own_service_min < total:
                return KIOSK
        return lane

    def _choose_by_scan(self, i: int, items: int, preference: int, kiosk_ok: bool) -> int | None:
        """Build an option per open lane the customer may use (and the kiosks) for the policy."""
        pop = self.pop
        options: list[Option] = []
        own_cashier = self.cashier_fixed_mean + self.cashier_item_mean * items
        for lane_index, lane, item_limit in self._open_lanes:
            if items > item_limit:
                continue
            waiting = lane.queue_length
            ahead = waiting + lane.busy
            options.append(
                Option(
                    False,
                    lane_index,
                    waiting,
                    ahead,
                    ahead * self.cashier_service_mean,
                    own_cashier,
                )
            )
        if kiosk_ok and preference == PreferenceCode.FLEXIBLE:
            options.append(self._kiosk_option(items))
        if not options:
            # A never-kiosk customer with no lane open uses a kiosk after all.
            return KIOSK if kiosk_ok else None
        return options[self.policy(options, pop.choice_u.item(i))].lane

    # -- switching channel (issue 13) ---------------------------------------------------------
    def _lane_wait_min(self, lane: int) -> float:
        """The wait a customer sees at cashier lane ``lane``: customers ahead x mean service."""
        pool = self.lanes[lane]
        return (pool.queue_length + pool.busy) * self.cashier_service_mean

    def _cashier_customer_switches(self, i: int, items: int, kiosk_ok: bool) -> int | None:
        """A never-kiosk customer's lane, or the kiosks if the lane's wait is past tolerance.

        They switch only when the kiosks look quicker than the lane they would have joined.
        """
        lane = self._choose_line(i, items, PreferenceCode.NEVER_KIOSK, kiosk_ok)
        if lane is None or lane == KIOSK or not kiosk_ok:
            return lane
        seen = self._lane_wait_min(lane)
        tolerance = cast(float, self.never_kiosk_tolerance_min)
        if seen > tolerance and self._kiosk_option(items).expected_wait_min < seen:
            self.recorder.switched(i)
            return KIOSK
        return lane

    def _kiosk_customer_switches(self, i: int, items: int) -> int:
        """A prefer-kiosk customer's kiosks, or a lane if the kiosk wait is past tolerance.

        The lane is the one the policy would pick among lanes; they switch only when it looks
        quicker than the kiosks.
        """
        seen = self._kiosk_option(items).expected_wait_min
        if seen <= cast(float, self.kiosk_tolerance_min):
            return KIOSK
        lane = self._choose_line(i, items, PreferenceCode.NEVER_KIOSK, False)
        if lane is None or self._lane_wait_min(lane) >= seen:
            return KIOSK
        self.recorder.switched(i)
        return lane

    def _kiosk_option(self, items: int) -> Option:
        kiosks = self.kiosks
        waiting = kiosks.queue_length
        if kiosks.idle > 0:
            expected = 0.0
        else:
            # Next of (waiting + 1) customers to get one of `servers` kiosks.
            expected = (waiting + 1) * self.kiosk_service_mean / max(kiosks.servers, 1)
        own = self.kiosk_fixed_mean + self.kiosk_item_mean * items
        return Option(True, -1, waiting, self._kiosk_ahead(), expected, own)

    def _kiosk_ahead(self) -> int:
        """Customers ahead at the kiosk bank: 0 if a kiosk is free, else those waiting + 1."""
        kiosks = self.kiosks
        return 0 if kiosks.idle > 0 else kiosks.queue_length + 1

    def _balks(self, i: int, waiting: int) -> bool:
        if self.balk_slope == 0.0:
            return False
        x = -self.balk_slope * (waiting - self.balk_mid)
        # The logistic 1 / (1 + exp(x)) without overflow: exp overflows past x = 709.78, where
        # the probability is below 1e-308 (and 0.0 in floating point anyway).
        p = 0.0 if x > 700.0 else 1.0 / (1.0 + math.exp(x))
        return self.pop.balk_u.item(i) < p

    # -- staffing -----------------------------------------------------------------------------
    def _apply_staffing(self, block: Any) -> None:
        desk = self.desk
        if desk is None:
            for lane_index, lane in enumerate(self.lanes):
                if lane_index < self.regular_lanes:
                    lane.set_target(1 if lane_index < block.cashiers else 0)
                else:
                    express_index = lane_index - self.regular_lanes
                    lane.set_target(1 if express_index < block.express_cashiers else 0)
        else:
            regular = self.regular_lanes

            def scheduled(k: int) -> bool:
                return k < block.cashiers if k < regular else k - regular < block.express_cashiers

            # A floater whose lane is now on the roster hands it over; the others keep theirs.
            desk.hand_over(scheduled)
            for lane_index, lane in enumerate(self.lanes):
                lane.set_target(1 if scheduled(lane_index) or desk.holds(lane_index) else 0)
        kiosks_on = self.scenario.kiosks.count if block.kiosks is None else block.kiosks
        self.kiosks.set_target(kiosks_on)
        self.attendants.set_target(block.attendants)
        self._lanes_changed()
        if desk is not None:
            desk.set_floaters(block.floaters)

    def _open_lane_count(self) -> int:
        return len(self._open_lanes)

    def _lanes_changed(self) -> None:
        """List the lanes that take customers now (after a shift change or a floater's move)."""
        # Lanes that take customers until the next change, with their item limits: listed
        # once here rather than scanned for every arriving customer.
        self._open_lanes = [
            (k, lane, math.inf if k < self.regular_lanes else self.express_limit)
            for k, lane in enumerate(self.lanes)
            if lane.accepting
        ]
        if self.indexed:
            regular = self.regular_lanes
            self.regular_class.reset((k, lane) for k, lane, _ in self._open_lanes if k < regular)
            self.express_class.reset((k, lane) for k, lane, _ in self._open_lanes if k >= regular)
        if self.jockeying is not None:
            self.jockeying.lanes_opened()
