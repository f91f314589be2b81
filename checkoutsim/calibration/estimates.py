"""One calibrated figure with its interval, and the interval helpers every fit uses."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["LEVEL", "Estimate", "mean_interval", "proportion", "sd_interval"]

LEVEL = 0.95
"""Confidence level of every interval written to the scenario and the report."""


@dataclass(frozen=True)
class Estimate:
    """A calibrated figure: value, 95% interval, how many observations and how it was got."""

    value: float
    low: float
    high: float
    n: int
    method: str

    def comment(self) -> str:
        """The YAML comment written beside the figure."""
        return f"fitted: n={self.n:,}, 95% CI {_g(self.low)}-{_g(self.high)}"

    def covers(self, truth: float) -> bool:
        """Whether ``truth`` lies in the interval (a relative 1e-9 slack for exact fits)."""
        slack = 1e-9 * max(abs(self.low), abs(self.high), 1e-12)
        return self.low - slack <= truth <= self.high + slack


def _g(value: float) -> str:
    return f"{value:.4g}"


def mean_interval(x: np.ndarray, method: str) -> Estimate:
    """The sample mean with a Student-t interval (the central limit theorem: n >= 30 wanted)."""
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    m = float(x.mean())
    if n < 2:
        return Estimate(m, -math.inf, math.inf, n, method)
    se = float(x.std(ddof=1)) / math.sqrt(n)
    half = float(stats.t.ppf(0.5 + LEVEL / 2, n - 1)) * se
    return Estimate(m, m - half, m + half, n, method)


def sd_interval(x: np.ndarray, method: str, seed: int = 0) -> Estimate:
    """The sample standard deviation with a bootstrap interval (BCa, 999 resamples)."""
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    s = float(x.std(ddof=1)) if n > 1 else 0.0
    if n < 3 or s == 0.0:
        return Estimate(s, s, s, n, method)
    boot = stats.bootstrap(
        (x,),
        lambda v, axis: np.std(v, ddof=1, axis=axis),
        n_resamples=999,
        confidence_level=LEVEL,
        rng=np.random.default_rng(seed),
    )
    ci = boot.confidence_interval
    return Estimate(s, float(ci.low), float(ci.high), n, method)


def proportion(k: int, n: int, method: str) -> Estimate:
    """A share ``k / n`` with its exact (Clopper-Pearson) interval."""
    if n == 0:
        return Estimate(0.0, 0.0, 1.0, 0, method)
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=LEVEL, method="exact")
    return Estimate(k / n, float(ci.low), float(ci.high), int(n), method)
