"""Per-day measurements for the validation cases, from one simulated day's tables.

Each factory returns a *statistic*: a function of one :class:`Day` (the customer, assist and
time-series tables that :mod:`checkoutsim.results.tables` builds for one replication) giving one
number, ``NaN`` when the day has nothing to measure. One number per day is what the
validation's intervals are computed over (:mod:`checkoutsim.validation.cases`). Little's law in its
sample-path form (:func:`little_sides`) is also checked by the property tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from checkoutsim.model.recorder import RunColumns
from checkoutsim.results.tables import assists_frame, customers_frame, timeseries_frame
from checkoutsim.scenario.schema import Scenario

__all__ = [
    "Day",
    "Statistic",
    "attendant_share_waiting",
    "attendant_wait",
    "busy_share",
    "day_tables",
    "little_ratio",
    "little_sides",
    "mean_wait",
    "notice_delay",
    "share_reneged",
    "share_waiting",
]


@dataclass(frozen=True)
class Day:
    """One simulated day's tables, exactly as :mod:`checkoutsim.results.tables` builds them."""

    customers: pd.DataFrame
    assists: pd.DataFrame
    timeseries: pd.DataFrame


Statistic = Callable[[Day], float]
"""A per-day measurement: one number from one day's tables."""


def _arrived_from(day: Day, warmup_min: float) -> pd.DataFrame:
    c = day.customers
    return c[c["arrival_min"].to_numpy() >= warmup_min]


def _mean(x: np.ndarray) -> float:
    return float(np.mean(x)) if x.size else math.nan


def mean_wait(
    warmup_min: float, *, served_only: bool = False, lane: int | None = None
) -> Statistic:
    """Mean queue wait (minutes) of customers arriving from ``warmup_min``.

    ``served_only`` leaves out customers who reneged; ``lane`` keeps one cashier lane.
    """

    def statistic(day: Day) -> float:
        c = _arrived_from(day, warmup_min)
        if served_only:
            c = c[c["outcome"] == "served"]
        if lane is not None:
            c = c[(c["channel"] == "cashier") & (c["lane"] == lane)]
        return _mean(c["queue_wait_min"].to_numpy())

    return statistic


def share_waiting(warmup_min: float, *, lane: int | None = None) -> Statistic:
    """Share of customers arriving from ``warmup_min`` who wait at all (``P(wait > 0)``)."""

    def statistic(day: Day) -> float:
        c = _arrived_from(day, warmup_min)
        if lane is not None:
            c = c[(c["channel"] == "cashier") & (c["lane"] == lane)]
        return _mean((c["queue_wait_min"].to_numpy() > 0.0).astype(float))

    return statistic


def share_reneged(warmup_min: float) -> Statistic:
    """Share of customers arriving from ``warmup_min`` who abandon the queue."""

    def statistic(day: Day) -> float:
        c = _arrived_from(day, warmup_min)
        return _mean((c["outcome"] == "reneged").to_numpy().astype(float))

    return statistic


def _assists_in(day: Day, start_min: float, end_min: float) -> pd.DataFrame:
    stuck = day.assists["stuck_min"].to_numpy()
    return day.assists[(stuck >= start_min) & (stuck < end_min)]


def attendant_wait(start_min: float, end_min: float) -> Statistic:
    """Mean minutes from a kiosk freezing to the attendant's arrival, freezes in the window."""

    def statistic(day: Day) -> float:
        return _mean(_assists_in(day, start_min, end_min)["wait_for_attendant_min"].to_numpy())

    return statistic


def attendant_share_waiting(
    start_min: float, end_min: float, *, from_notice: bool = False
) -> Statistic:
    """Share of freezes in the window that find every attendant busy (wait for assignment).

    With ``from_notice``, the wait is counted from the moment the freeze was noticed (the
    attendants' queue proper), not from the freeze.
    """
    start = "noticed_min" if from_notice else "stuck_min"

    def statistic(day: Day) -> float:
        a = _assists_in(day, start_min, end_min)
        waited = a["assigned_min"].to_numpy() > a[start].to_numpy()
        return _mean(waited.astype(float))

    return statistic


def notice_delay(start_min: float, end_min: float) -> Statistic:
    """Mean minutes from a kiosk freezing to an attendant noticing it, freezes in the window."""

    def statistic(day: Day) -> float:
        a = _assists_in(day, start_min, end_min)
        return _mean((a["noticed_min"] - a["stuck_min"]).to_numpy())

    return statistic


def busy_share(kind: str, start_min: float, end_min: float) -> Statistic:
    """Busy over on-duty server-minutes of ``kind`` in the window (time-series intervals).

    Each row's averages are weighted by the length of its interval: rows fall on the sampling
    ticks, on clock hours and at the end of the day, so intervals differ in length.
    """

    def statistic(day: Day) -> float:
        ts = day.timeseries
        t = ts["time_min"].to_numpy()
        inside = (t > start_min) & (t <= end_min)
        widths = np.diff(t, prepend=0.0)[inside]
        duty = float(np.dot(ts[f"{kind}_on_duty_avg"].to_numpy()[inside], widths))
        busy = float(np.dot(ts[f"{kind}_busy_avg"].to_numpy()[inside], widths))
        return busy / duty if duty > 0 else math.nan

    return statistic


def _queue_area(ts: pd.DataFrame, column: str) -> float:
    """Area under a queue-length curve (customer-minutes) over the whole day."""
    widths = np.diff(ts["time_min"].to_numpy(), prepend=0.0)
    return float(np.dot(ts[column].to_numpy(), widths))


def little_sides(day: Day, line: str) -> tuple[float, float]:
    """Both sides of Little's law on one day's output, in customer-minutes.

    Returns the area under the queue-length curve of ``line`` over the whole day (from the
    time series' interval averages) and the sum of the waits in that line (from the customer
    records for ``"cashier"`` and ``"kiosk"``; from the assist records, freeze to assignment,
    for ``"help"``). A day starts and ends empty, so the two are equal (the sample-path form
    of Little's law), whatever the arrival process, behaviour or staffing.
    """
    if line == "help":
        a = day.assists
        total_wait = float((a["assigned_min"] - a["stuck_min"]).sum())
    else:
        c = day.customers
        total_wait = float(c.loc[c["channel"] == line, "queue_wait_min"].sum())
    return _queue_area(day.timeseries, f"{line}_queue_avg"), total_wait


def little_ratio(day: Day, line: str) -> float:
    """``L / (lambda W)`` for a waiting line on one day; ``NaN`` if nobody waited.

    ``L`` is the time-average number waiting over the day and ``lambda W`` the arrival rate
    times the mean wait, over the same horizon ``T`` (the end of the time series, when the
    store is empty again), which cancels: the ratio is :func:`little_sides`' area over its
    sum of waits, exactly 1 on every day.
    """
    area, total_wait = little_sides(day, line)
    return area / total_wait if total_wait > 0 else math.nan


def day_tables(scenario: Scenario, rep: int, seed: int, cols: RunColumns) -> Day:
    """The customer, assist and time-series tables of one simulated day."""
    return Day(
        customers_frame(scenario, seed, [(rep, cols)]),
        assists_frame(scenario, seed, [(rep, cols)]),
        timeseries_frame(scenario, seed, [(rep, cols)]),
    )
