"""Output analysis for terminating simulations (one replication = one store day).

Everything here works on *per-replication* values: one number per simulated day (the day's
mean wait, its 90th-percentile wait, its abandonment count, ...). Customers of one day are
correlated, so pooling them across days into one interval gives intervals that are far too
narrow; never pass per-customer rows to these functions. ``summarise_reps`` and
``paired_summary`` refuse a DataFrame with more than one row per replication and group.

Methods follow Law & Kelton, *Simulation Modeling and Analysis* (5th ed., 2015):

- the Student-t confidence interval over independent replications (sec. 9.4.1),
- the number of replications for an absolute half-width target (sec. 9.4.1, eq. 9.2),
- the sequential procedure "add replications until the half-width is small enough",
- paired-t comparison of two systems under common random numbers, Welch's unpaired
  alternative, and Bonferroni for several comparisons (sec. 10.2, 10.3).

Missing values: a ``NaN`` per-replication value (a day with no customer in the slice being
measured, say) is dropped and the sample size ``n`` counts only the remaining values. For
paired comparisons a replication is dropped when either side is ``NaN``. An infinite value is
taken to be a bug upstream and raises ``ValueError``.

All functions are pure; nothing runs at import.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats as _st

__all__ = [
    "Interval",
    "PairedDifference",
    "SequentialPrecision",
    "WelchDifference",
    "confidence_interval",
    "paired_difference",
    "paired_summary",
    "replications_needed",
    "summarise_reps",
    "welch_difference",
]

_SUMMARY_COLUMNS = ["metric", "mean", "ci_low", "ci_high", "half_width", "sd", "n"]
_PAIRED_COLUMNS = [
    "metric",
    "base_mean",
    "plan_mean",
    "diff_mean",
    "diff_low",
    "diff_high",
    "half_width",
    "p_value",
    "p_adjusted",
    "significant",
    "n",
    "level_adjusted",
]


# ---------------------------------------------------------------------------------------------
# helpers


def _check_level(level: float) -> float:
    level = float(level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be strictly between 0 and 1, got {level!r}")
    return level


def _as_1d(values: Any, name: str = "values") -> npt.NDArray[np.float64]:
    """Convert to a 1-D float array, with pandas ``NA`` as ``NaN``; raise on ``inf``."""
    if isinstance(values, pd.Series | pd.Index):
        arr = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        arr = np.asarray(values, dtype=float)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if np.isinf(arr).any():
        raise ValueError(
            f"{name} contains an infinite value; per-replication values must be finite"
        )
    return arr


def _t_crit(level: float, df: Any) -> Any:
    """Two-sided Student-t critical value ``t(df, 1 - (1 - level)/2)``; ``NaN`` when df < 1."""
    df_arr = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        out = _st.t.isf((1.0 - level) / 2.0, np.where(df_arr >= 1, df_arr, np.nan))
    return out if np.ndim(out) else float(out)


def _sd(x: npt.NDArray[np.float64]) -> float:
    """Sample standard deviation (ddof=1): exactly 0 for constant data, ``NaN`` for n < 2."""
    if x.size < 2:
        return math.nan
    if np.all(x == x[0]):
        return 0.0
    return float(np.std(x, ddof=1))


def _bonferroni_level(level: float, k: int) -> float:
    if isinstance(k, bool) or int(k) != k or k < 1:
        raise ValueError(f"bonferroni must be a positive integer number of comparisons, got {k!r}")
    return 1.0 - (1.0 - level) / int(k)


def _t_test(
    diff: float, se: float, df: float, level_adj: float
) -> tuple[float, float, float, float, float]:
    """Return (half_width, low, high, t_stat, p_value) for a difference with standard error."""
    if not (math.isfinite(se) and math.isfinite(df)):
        return math.nan, math.nan, math.nan, math.nan, math.nan
    if se == 0.0:
        # Identical values on each side (e.g. a plan that changes nothing under CRN).
        t_stat = 0.0 if diff == 0.0 else math.copysign(math.inf, diff)
        return 0.0, diff, diff, t_stat, (1.0 if diff == 0.0 else 0.0)
    half = float(_t_crit(level_adj, df)) * se
    t_stat = diff / se
    p_value = float(2.0 * _st.t.sf(abs(t_stat), df))
    return half, diff - half, diff + half, t_stat, p_value


# ---------------------------------------------------------------------------------------------
# one sample


@dataclass(frozen=True, slots=True)
class Interval:
    """A two-sided Student-t confidence interval for a mean over replications.

    Attributes
    ----------
    mean : float
        Sample mean of the finite values (``NaN`` if there are none).
    half_width : float
        ``t(n-1, 1 - (1-level)/2) * sd / sqrt(n)``; ``NaN`` when ``n < 2``, 0 when all values
        are equal.
    low, high : float
        ``mean -/+ half_width``.
    n : int
        Number of finite values used (``NaN`` values are dropped).
    sd : float
        Sample standard deviation (``ddof=1``); ``NaN`` when ``n < 2``.
    level : float
        Confidence level, e.g. 0.95.
    """

    mean: float
    half_width: float
    low: float
    high: float
    n: int
    sd: float
    level: float

    def contains(self, value: float) -> bool:
        """Return True if ``low <= value <= high`` (False when the interval is undefined)."""
        return bool(self.low <= value <= self.high)


def confidence_interval(values: Any, level: float = 0.95) -> Interval:
    """Student-t confidence interval for the mean of per-replication values.

    Parameters
    ----------
    values : array_like
        One value per replication (1-D). ``NaN`` values are dropped and not counted in ``n``.
    level : float, default 0.95
        Two-sided confidence level.

    Returns
    -------
    Interval
        With ``n < 2`` the half width, bounds and sd are ``NaN`` (not an error): a single day
        says nothing about day-to-day variation. With zero variance the half width is 0.

    Raises
    ------
    ValueError
        If ``level`` is not in (0, 1), ``values`` is not 1-D, or a value is infinite.

    Notes
    -----
    ``mean +- t(n-1, 1-alpha/2) * S / sqrt(n)`` (Law & Kelton 2015, eq. 4.12 / sec. 9.4.1).
    """
    level = _check_level(level)
    x = _as_1d(values)
    x = x[~np.isnan(x)]
    n = int(x.size)
    mean = float(np.mean(x)) if n else math.nan
    sd = _sd(x)
    if n >= 2:
        half = 0.0 if sd == 0.0 else float(_t_crit(level, n - 1)) * sd / math.sqrt(n)
    else:
        half = math.nan
    return Interval(
        mean=mean, half_width=half, low=mean - half, high=mean + half, n=n, sd=sd, level=level
    )


# ---------------------------------------------------------------------------------------------
# two samples


@dataclass(frozen=True, slots=True)
class PairedDifference:
    """Paired-t comparison of plan ``b`` against plan ``a`` over common replications.

    Attributes
    ----------
    mean_a, mean_b : float
        Means of ``a`` and ``b`` over the pairs used (so ``diff == mean_b - mean_a``).
    diff : float
        Mean of the per-replication differences ``b - a``.
    half_width, low, high : float
        Confidence interval of the mean difference at ``level_adjusted``.
    sd_diff : float
        Sample standard deviation of the differences.
    t_stat : float
        ``diff / (sd_diff / sqrt(n))``; ``0`` or ``+-inf`` when every difference is equal.
    p_value : float
        Two-sided p-value of ``H0: E[b - a] = 0`` for this one comparison.
    p_adjusted : float
        Bonferroni-adjusted p-value ``min(1, k * p_value)``.
    significant : bool
        True when the adjusted interval excludes 0 (equivalently ``p_adjusted < 1 - level``).
    n : int
        Number of pairs used (pairs with a ``NaN`` on either side are dropped).
    level : float
        Nominal (family-wise) confidence level.
    level_adjusted : float
        ``1 - (1 - level) / k`` for ``k`` Bonferroni comparisons.
    """

    mean_a: float
    mean_b: float
    diff: float
    half_width: float
    low: float
    high: float
    sd_diff: float
    t_stat: float
    p_value: float
    p_adjusted: float
    significant: bool
    n: int
    level: float
    level_adjusted: float


@dataclass(frozen=True, slots=True)
class WelchDifference:
    """Welch (unpaired, unequal-variance) comparison of ``b`` against ``a``.

    Attributes
    ----------
    mean_a, mean_b : float
        Sample means (``NaN`` values dropped on each side independently).
    diff : float
        ``mean_b - mean_a``.
    half_width, low, high : float
        Confidence interval of the difference at ``level_adjusted``.
    se : float
        ``sqrt(S_a^2 / n_a + S_b^2 / n_b)``.
    df : float
        Welch-Satterthwaite degrees of freedom.
    t_stat, p_value, p_adjusted, significant, level, level_adjusted
        As in :class:`PairedDifference`.
    n_a, n_b : int
        Number of finite values on each side.
    """

    mean_a: float
    mean_b: float
    diff: float
    half_width: float
    low: float
    high: float
    se: float
    df: float
    t_stat: float
    p_value: float
    p_adjusted: float
    significant: bool
    n_a: int
    n_b: int
    level: float
    level_adjusted: float


def paired_difference(a: Any, b: Any, level: float = 0.95, bonferroni: int = 1) -> PairedDifference:
    """Paired-t confidence interval and test for ``E[b - a]`` (use with common random numbers).

    Parameters
    ----------
    a, b : array_like
        Per-replication values of the base plan ``a`` and the alternative ``b``; element ``i``
        of both must come from replication ``i`` (same seed). Same length.
    level : float, default 0.95
        Family-wise confidence level.
    bonferroni : int, default 1
        Number ``k`` of comparisons in the family; the interval is built at
        ``1 - (1 - level) / k`` so that all ``k`` intervals hold together with probability
        at least ``level``.

    Returns
    -------
    PairedDifference

    Raises
    ------
    ValueError
        If the lengths differ, ``level`` or ``bonferroni`` is invalid, or a value is infinite.

    Notes
    -----
    Law & Kelton (2015), sec. 10.2.1: ``Z_j = b_j - a_j``; CI ``Zbar +- t(n-1) S_Z / sqrt(n)``.
    Pairs with a ``NaN`` on either side are dropped.
    """
    level = _check_level(level)
    level_adj = _bonferroni_level(level, bonferroni)
    xa, xb = _as_1d(a, "a"), _as_1d(b, "b")
    if xa.size != xb.size:
        raise ValueError(
            f"paired samples must have the same length (one value per replication), "
            f"got {xa.size} and {xb.size}"
        )
    keep = ~(np.isnan(xa) | np.isnan(xb))
    xa, xb = xa[keep], xb[keep]
    d = xb - xa
    n = int(d.size)
    diff = float(np.mean(d)) if n else math.nan
    sd = _sd(d)
    se = sd / math.sqrt(n) if n >= 2 else math.nan
    half, low, high, t_stat, p = _t_test(diff, se, n - 1.0, level_adj)
    return PairedDifference(
        mean_a=float(np.mean(xa)) if n else math.nan,
        mean_b=float(np.mean(xb)) if n else math.nan,
        diff=diff,
        half_width=half,
        low=low,
        high=high,
        sd_diff=sd,
        t_stat=t_stat,
        p_value=p,
        p_adjusted=min(1.0, p * bonferroni) if not math.isnan(p) else math.nan,
        significant=bool(low > 0.0 or high < 0.0),
        n=n,
        level=level,
        level_adjusted=level_adj,
    )


def welch_difference(a: Any, b: Any, level: float = 0.95, bonferroni: int = 1) -> WelchDifference:
    """Welch unpaired confidence interval and test for ``E[b] - E[a]``.

    Use when the two plans were run with independent random numbers; with common random
    numbers the paired interval of :func:`paired_difference` is valid and usually much
    narrower (comparing the two shows what CRN buys).

    Parameters
    ----------
    a, b : array_like
        Per-replication values; lengths may differ. ``NaN`` values are dropped.
    level : float, default 0.95
        Family-wise confidence level.
    bonferroni : int, default 1
        Number of comparisons ``k``; see :func:`paired_difference`.

    Returns
    -------
    WelchDifference

    Notes
    -----
    Law & Kelton (2015), sec. 10.2.2: ``se = sqrt(S_a^2/n_a + S_b^2/n_b)``, degrees of freedom
    ``se^4 / ((S_a^2/n_a)^2/(n_a-1) + (S_b^2/n_b)^2/(n_b-1))``. Needs ``n_a, n_b >= 2``,
    otherwise the interval is ``NaN``.
    """
    level = _check_level(level)
    level_adj = _bonferroni_level(level, bonferroni)
    xa, xb = _as_1d(a, "a"), _as_1d(b, "b")
    xa, xb = xa[~np.isnan(xa)], xb[~np.isnan(xb)]
    na, nb = int(xa.size), int(xb.size)
    mean_a = float(np.mean(xa)) if na else math.nan
    mean_b = float(np.mean(xb)) if nb else math.nan
    diff = mean_b - mean_a
    if na >= 2 and nb >= 2:
        va, vb = _sd(xa) ** 2 / na, _sd(xb) ** 2 / nb
        se = math.sqrt(va + vb)
        df = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1)) if se > 0 else na + nb - 2.0
    else:
        se = df = math.nan
    half, low, high, t_stat, p = _t_test(diff, se, df, level_adj)
    return WelchDifference(
        mean_a=mean_a,
        mean_b=mean_b,
        diff=diff,
        half_width=half,
        low=low,
        high=high,
        se=se,
        df=df,
        t_stat=t_stat,
        p_value=p,
        p_adjusted=min(1.0, p * bonferroni) if not math.isnan(p) else math.nan,
        significant=bool(low > 0.0 or high < 0.0),
        n_a=na,
        n_b=nb,
        level=level,
        level_adjusted=level_adj,
    )


# ---------------------------------------------------------------------------------------------
# how many replications


def replications_needed(
    values: Any, half_width_target: float, level: float = 0.95, n0: int | None = None
) -> int:
    """Number of replications for an absolute half-width target, from a pilot sample.

    Parameters
    ----------
    values : array_like
        Pilot per-replication values (at least 2 finite ones); ``NaN`` values are dropped.
    half_width_target : float
        Target half width ``h`` (> 0), in the metric's own unit.
    level : float, default 0.95
        Confidence level.
    n0 : int, optional
        Smallest answer allowed (at least 2). Defaults to the pilot size, so the answer is the
        *total* number of replications including the pilot ones.

    Returns
    -------
    int
        ``min{n >= n0 : t(n-1, 1-alpha/2) * sqrt(S^2 / n) <= h}`` with ``S^2`` the pilot sample
        variance (Law & Kelton 2015, sec. 9.4.1). ``n0`` when the pilot has zero variance.

    Notes
    -----
    The pilot variance is itself random, so the answer is an estimate; the sequential
    :class:`SequentialPrecision` re-estimates the variance as replications come in.
    """
    level = _check_level(level)
    h = float(half_width_target)
    if not (math.isfinite(h) and h > 0):
        raise ValueError(f"half_width_target must be a finite positive number, got {h!r}")
    x = _as_1d(values)
    x = x[~np.isnan(x)]
    if x.size < 2:
        raise ValueError(
            f"need at least 2 finite pilot values to estimate a variance, got {x.size}"
        )
    lo = int(x.size) if n0 is None else int(n0)
    if lo < 2:
        raise ValueError(f"n0 must be at least 2, got {n0!r}")
    sd = _sd(x)

    def ok(n: int) -> bool:
        return bool(float(_t_crit(level, n - 1)) * sd / math.sqrt(n) <= h)

    if sd == 0.0 or ok(lo):
        return lo
    # The half width is strictly decreasing in n: double to bracket, then bisect.
    bad, good = lo, 2 * lo
    while not ok(good):
        bad, good = good, 2 * good
    while good - bad > 1:
        mid = (bad + good) // 2
        if ok(mid):
            good = mid
        else:
            bad = mid
    return good


@dataclass
class SequentialPrecision:
    """Stopping rule: add replications until a metric's half width is small enough.

    A pure state machine, independent of how replications are run::

        rule = SequentialPrecision(half_width_target=0.5, max_reps=200)
        rep = 0
        while not rule.done:
            rule.add(run_one_day(rep).mean_wait_min)
            rep += 1
        print(rule.reason, rule.interval)

    Parameters
    ----------
    half_width_target : float
        Stop once the confidence interval's half width is ``<=`` this (metric's unit).
    level : float, default 0.95
        Confidence level.
    n0 : int, default 5
        Minimum number of finite values before the rule may stop on precision (at least 2):
        small samples can show a spuriously small variance.
    max_reps : int, default 1000
        Stop after this many values were added, whatever the precision.

    Attributes
    ----------
    done : bool
        True once a stop condition is met; :meth:`add` then raises.
    reason : str or None
        ``'precision reached'`` or ``'max replications reached'`` once done, else ``None``.
    interval : Interval
        Current interval over the finite values added.
    n_added : int
        Values added so far, including ``NaN`` ones (which count toward ``max_reps`` but not
        toward ``n0`` or the interval).

    Notes
    -----
    Law & Kelton (2015), sec. 9.4.1, sequential procedure. Stopping on the data makes the
    final interval's coverage slightly below nominal; a larger ``n0`` reduces the effect.
    """

    half_width_target: float
    level: float = 0.95
    n0: int = 5
    max_reps: int = 1000
    _values: list[float] = field(default_factory=list, init=False, repr=False)
    _reason: str | None = field(default=None, init=False, repr=False)

    PRECISION_REACHED = "precision reached"
    MAX_REACHED = "max replications reached"

    def __post_init__(self) -> None:
        self.level = _check_level(self.level)
        h = float(self.half_width_target)
        if not (math.isfinite(h) and h > 0):
            raise ValueError(f"half_width_target must be a finite positive number, got {h!r}")
        if self.n0 < 2:
            raise ValueError(f"n0 must be at least 2, got {self.n0!r}")
        if self.max_reps < 1:
            raise ValueError(f"max_reps must be at least 1, got {self.max_reps!r}")

    @property
    def done(self) -> bool:
        return self._reason is not None

    @property
    def reason(self) -> str | None:
        return self._reason

    @property
    def n_added(self) -> int:
        return len(self._values)

    @property
    def values(self) -> tuple[float, ...]:
        """All values added, in order."""
        return tuple(self._values)

    @property
    def interval(self) -> Interval:
        return confidence_interval(self._values, self.level)

    def add(self, value: float) -> bool:
        """Record one replication's value and update the stop state.

        Parameters
        ----------
        value : float
            The metric for the next replication (``NaN`` allowed, ``inf`` is not).

        Returns
        -------
        bool
            :attr:`done` after this value.

        Raises
        ------
        RuntimeError
            If the rule has already stopped.
        """
        if self.done:
            raise RuntimeError(f"SequentialPrecision already stopped ({self._reason})")
        v = float(value)
        if math.isinf(v):
            raise ValueError("per-replication values must be finite")
        self._values.append(v)
        ci = self.interval
        if ci.n >= self.n0 and ci.half_width <= self.half_width_target:
            self._reason = self.PRECISION_REACHED
        elif len(self._values) >= self.max_reps:
            self._reason = self.MAX_REACHED
        return self.done


# ---------------------------------------------------------------------------------------------
# DataFrames


def _check_columns(df: pd.DataFrame, cols: Sequence[str]) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"columns {missing} not in DataFrame; columns are {list(df.columns)}")


def _metric_block(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Metric columns as float, with a clear error on non-numeric or infinite values."""
    bad = [c for c in cols if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        raise ValueError(f"metric columns must be numeric, got non-numeric {bad}")
    block = df[cols].astype(float)
    inf_cols = [c for c in cols if np.isinf(block[c].to_numpy()).any()]
    if inf_cols:
        raise ValueError(f"metric columns contain infinite values: {inf_cols}")
    return block


def _check_one_row_per_rep(df: pd.DataFrame, keys: list[str]) -> None:
    keys = list(dict.fromkeys(keys))
    dup = df.duplicated(subset=keys, keep=False)
    if dup.any():
        example = df.loc[dup.to_numpy(), keys].iloc[0].to_dict()
        raise ValueError(
            f"expected one row per {keys} (per-replication values), found {int(dup.sum())} "
            f"duplicated rows, e.g. {example}; aggregate per replication first - "
            "pooling customers across days gives invalid intervals"
        )


def _half_width(
    level: float, n: npt.NDArray[np.int64], sd: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Vectorised ``t(n-1) * sd / sqrt(n)``: ``NaN`` for n < 2, exactly 0 when sd == 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        half = _t_crit(level, n - 1) * sd / np.sqrt(n)
    return np.asarray(np.where(sd == 0.0, 0.0, half), dtype=float)


def summarise_reps(
    df: pd.DataFrame,
    value_cols: Sequence[str],
    by: Sequence[str] | None = None,
    level: float = 0.95,
    rep_col: str = "rep",
) -> pd.DataFrame:
    """Confidence intervals per group and metric from a tidy per-replication DataFrame.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per group and replication: the ``by`` columns, ``rep_col``, metric columns.
    value_cols : sequence of str
        Metric columns to summarise (numeric; ``NaN`` values are dropped per metric).
    by : sequence of str, optional
        Grouping columns, e.g. ``["scenario"]`` or ``["scenario", "hour"]``. ``None`` or
        empty: the whole frame is one group.
    level : float, default 0.95
        Confidence level.
    rep_col : str, default "rep"
        Replication column; each (``by``, ``rep_col``) combination must be unique.

    Returns
    -------
    pandas.DataFrame
        Long format, one row per group and metric, columns
        ``[*by, "metric", "mean", "ci_low", "ci_high", "half_width", "sd", "n"]``. Groups come
        in order of first appearance (``NaN`` keys kept), metrics in ``value_cols`` order.
        ``n`` counts finite values; ``half_width`` is ``NaN`` when ``n < 2`` and 0 for zero
        variance.

    Raises
    ------
    ValueError
        On missing or non-numeric columns, infinite values, or repeated (group, rep) rows.
    """
    level = _check_level(level)
    by_cols = list(by or [])
    metrics = list(value_cols)
    if not metrics:
        raise ValueError("value_cols is empty")
    _check_columns(df, [*by_cols, rep_col, *metrics])
    _check_one_row_per_rep(df, [*by_cols, rep_col])
    block = _metric_block(df, metrics)

    keys: list[pd.Series] = [df[c] for c in by_cols] or [pd.Series(0, index=df.index)]
    grouped = block.groupby(keys, sort=False, dropna=False)
    mean = grouped.mean().to_numpy(dtype=float)
    n = grouped.count().to_numpy(dtype=np.int64)
    sd = grouped.std(ddof=1).to_numpy(dtype=float)
    const = grouped.min().to_numpy(dtype=float) == grouped.max().to_numpy(dtype=float)
    sd = np.where(n >= 2, np.where(const, 0.0, sd), np.nan)
    half = _half_width(level, n, sd)

    n_groups, n_metrics = mean.shape
    if by_cols:
        group_keys = grouped.mean().index.to_frame(index=False)
        out = group_keys.loc[group_keys.index.repeat(n_metrics)].reset_index(drop=True)
    else:
        out = pd.DataFrame(index=range(n_groups * n_metrics))
    out["metric"] = np.tile(np.asarray(metrics, dtype=object), n_groups)
    out["mean"] = mean.ravel()
    out["ci_low"] = (mean - half).ravel()
    out["ci_high"] = (mean + half).ravel()
    out["half_width"] = half.ravel()
    out["sd"] = sd.ravel()
    out["n"] = n.ravel()
    return out[[*by_cols, *_SUMMARY_COLUMNS]]


def paired_summary(
    df: pd.DataFrame,
    metric_cols: Sequence[str],
    plan_col: str = "scenario",
    base: Any = None,
    rep_col: str = "rep",
    level: float = 0.95,
    bonferroni: bool | int = True,
) -> pd.DataFrame:
    """Paired-t comparison of every plan against a base plan, per metric (CRN replications).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per plan and replication: ``plan_col``, ``rep_col`` and the metric columns.
        Replication ``r`` of every plan must have used the same seed.
    metric_cols : sequence of str
        Metric columns to compare (numeric).
    plan_col : str, default "scenario"
        Column naming the plan (staffing variant).
    base : optional
        The plan compared against; default the first plan in ``df``.
    rep_col : str, default "rep"
        Replication column; pairs are matched on it.
    level : float, default 0.95
        Family-wise confidence level.
    bonferroni : bool or int, default True
        ``True``: Bonferroni over every row of the result (all plans x metrics), so the whole
        table holds together with probability ``>= level``. ``False``: no adjustment. An int
        ``k``: adjust for ``k`` comparisons (e.g. the number of plans minus one, for a family
        per metric).

    Returns
    -------
    pandas.DataFrame
        One row per non-base plan (order of appearance) and metric (``metric_cols`` order),
        columns ``[plan_col, "metric", "base_mean", "plan_mean", "diff_mean", "diff_low",
        "diff_high", "half_width", "p_value", "p_adjusted", "significant", "n",
        "level_adjusted"]``. ``diff`` is plan minus base; ``base_mean`` and ``plan_mean`` are
        over the pairs used, so ``diff_mean == plan_mean - base_mean``. ``p_value`` is the raw
        two-sided p-value, ``p_adjusted = min(1, k * p_value)``; ``significant`` means the
        adjusted interval excludes 0. ``n`` counts pairs with both values finite.

    Raises
    ------
    ValueError
        If a plan lacks replications the base has, a (plan, rep) row repeats, the base is not
        in ``df``, or a column is missing, non-numeric or infinite.

    Notes
    -----
    Pairs are an inner join on ``rep_col``: replications a plan has beyond the base's are
    ignored. Law & Kelton (2015), sec. 10.2.1 and 10.3.1 (comparison with a standard).
    """
    level = _check_level(level)
    metrics = list(metric_cols)
    if not metrics:
        raise ValueError("metric_cols is empty")
    _check_columns(df, [plan_col, rep_col, *metrics])
    _check_one_row_per_rep(df, [plan_col, rep_col])
    block = _metric_block(df, metrics)

    plans = list(pd.unique(df[plan_col]))
    if not plans:
        raise ValueError("DataFrame is empty")
    if base is None:
        base = plans[0]
    elif base not in plans:
        raise ValueError(f"base plan {base!r} not found in column {plan_col!r}; plans: {plans}")
    others = [p for p in plans if p != base]

    is_base = (df[plan_col] == base).to_numpy()
    base_reps = df[rep_col].to_numpy()[is_base]
    for p in others:
        plan_reps = set(df[rep_col].to_numpy()[(df[plan_col] == p).to_numpy()])
        missing = [r for r in base_reps if r not in plan_reps]
        if missing:
            raise ValueError(
                f"plan {p!r} lacks {len(missing)} replication(s) that base {base!r} has "
                f"(e.g. {rep_col}={missing[:5]}); paired comparison needs the same replications"
            )

    if bonferroni is True:
        k = max(1, len(others) * len(metrics))
    elif bonferroni is False:
        k = 1
    else:
        k = int(bonferroni)
    level_adj = _bonferroni_level(level, k)

    if not others:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in [plan_col, *_PAIRED_COLUMNS]})

    # Inner join on rep, vectorised: one (reps x plans) matrix per metric via a pivot.
    long = pd.concat([df[[plan_col, rep_col]], block], axis=1)
    wide = long.pivot(index=rep_col, columns=plan_col, values=metrics).reindex(base_reps)
    n_o, n_m = len(others), len(metrics)
    base_vals = np.stack([wide[m][base].to_numpy(dtype=float) for m in metrics], axis=1)
    plan_vals = np.stack([wide[m][others].to_numpy(dtype=float) for m in metrics], axis=1)
    # plan_vals: (reps, metrics, plans); broadcast base over plans.
    b = np.broadcast_to(base_vals[:, :, None], plan_vals.shape)
    d = plan_vals - b
    used = ~np.isnan(d)
    n = used.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.where(used, d, 0.0).sum(axis=0) / n
        base_mean = np.where(used, b, 0.0).sum(axis=0) / n
        plan_mean = np.where(used, plan_vals, 0.0).sum(axis=0) / n
        ss = np.where(used, (d - diff) ** 2, 0.0).sum(axis=0)
        sd = np.sqrt(ss / (n - 1))
        const = np.where(used, d, np.inf).min(axis=0) == np.where(used, d, -np.inf).max(axis=0)
        sd = np.where(n >= 2, np.where(const, 0.0, sd), np.nan)
        se = sd / np.sqrt(n)
        half = _half_width(level_adj, n, sd)
        t_stat = np.where(se == 0.0, np.where(diff == 0.0, 0.0, np.sign(diff) * np.inf), diff / se)
        p_value = 2.0 * _st.t.sf(np.abs(t_stat), np.where(n >= 2, n - 1, np.nan))
    low, high = diff - half, diff + half

    def flat(a: Any) -> Any:
        # (metrics, plans) -> plan-major rows: every metric of one plan, then the next plan.
        return np.asarray(a).T.ravel()

    out = pd.DataFrame(
        {
            plan_col: np.repeat(np.asarray(others, dtype=object), n_m),
            "metric": np.tile(np.asarray(metrics, dtype=object), n_o),
            "base_mean": flat(base_mean),
            "plan_mean": flat(plan_mean),
            "diff_mean": flat(diff),
            "diff_low": flat(low),
            "diff_high": flat(high),
            "half_width": flat(half),
            "p_value": flat(p_value),
            "p_adjusted": flat(np.minimum(1.0, p_value * k)),
            "significant": flat((low > 0.0) | (high < 0.0)),
            "n": flat(n).astype(np.int64),
            "level_adjusted": level_adj,
        }
    )
    return out[[plan_col, *_PAIRED_COLUMNS]]
