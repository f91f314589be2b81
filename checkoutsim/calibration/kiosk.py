"""Kiosk interventions: confusion probability per cause (per item or per transaction, as the
data say), resolve-time distributions, and the remote/in-person shares."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from checkoutsim.calibration.estimates import (
    LEVEL,
    Estimate,
    mean_interval,
    proportion,
    sd_interval,
)

__all__ = ["CauseFit", "ResolveCandidate", "fit_causes", "link_events"]

RESOLVE_FAMILIES = {
    "lognormal": (stats.lognorm, {"floc": 0.0}),
    "gamma": (stats.gamma, {"floc": 0.0}),
    "exponential": (stats.expon, {"floc": 0.0}),
    "uniform": (stats.uniform, {}),
}


@dataclass(frozen=True)
class ResolveCandidate:
    """A resolve-time family fitted by maximum likelihood (``scipy.stats`` ``fit``)."""

    name: str
    params: int
    loglik: float
    aic: float
    ks_p: float


@dataclass(frozen=True)
class CauseFit:
    """Everything estimated for one confusion cause."""

    name: str
    at: str
    per: str
    probability: Estimate
    loglik_item: float
    loglik_transaction: float
    candidates: list[ResolveCandidate]
    chosen: str
    gof_p: float
    resolve_mean: Estimate
    resolve_sd: Estimate
    resolve_low: Estimate | None
    resolve_high: Estimate | None
    clear: np.ndarray
    remote: Estimate


def link_events(events: pd.DataFrame, transactions: pd.DataFrame) -> pd.Series:
    """Index of the kiosk transaction each event happened in (-1 when none covers it)."""
    if events.empty:
        return pd.Series(-1, index=events.index, dtype=np.int64)
    kiosk = transactions[transactions["channel"] == "kiosk"].reset_index()
    kiosk["day"] = kiosk["day"].astype("datetime64[ns]")
    left = events.reset_index().rename(columns={"index": "event"})
    left["day"] = left["day"].astype("datetime64[ns]")
    left = left.assign(t=left["at_min"].astype(float)).sort_values("t")
    right = kiosk.assign(t=kiosk["start_min"].astype(float)).sort_values("t")
    right = right.rename(columns={"kiosk": "_k"})
    merged = pd.merge_asof(
        left,
        right[["t", "day", "station", "index", "end_min"]],
        on="t",
        left_by=["day", "kiosk"],
        right_by=["day", "station"],
        direction="backward",
    )
    ok = merged["index"].notna() & (merged["at_min"] <= merged["end_min"] + 1e-6)
    owner = pd.Series(-1, index=events.index, dtype=np.int64)
    owner.loc[merged.loc[ok, "event"].to_numpy()] = merged.loc[ok, "index"].to_numpy(np.int64)
    return owner


MIN_RESOLVE_FIT = 10
"""Fewer clear times than this are too few to choose a family: an exponential with the sample
mean is written (one parameter), or a fixed value when every time is zero."""


def _resolve_fits(x: np.ndarray) -> tuple[list[ResolveCandidate], str, float]:
    if x.shape[0] < MIN_RESOLVE_FIT or np.ptp(x) == 0:
        return [], ("exponential" if x.mean() > 0 else "fixed"), math.nan
    out = []
    positive = x[x > 0]
    for name, (dist, fixed) in RESOLVE_FAMILIES.items():
        data = positive if fixed else x
        try:
            params = dist.fit(data, **fixed)
        except (ValueError, RuntimeError, FloatingPointError):
            continue
        ll = float(np.sum(dist.logpdf(x, *params)))
        if not math.isfinite(ll):
            continue
        k = len(params) - len(fixed)
        ks = float(stats.kstest(x, dist.cdf, args=params).pvalue)
        out.append(ResolveCandidate(name, k, ll, 2 * k - 2 * ll, ks))
    best = min(out, key=lambda c: c.aic)
    dist, fixed = RESOLVE_FAMILIES[best.name]
    gof = stats.goodness_of_fit(
        dist,
        x if not fixed else positive,
        known_params={"loc": 0.0} if fixed else None,
        statistic="ks",
        n_mc_samples=199,
        rng=np.random.default_rng(0),
    )
    return out, best.name, float(gof.pvalue)


def _uniform_ends(x: np.ndarray) -> tuple[Estimate, Estimate]:
    """Ends of a uniform: the sample extremes, each with its exact one-sided 95% bound."""
    n = x.shape[0]
    lo, hi = float(x.min()), float(x.max())
    # P(min - low > t) = (1 - t / range)^n; the range is estimated from the extremes,
    # scaled up by (n + 1) / (n - 1) as the unbiased estimate of a uniform's width.
    width = (hi - lo) * (n + 1) / max(n - 1, 1)
    reach = width * (1 - (1 - LEVEL) ** (1 / n))
    method = "sample extreme, exact bound"
    return Estimate(lo, lo - reach, lo, n, method), Estimate(hi, hi, hi + reach, n, method)


def fit_causes(
    events: pd.DataFrame, transactions: pd.DataFrame, owner: pd.Series
) -> list[CauseFit]:
    """One :class:`CauseFit` per cause named in the events, in order of first appearance."""
    kiosk = transactions[transactions["channel"] == "kiosk"]
    n_trans = len(kiosk)
    n_items = int(kiosk["items"].sum())
    out = []
    for cause in pd.unique(events["cause"]):
        mine = events[events["cause"] == cause]
        linked = owner[mine.index]
        linked = linked[linked >= 0]
        per_trans = linked.value_counts().reindex(kiosk.index, fill_value=0).to_numpy()
        k = int(per_trans.sum())
        p_item = k / n_items
        ll_item = float(np.sum(stats.binom.logpmf(per_trans, kiosk["items"].to_numpy(), p_item)))
        if per_trans.max(initial=0) > 1:
            ll_trans = -math.inf
        else:
            ll_trans = float(np.sum(stats.bernoulli.logpmf(per_trans, k / n_trans)))
        per = "item" if ll_item >= ll_trans else "transaction"
        prob = (
            proportion(k, n_items, "events per item scanned at a kiosk")
            if per == "item"
            else proportion(k, n_trans, "events per kiosk transaction")
        )
        clear = mine["clear_min"].to_numpy(dtype=float)
        cands, chosen, gof_p = _resolve_fits(clear)
        lo_hi = _uniform_ends(clear) if chosen == "uniform" else (None, None)
        remote = proportion(
            int((mine["cleared"] == "remote").sum()), len(mine), "share cleared remotely"
        )
        out.append(
            CauseFit(
                str(cause),
                str(mine["cause_at"].iloc[0]),
                per,
                prob,
                ll_item,
                ll_trans,
                cands,
                chosen,
                gof_p,
                mean_interval(clear, "mean clear time"),
                sd_interval(clear, "sd of clear time"),
                lo_hi[0],
                lo_hi[1],
                clear,
                remote,
            )
        )
    return out
