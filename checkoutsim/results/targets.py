"""Judge service targets on simulated days: the optimiser's rule, on confidence intervals.

Decision rule (the same in the staffing search and in its final check): over the ``R``
simulated days the metric has a mean and a two-sided Student-t interval at ``level`` (default
95%); a target **holds** when the whole interval is on the right side of the value
(``ci_high <= value`` for ``<=``, ``ci_low >= value`` for ``>=``), i.e. a one-sided test at
``1 - (1 - level) / 2``. The final check also names the grey zone: ``borderline`` when the mean
meets the value but the interval crosses it, ``missed`` when the mean does not.

The run summary's verdict (:mod:`checkoutsim.results.verdict`) reads the same intervals with
three words a planner can act on: met, breached, cannot tell.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from checkoutsim.results.stats import confidence_interval
from checkoutsim.scenario.targets import Target

__all__ = ["Judgement", "check_metrics", "judge"]

Verdict = Literal["met", "borderline", "missed", "n/a"]


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
