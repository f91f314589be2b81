"""Basket size: candidate distributions compared by AIC/BIC, with a chi-square test each."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, stats

from checkoutsim.calibration.estimates import LEVEL, Estimate

__all__ = ["BasketCandidate", "BasketFit", "fit_basket"]


@dataclass(frozen=True)
class BasketCandidate:
    """One candidate: its log-likelihood, AIC, BIC and chi-square test."""

    name: str
    params: int
    loglik: float
    aic: float
    bic: float
    chi2: float
    chi2_p: float
    pmf: np.ndarray  # probability of each basket size in BasketFit.values


@dataclass(frozen=True)
class BasketFit:
    """The chosen candidate and what the scenario gets."""

    values: np.ndarray  # every basket size from 1 to the largest seen
    counts: np.ndarray  # transactions with each size (zeros included)
    candidates: list[BasketCandidate]
    chosen: str
    mean: Estimate | None
    sd: Estimate | None


def _rounded_pmf(cdf: Callable[[np.ndarray], np.ndarray], values: np.ndarray) -> np.ndarray:
    """P(items = k) when a continuous draw is rounded and clipped at 1, as the model does."""
    upper = cdf(values + 0.5)
    lower = np.where(values <= 1, 0.0, cdf(values - 0.5))
    return np.clip(upper - lower, 1e-300, 1.0)


def _lognormal(mean: float, sd: float) -> Any:
    sigma2 = math.log1p((sd / mean) ** 2)
    return stats.lognorm(s=math.sqrt(sigma2), scale=mean * math.exp(-sigma2 / 2))


def _gamma(mean: float, sd: float) -> Any:
    return stats.gamma(a=(mean / sd) ** 2, scale=sd * sd / mean)


def _fit_rounded(
    family: Callable[[float, float], Any], values: np.ndarray, counts: np.ndarray, x0: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """Maximum likelihood of a rounded continuous family in (log mean, log sd).

    Hand-written because scipy.stats.fit has no rounded-and-clipped family, and the model's
    basket is exactly that (``rint`` then clip to at least 1). The interval comes from the
    observed information (a numerical Hessian) in log space.
    """

    def nll(theta: np.ndarray) -> float:
        dist = family(math.exp(theta[0]), math.exp(theta[1]))
        return -float(np.sum(counts * np.log(_rounded_pmf(dist.cdf, values))))

    res = optimize.minimize(
        nll,
        np.log(x0),
        method="Nelder-Mead",
        options={"xatol": 1e-7, "fatol": 1e-7, "maxiter": 2000},
    )
    theta = res.x
    h = 1e-4
    hess = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * h, np.eye(2)[j] * h
            hess[i, j] = (
                nll(theta + ei + ej)
                - nll(theta + ei - ej)
                - nll(theta - ei + ej)
                + nll(theta - ei - ej)
            ) / (4 * h * h)
    try:
        cov = np.linalg.inv(hess)
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
    except np.linalg.LinAlgError:
        se = np.array([np.inf, np.inf])
    return theta, se, -float(res.fun)


def _chi2(counts: np.ndarray, pmf: np.ndarray, params: int) -> tuple[float, float]:
    """Pearson chi-square over sizes 1, 2, ..., the last bin taking the tail beyond; neighbouring
    sizes are pooled until each bin expects at least 5."""
    n = counts.sum()
    expected = pmf * n
    expected[-1] += max(1.0 - pmf.sum(), 0.0) * n
    obs_bins, exp_bins, o, e = [], [], 0.0, 0.0
    for ok, ek in zip(counts, expected, strict=True):
        o, e = o + ok, e + ek
        if e >= 5:
            obs_bins.append(o)
            exp_bins.append(e)
            o = e = 0.0
    if e > 0 and exp_bins:
        obs_bins[-1] += o
        exp_bins[-1] += e
    df = len(obs_bins) - 1 - params
    if df < 1:
        return math.nan, math.nan
    obs, exp = np.array(obs_bins), np.array(exp_bins)
    exp = exp * obs.sum() / exp.sum()
    result = stats.chisquare(obs, exp, ddof=params)
    return float(result.statistic), float(result.pvalue)


def fit_basket(items: np.ndarray) -> BasketFit:
    """Fit lognormal, gamma (both rounded as the model rounds), negative binomial and the
    empirical distribution to the items per transaction; choose by AIC."""
    items = np.asarray(items, dtype=np.int64)
    seen, seen_counts = np.unique(items, return_counts=True)
    values = np.arange(1, int(items.max()) + 1)
    counts = np.zeros(values.shape[0], dtype=np.int64)
    counts[seen - 1] = seen_counts
    n = int(counts.sum())
    m, s = float(items.mean()), float(items.std(ddof=1)) if n > 1 else 1.0
    s = max(s, 0.05 * m)
    candidates, moments = [], {}
    z = stats.norm.ppf(0.5 + LEVEL / 2)
    for name, family in (("lognormal", _lognormal), ("gamma", _gamma)):
        theta, se, ll = _fit_rounded(family, values, counts, np.array([m, s]))
        pmf = _rounded_pmf(family(*np.exp(theta)).cdf, values)
        moments[name] = (theta, se)
        candidates.append(_candidate(name, 2, ll, n, counts, pmf))
    nb = stats.fit(stats.nbinom, items - 1, bounds={"n": (0.01, 1000.0), "p": (1e-5, 1.0)})
    nb_pmf = stats.nbinom.pmf(values - 1, nb.params.n, nb.params.p)
    candidates.append(_candidate("negative binomial", 2, -float(nb.nllf()), n, counts, nb_pmf))
    emp_pmf = counts / n
    emp_ll = float(np.sum(seen_counts * np.log(seen_counts / n)))
    candidates.append(
        _candidate(
            "empirical",
            len(seen) - 1,
            emp_ll,
            n,
            counts,
            emp_pmf,
        )
    )
    best = min(candidates, key=lambda c: c.aic)
    mean = sd = None
    if best.name in moments:
        theta, se = moments[best.name]
        method = f"{best.name}, rounded to whole items (ML, Hessian interval)"
        mean = Estimate(
            math.exp(theta[0]),
            math.exp(theta[0] - z * se[0]),
            math.exp(theta[0] + z * se[0]),
            n,
            method,
        )
        sd = Estimate(
            math.exp(theta[1]),
            math.exp(theta[1] - z * se[1]),
            math.exp(theta[1] + z * se[1]),
            n,
            method,
        )
    return BasketFit(values, counts, candidates, best.name, mean, sd)


def _candidate(
    name: str, k: int, ll: float, n: int, counts: np.ndarray, pmf: np.ndarray
) -> BasketCandidate:
    chi, p = _chi2(counts, pmf, k) if name != "empirical" else (math.nan, math.nan)
    return BasketCandidate(name, k, ll, 2 * k - 2 * ll, k * math.log(n) - 2 * ll, chi, p, pmf)
