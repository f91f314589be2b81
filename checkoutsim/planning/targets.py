"""Service targets for the staffing optimiser: parse ``METRIC<=VALUE`` and judge them on CIs.

A target is one per-replication metric (a name from :meth:`SimulationResult.metrics`, or from
the per-block metrics of :mod:`checkoutsim.planning.blocks`), a direction and a value in the
metric's own unit (minutes for ``wait_p90_min``, CSAT points for ``csat_mean``).

Decision rule (the same in the search and in the final check): over the ``R`` simulated days
the metric has a mean and a two-sided Student-t interval at ``level`` (default 95%); a target
**holds** when the whole interval is on the right side of the value (``ci_high <= value`` for
``<=``, ``ci_low >= value`` for ``>=``), i.e. a one-sided test at ``1 - (1 - level) / 2``. The
final check also names the grey zone: ``borderline`` when the mean meets the value but the
interval crosses it, ``missed`` when the mean does not.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from checkoutsim.results.stats import confidence_interval

__all__ = ["ALIASES", "Judgement", "Target", "check_metrics", "judge", "parse_target"]

_TARGET_RE = re.compile(
    r"^\s*(?P<metric>[A-Za-z][A-Za-z0-9_]*)\s*(?P<op><=|>=)\s*(?P<value>\S+)\s*$"
)

ALIASES = {"csat": "csat_mean", "ces": "ces_mean"}
"""Short names accepted on the command line for the experience means."""

Verdict = Literal["met", "borderline", "missed", "n/a"]


@dataclass(frozen=True)
class Target:
    """``metric op value``: a service level the plan must reach.

    Attributes
    ----------
    metric : str
        Per-replication metric name (e.g. ``wait_p90_min``, minutes).
    op : {"<=", ">="}
        Whether the metric must stay at most or at least ``value``.
    value : float
        Threshold, in the metric's unit.
    """

    metric: str
    op: Literal["<=", ">="]
    value: float

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.value:g}"

    def with_value(self, value: float) -> Target:
        """The same target with another threshold."""
        return Target(self.metric, self.op, float(value))

    @property
    def scale(self) -> float:
        """Divisor that makes shortfalls of different metrics comparable (relative units)."""
        return abs(self.value) if self.value != 0 else 1.0


def parse_target(text: str) -> Target:
    """Read ``METRIC<=VALUE`` or ``METRIC>=VALUE`` (``wait_p90_min<=4``, ``csat>=4.0``).

    Raises
    ------
    ValueError
        On bad syntax or a value that is not a finite number.
    """
    match = _TARGET_RE.match(text)
    if match is None:
        raise ValueError(
            f"expected METRIC<=VALUE or METRIC>=VALUE (e.g. 'wait_p90_min<=4'), got {text!r}"
        )
    try:
        value = float(match["value"])
    except ValueError:
        raise ValueError(f"value {match['value']!r} in {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"value in {text!r} must be a finite number")
    metric = ALIASES.get(match["metric"], match["metric"])
    op: Literal["<=", ">="] = "<=" if match["op"] == "<=" else ">="
    return Target(metric, op, value)


def check_metrics(targets: Sequence[Target], available: Iterable[str], where: str) -> None:
    """Raise ValueError naming every target whose metric is not in ``available``."""
    names = sorted({str(a) for a in available})
    if not names:
        raise ValueError(
            f"no metric has a value {where}: no customer came on any simulated day, so no "
            "target can be judged (check the arrival rates)"
        )
    unknown = [str(t) for t in targets if t.metric not in names]
    if unknown:
        raise ValueError(
            f"unknown metric in target(s) {', '.join(unknown)}; metrics available {where}: "
            f"{', '.join(names)}"
        )
    if not targets:
        raise ValueError("give at least one target, e.g. --target 'wait_p90_min<=4'")


@dataclass(frozen=True)
class Judgement:
    """One target judged on one unit (a block or the day) over replications.

    Attributes
    ----------
    mean, ci_low, ci_high : float
        Mean over days and its confidence interval (NaN when no day had a value).
    n : int
        Days with a value.
    holds : bool
        The decision rule: the whole interval meets the target (or there is nothing to judge).
    verdict : {"met", "borderline", "missed", "n/a"}
        ``met`` = holds; ``borderline`` = the mean meets it, the interval crosses it;
        ``missed`` = the mean does not; ``n/a`` = no value (nobody arrived in the block).
    shortfall : float
        How far the judged bound is on the wrong side, relative to the target (0 when it holds).
    """

    mean: float
    ci_low: float
    ci_high: float
    n: int
    holds: bool
    verdict: Verdict
    shortfall: float


def judge(values: Sequence[float] | np.ndarray, target: Target, level: float) -> Judgement:
    """Apply the decision rule (module docstring) to one unit's per-day values."""
    ci = confidence_interval(np.asarray(values, dtype=float), level)
    if ci.n == 0:
        return Judgement(math.nan, math.nan, math.nan, 0, True, "n/a", 0.0)
    # One day gives no interval: judge the single value (callers ask for >= 2 days).
    low = ci.low if ci.n >= 2 else ci.mean
    high = ci.high if ci.n >= 2 else ci.mean
    bound, mean_ok = (
        (high, ci.mean <= target.value) if target.op == "<=" else (low, ci.mean >= target.value)
    )
    gap = bound - target.value if target.op == "<=" else target.value - bound
    holds = gap <= 0
    verdict: Verdict = "met" if holds else ("borderline" if mean_ok else "missed")
    return Judgement(ci.mean, low, high, ci.n, holds, verdict, max(0.0, gap) / target.scale)
