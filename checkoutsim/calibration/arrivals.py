"""The arrival profile: customers per hour by block, with the day-to-day dispersion test."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from checkoutsim.calibration.estimates import LEVEL, Estimate, mean_interval

__all__ = ["BLOCK_CHOICES_MIN", "MIN_BLOCK_COUNT", "ArrivalFit", "fit_arrivals"]

BLOCK_CHOICES_MIN = (15, 30, 60)
"""Block lengths tried, finest first."""

MIN_BLOCK_COUNT = 30.0
"""The finest block length is used whose quietest block still sees this many arrivals a day on
average: with fewer, a block's rate has a relative standard error above 1/sqrt(30) = 18% from
one day, and the profile mostly shows noise."""


@dataclass(frozen=True)
class ArrivalFit:
    """Customers per hour by block, and how far days differ beyond Poisson noise."""

    block_min: int
    starts_min: list[int]
    ends_min: list[int]
    rates: list[Estimate]
    counts: np.ndarray  # days x blocks
    days: list[pd.Timestamp]
    source: str
    dispersion_stat: float
    dispersion_df: int
    dispersion_p: float
    day_cv: float
    overdispersed: bool


def _choose_block(counts_fn: Callable[[int], np.ndarray]) -> int:
    for length in BLOCK_CHOICES_MIN:
        counts = counts_fn(length)
        if counts.mean(axis=0).min() >= MIN_BLOCK_COUNT:
            return length
    return BLOCK_CHOICES_MIN[-1]


BACK_TO_BACK_MIN = 0.05
"""A service starting within this many minutes (3 s) of the previous one's end at the same
station is taken as a customer who was waiting."""


def _back_to_back_share(t: pd.DataFrame) -> float:
    """Share of transactions that began right as the station's previous one ended."""
    if t.empty:
        return 0.0
    ordered = t.sort_values(["day", "station", "start_min"])
    previous_end = ordered.groupby(["day", "station"])["end_min"].shift()
    gap = ordered["start_min"] - previous_end
    return float(((gap >= -BACK_TO_BACK_MIN) & (gap <= BACK_TO_BACK_MIN)).mean())


def fit_arrivals(
    transactions: pd.DataFrame, days: list[pd.Timestamp], day_len_min: int
) -> ArrivalFit:
    """Arrival rates per block from the days fit for it.

    Arrival times are the ``joined_min`` column where the store logs it (queue cameras),
    otherwise service starts: a customer then counts in the block where service began, so
    the profile is shifted later by the waits (the report says so). Arrivals after closing
    (service started after closing, without join times) count in the last block.

    Each block's interval is exact Poisson on the total count when days do not differ beyond
    Poisson noise (pooled dispersion test, 5% level), else a Student-t interval over days.
    """
    t = transactions[transactions["day"].isin(days)]
    joined = t["joined_min"].to_numpy(dtype=float)
    if np.isfinite(joined).all() and len(joined):
        when, source = joined, "joined_at (the time each customer joined the line)"
    else:
        when = t["start_min"].to_numpy(dtype=float)
        queued = _back_to_back_share(t)
        source = (
            "service start (no join times logged): each customer is counted when served, "
            "so the profile lags the true arrivals by the waits. A customer whose service began "
            "at an idle station arrived at that moment; one who started within "
            f"{BACK_TO_BACK_MIN * 60:.0f} s of the previous customer's end at the same station "
            f"probably waited, for an unknown time: {queued:.0%} of transactions here (a rough "
            "proxy: it also counts customers who walked up just as the station freed)"
        )
    when = np.clip(when, 0.0, day_len_min - 1e-9)
    day_of = t["day"].to_numpy()

    def counts_for(length: int) -> np.ndarray:
        edges = np.append(np.arange(0, day_len_min, length), day_len_min).astype(float)
        return np.vstack(
            [np.histogram(when[day_of == np.datetime64(d)], bins=edges)[0] for d in days]
        )

    block = _choose_block(counts_for)
    counts = counts_for(block).astype(float)
    starts = list(range(0, day_len_min, block))
    ends = [min(s + block, day_len_min) for s in starts]
    n_days, n_blocks = counts.shape
    mean = counts.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        chi = np.where(mean > 0, ((counts - mean) ** 2).sum(axis=0) / mean, 0.0)
    stat = float(chi.sum())
    df = int((n_days - 1) * int((mean > 0).sum()))
    p = float(stats.chi2.sf(stat, df)) if df > 0 else math.nan
    over = bool(df > 0 and p < 0.05)
    totals = counts.sum(axis=1)
    day_cv = (
        math.sqrt(max(float(totals.var(ddof=1)) - float(totals.mean()), 0.0)) / totals.mean()
        if n_days > 1 and totals.mean() > 0
        else math.nan
    )
    rates = []
    for j in range(n_blocks):
        hours = (ends[j] - starts[j]) / 60.0
        if over and n_days > 1:
            est = mean_interval(counts[:, j] / hours, "t over days (overdispersed)")
        else:
            total = int(counts[:, j].sum())
            alpha = 1 - LEVEL
            low = stats.chi2.ppf(alpha / 2, 2 * total) / 2 if total > 0 else 0.0
            high = stats.chi2.ppf(1 - alpha / 2, 2 * total + 2) / 2
            scale = n_days * hours
            est = Estimate(total / scale, low / scale, high / scale, total, "exact Poisson")
        rates.append(est)
    return ArrivalFit(block, starts, ends, rates, counts, days, source, stat, df, p, day_cv, over)
