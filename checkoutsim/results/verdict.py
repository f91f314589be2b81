"""The verdict that opens a run's summary: each service target checked over the day and by hour.

Each target (``wait_p90_min<=4``) is judged on the day's figure and on the figure of every clock
hour of arrival (the hourly table's per-day values), each with its own Student-t interval over
the simulated days (one day is one observation):

- **met**: the whole interval is on the target's side of the threshold;
- **breached**: the whole interval is on the wrong side;
- **cannot tell**: the interval straddles the threshold (more days would decide), or there is
  only one day with a value, so no interval;
- **no data**: no day had a value (nobody arrived in that hour, say).

A target is breached when the day or any hour is breached, otherwise it cannot be told when any
of them cannot be told, otherwise it is met. Each hour is judged at the same level on its own
(no correction for the number of hours): an hour whose true value sits right on the threshold
reads "breached" with nominal probability 2.5% (one hour in 40), "met" with 2.5%, and "cannot
tell" otherwise.
The worst hour is named whatever the verdict.

Targets come from ``--target`` when given, else from the scenario's ``targets:``, else the
default ``wait_p90_min <= run.target_wait_min``: nine customers in ten wait at most the
scenario's own target wait (its documented meaning, ``docs/parameters.md``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from checkoutsim.results.tables import SimulationResult
from checkoutsim.scenario.targets import Target, parse_target

__all__ = [
    "DAY",
    "Status",
    "TargetCheck",
    "UnitCheck",
    "Verdict",
    "classify",
    "default_targets",
    "run_verdict",
]

Status = Literal["met", "breached", "cannot tell", "no data"]

DAY = "day"
"""The unit label of the whole day's figure."""

Source = Literal["--target", "scenario", "default"]


