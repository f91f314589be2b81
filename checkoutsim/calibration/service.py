"""Service times: a robust regression of duration on items per channel, payment by method,
and channel use by basket size."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from checkoutsim.calibration.estimates import LEVEL, Estimate, mean_interval, proportion

__all__ = [
    "BASKET_BANDS",
    "HUBER_K",
    "ChannelFit",
    "PaymentFit",
    "ServiceFit",
    "fit_channels",
    "fit_payment",
    "fit_service",
]

HUBER_K = 3.0
"""Huber's tuning constant, in standard deviations of a residual. Service pieces are skewed
(gamma), so the usual 1.345 would pull the fixed time towards its median; at 3 only residuals
rarer than 1 in 370 under normality are down-weighted (a forgotten till, a price check)."""

BASKET_BANDS = (1, 6, 11, 16, 26, 51, 101)
"""Lower edges of the basket-size bands of the channel table (items)."""


@dataclass(frozen=True)
class ServiceFit:
    """``work = fixed + sum of per-item scan times``, fitted for one channel.

    ``E[work | items] = fixed_mean + scan_mean * items`` and
    ``Var[work | items] = fixed_sd**2 + scan_sd**2 * items`` (independent pieces, as the model
    draws them).
    """

    channel: str
    fixed_mean: Estimate
    scan_mean: Estimate
    fixed_sd: Estimate
    scan_sd: Estimate
    items: np.ndarray
    work: np.ndarray
    what: str


def _variance_model(x: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS of squared residuals on items (method of moments for the two variances), with a
    heteroscedasticity-robust (HC0) covariance: hand-written, scipy has no such regression."""
    design = np.column_stack([np.ones_like(x), x])
    y = r * r
    xtx_inv = np.linalg.inv(design.T @ design)
    coef = xtx_inv @ design.T @ y
    e = y - design @ coef
    meat = (design * (e * e)[:, None]).T @ design
    return coef, xtx_inv @ meat @ xtx_inv


def fit_service(channel: str, items: np.ndarray, work: np.ndarray, what: str) -> ServiceFit:
    """Huber-weighted least squares of ``work`` on ``items`` (scipy.optimize.least_squares).

    Steps: ordinary least squares; the variance model from its squared residuals; the Huber
    fit with residuals standardised by that variance; the variance model again from the Huber
    residuals. The interval of the means is Huber's asymptotic sandwich
    ``E[psi^2] / E[psi']^2 (X'WX)^-1``; of the standard deviations, the square roots of the
    variance model's HC0 interval (clipped at 0).
    """
    x = np.asarray(items, dtype=float)
    y = np.asarray(work, dtype=float)
    n = x.shape[0]
    design = np.column_stack([np.ones_like(x), x])
    beta = np.linalg.lstsq(design, y, rcond=None)[0]
    var_coef, _ = _variance_model(x, y - design @ beta)
    v = np.clip(var_coef[0] + var_coef[1] * x, 1e-8, None)
    w = 1.0 / np.sqrt(v)
    fit = optimize.least_squares(
        lambda b: (y - design @ b) * w, beta, loss="huber", f_scale=HUBER_K
    )
    beta = fit.x
    u = (y - design @ beta) * w
    psi = np.clip(u, -HUBER_K, HUBER_K)
    dpsi = (np.abs(u) <= HUBER_K).astype(float)
    bread = np.linalg.inv((design * (w * w)[:, None]).T @ design)
    cov = float(np.mean(psi * psi)) / max(float(np.mean(dpsi)), 1e-12) ** 2 * bread
    z = float(stats.norm.ppf(0.5 + LEVEL / 2))
    se = np.sqrt(np.diag(cov))
    method = "Huber regression on items"
    fixed = Estimate(beta[0], beta[0] - z * se[0], beta[0] + z * se[0], n, method)
    scan = Estimate(beta[1], beta[1] - z * se[1], beta[1] + z * se[1], n, method)
    keep = np.abs(u) <= 3 * HUBER_K  # gross outliers would dominate squared residuals
    var_coef, var_cov = _variance_model(x[keep], (y - design @ beta)[keep])
    var_se = np.sqrt(np.diag(var_cov))
    sds = []
    for k in range(2):
        lo = max(var_coef[k] - z * var_se[k], 0.0)
        hi = max(var_coef[k] + z * var_se[k], 0.0)
        value = math.sqrt(max(var_coef[k], 0.0))
        sds.append(Estimate(value, math.sqrt(lo), math.sqrt(hi), n, "variance regression"))
    return ServiceFit(channel, fixed, scan, sds[0], sds[1], x, y, what)


@dataclass(frozen=True)
class PaymentFit:
    """Share and mean tender time of each payment method."""

    methods: list[str]
    shares: list[Estimate]
    times: list[Estimate]


def fit_payment(transactions: pd.DataFrame) -> PaymentFit | None:
    """Per method: its share (exact binomial interval) and mean tender time (t interval).
    None when the till logs no tender time."""
    tender = transactions["tender_min"].to_numpy(dtype=float)
    if not np.isfinite(tender).any():
        return None
    t = transactions[np.isfinite(tender)]
    n = len(t)
    methods, shares, times = [], [], []
    for method, group in t.groupby("payment_method", sort=True):
        methods.append(str(method))
        shares.append(proportion(len(group), n, "share of transactions"))
        times.append(mean_interval(group["tender_min"].to_numpy(), "mean tender time"))
    return PaymentFit(methods, shares, times)


@dataclass(frozen=True)
class ChannelFit:
    """Kiosk use by basket band, and the largest basket seen at a kiosk."""

    bands: list[str]
    kiosk_share: list[Estimate]
    kiosk_max_items: int
    above_limit_share: float


def fit_channels(transactions: pd.DataFrame) -> ChannelFit:
    """The kiosk share in each basket band, and the kiosk item limit in use (the largest
    basket at a kiosk; the share of baskets above it, all at lanes, is reported)."""
    items = transactions["items"].to_numpy()
    kiosk = (transactions["channel"] == "kiosk").to_numpy()
    edges = [*BASKET_BANDS, math.inf]
    bands, shares = [], []
    for lo, hi in itertools.pairwise(edges):
        mask = (items >= lo) & (items < hi)
        if not mask.any():
            continue
        label = f"{lo}+" if hi == math.inf else f"{lo}-{int(hi) - 1}"
        bands.append(label)
        shares.append(proportion(int(kiosk[mask].sum()), int(mask.sum()), "kiosk share"))
    top = int(items[kiosk].max()) if kiosk.any() else 0
    return ChannelFit(bands, shares, top, float((items > top).mean()))