@dataclass(frozen=True)
class UnitCheck:
    """One target on one unit (the day, or a clock hour ``"HH:00"``).

    Attributes
    ----------
    unit : str
        ``"day"`` or the clock hour of arrival.
    mean, ci_low, ci_high : float
        Mean over days and its interval (``ci_low == ci_high == mean`` with one day; NaN with
        none).
    n : int
        Days with a value.
    status : {"met", "breached", "cannot tell", "no data"}
        See the module docstring.
    """

    unit: str
    mean: float
    ci_low: float
    ci_high: float
    n: int
    status: Status

    @property
    def half_width(self) -> float:
        """Half the interval (NaN without an interval)."""
        return (self.ci_high - self.ci_low) / 2.0 if self.n >= 2 else math.nan

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` (NaN as ``None``)."""
        return {
            "unit": self.unit,
            "status": self.status,
            "mean": _plain(self.mean),
            "ci_low": _plain(self.ci_low),
            "ci_high": _plain(self.ci_high),
            "n": self.n,
        }


@dataclass(frozen=True)
class TargetCheck:
    """One target judged over the day and in every hour.

    Attributes
    ----------
    target : Target
        What was checked.
    source : {"--target", "scenario", "default"}
        Where the target came from.
    day : UnitCheck
        The whole day's figure, over every customer.
    hours : tuple of UnitCheck
        Every clock hour with a value on some day, in order.
    channels : tuple of UnitCheck
        The whole day's figure for the cashier's and the kiosks' customers apart (units
        ``cashier`` and ``kiosk``), where the metric has one: a store-wide figure can meet a
        target that one group of customers misses (a single cashier's long line hidden by many
        short kiosk waits).
    """

    target: Target
    source: Source
    day: UnitCheck
    hours: tuple[UnitCheck, ...]
    channels: tuple[UnitCheck, ...] = ()

    @property
    def units(self) -> tuple[UnitCheck, ...]:
        """The day, the channels, then the hours."""
        return (self.day, *self.channels, *self.hours)

    @property
    def status(self) -> Status:
        """Breached if the day, a channel or any hour is; else cannot tell if any is; else met."""
        found = {u.status for u in self.units}
        for status in ("breached", "cannot tell", "met"):
            if status in found:
                return status
        return "no data"

    def hours_with(self, status: Status) -> list[UnitCheck]:
        """The hours with ``status``, in clock order."""
        return [h for h in self.hours if h.status == status]

    @property
    def worst_hour(self) -> UnitCheck | None:
        """The hour whose mean is furthest on the wrong side of the threshold (or, when all
        meet it, nearest to it); ``None`` when no hour has a value."""
        judged = [h for h in self.hours if h.n > 0]
        if not judged:
            return None
        sign = 1.0 if self.target.op == "<=" else -1.0
        return max(judged, key=lambda h: sign * (h.mean - self.target.value))

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        worst = self.worst_hour
        return {
            "target": str(self.target),
            "metric": self.target.metric,
            "op": self.target.op,
            "value": self.target.value,
            "source": self.source,
            "status": self.status,
            "worst_hour": worst.unit if worst else None,
            "day": self.day.to_dict(),
            "channels": [c.to_dict() for c in self.channels],
            "hours": [h.to_dict() for h in self.hours],
        }


@dataclass(frozen=True)
class Verdict:
    """Every target of a run, judged (see the module docstring).

    Attributes
    ----------
    scenario : str
        Scenario name.
    replications : int
        Simulated days.
    level : float
        Confidence level of every interval.
    checks : tuple of TargetCheck
        One per target, in the order given.
    """

    scenario: str
    replications: int
    level: float
    checks: tuple[TargetCheck, ...]

    @property
    def status(self) -> Status:
        """Breached if any target is; else cannot tell if any is; else met."""
        found = {c.status for c in self.checks}
        for status in ("breached", "cannot tell", "met"):
            if status in found:
                return status
        return "no data"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "status": self.status,
            "level": self.level,
            "replications": self.replications,
            "targets": [c.to_dict() for c in self.checks],
        }


def classify(target: Target, mean: float, low: float, high: float, n: int) -> Status:
    """The status of one unit from its mean, interval and number of days (module docstring)."""
    if n <= 0 or math.isnan(mean):
        return "no data"
    if n < 2 or math.isnan(low) or math.isnan(high):
        return "cannot tell"
    inside = target.meets(low), target.meets(high)
    if all(inside):
        return "met"
    if not any(inside):
        return "breached"
    return "cannot tell"


def default_targets(result: SimulationResult) -> list[tuple[Target, Source]]:
    """The scenario's ``targets:``, else ``wait_p90_min <= run.target_wait_min``."""
    listed = result.scenario.targets
    if listed:
        return [(parse_target(t), "scenario") for t in listed]
    return [(Target("wait_p90_min", "<=", result.target_wait_min), "default")]


def run_verdict(
    result: SimulationResult, targets: Sequence[Target] | None = None, level: float = 0.95
) -> Verdict:
    """Judge ``targets`` (or the scenario's, see :func:`default_targets`) on a run.

    Parameters
    ----------
    result : SimulationResult
        The simulated days.
    targets : sequence of Target, optional
        Given on the command line; they replace the scenario's.
    level : float
        Confidence level of every interval.

    Returns
    -------
    Verdict
    """
    chosen: list[tuple[Target, Source]] = (
        [(t, "--target") for t in targets] if targets else default_targets(result)
    )
    summary = result.summary(level)
    day = _lookup(summary[summary["scope"] == "all"], "metric")
    by_channel = {ch: _lookup(summary[summary["scope"] == ch], "metric") for ch in CHANNELS}
    hourly = result.summary_by_hour(level)
    checks = []
    for target, source in chosen:
        rows = hourly[hourly["metric"] == target.metric]
        hours = tuple(_unit(target, str(r.hour), r) for r in rows.itertuples(index=False))
        day_row = day.get(target.metric)
        day_check = (
            _unit(target, DAY, day_row)
            if day_row is not None
            else UnitCheck(DAY, math.nan, math.nan, math.nan, 0, "no data")
        )
        channels = tuple(
            _unit(target, ch, by_channel[ch][target.metric])
            for ch in CHANNELS
            if target.metric in by_channel[ch] and int(by_channel[ch][target.metric].n) > 0
        )
        checks.append(TargetCheck(target, source, day_check, hours, channels))
    return Verdict(result.scenario.name, result.replications, level, tuple(checks))


CHANNELS = ("cashier", "kiosk")
"""The customer groups a target is also judged on, over the whole day."""


def _lookup(summary: pd.DataFrame, key: str) -> dict[str, Any]:
    return {str(getattr(r, key)): r for r in summary.itertuples(index=False)}


def _unit(target: Target, unit: str, row: Any) -> UnitCheck:
    mean, n = float(row.mean), int(row.n)
    # One day has no interval: keep the value as both ends, say "cannot tell".
    low = float(row.ci_low) if n >= 2 else mean
    high = float(row.ci_high) if n >= 2 else mean
    status = classify(target, mean, low, high, n)
    return UnitCheck(unit, mean, low, high, n, status)


def _plain(x: float) -> float | None:
    return None if math.isnan(x) else float(x)
