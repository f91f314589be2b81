"""Basket size: candidate distributions compared by AIC/BIC, with a chi-square test each."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

from checkoutsim.calibration.estimates import LEVEL, Estimate

__all__ = [
    "BasketCandidate",
    "BasketFit",
    "fit_basket",
    "fit_nbinom",
    "nbinom_logpmf",
    "nbinom_nll",
]

Cdf = Callable[[np.ndarray], np.ndarray]
"""A distribution's cdf, with its parameters bound."""


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


def _rounded_pmf(cdf: Cdf, values: np.ndarray) -> np.ndarray:
    """P(items = k) when a continuous draw is rounded and clipped at 1, as the model does."""
    upper = cdf(values + 0.5)
    lower = np.where(values <= 1, 0.0, cdf(values - 0.5))
    return np.clip(upper - lower, 1e-300, 1.0)


# Each family gives the cdf of its member with a mean and sd, computed as scipy.stats computes
# lognorm.cdf and gamma.cdf (their _cdf on x / scale) for the positive, finite points the
# rounded likelihood asks about: the same numbers, without scipy's argument handling and,
# before, a frozen distribution built on every likelihood call (about 1 ms each).
def _lognormal(mean: float, sd: float) -> Cdf:
    sigma2 = math.log1p((sd / mean) ** 2)
    s, scale = math.sqrt(sigma2), mean * math.exp(-sigma2 / 2)
    return lambda x: special.ndtr(np.log(x / scale) / s)


def _gamma(mean: float, sd: float) -> Cdf:
    a, scale = (mean / sd) ** 2, sd * sd / mean
    return lambda x: special.gammainc(a, x / scale)


def _fit_rounded(
    family: Callable[[float, float], Cdf], values: np.ndarray, counts: np.ndarray, x0: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """Maximum likelihood of a rounded continuous family in (log mean, log sd).

    Hand-written because scipy.stats.fit has no rounded-and-clipped family, and the model's
    basket is exactly that (``rint`` then clip to at least 1). The interval comes from the
    observed information (a numerical Hessian) in log space.
    """

    def nll(theta: np.ndarray) -> float:
        cdf = family(math.exp(theta[0]), math.exp(theta[1]))
        return -float(np.sum(counts * np.log(_rounded_pmf(cdf, values))))

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


NB_BOUNDS = ((1.0, 1000.0), (1e-5, 1.0))
"""Bounds of the negative binomial's (n, p) in the search: scipy.stats.fit's for the bounds
``n`` 0.01-1000 and ``p`` 1e-5-1 it was given, as scipy.stats.nbinom declares ``n`` whole."""

_PENALTY = math.log(np.finfo(float).max) * 100
"""What scipy.stats.fit's likelihood adds per observation of zero probability (a p of 1)."""


def nbinom_logpmf(k: np.ndarray, n: float, p: float) -> np.ndarray:
    """log P(K = k) of a negative binomial, k >= 0: scipy.stats.nbinom's own formula, without
    its argument checks (called about a thousand times inside the search)."""
    coeff = special.gammaln(n + k) - special.gammaln(k + 1) - special.gammaln(n)
    return coeff + n * np.log(p) + special.xlog1py(k, -p)


def nbinom_nll(theta: np.ndarray, values: np.ndarray, counts: np.ndarray) -> float:
    """scipy.stats.fit's objective for ``nbinom`` at ``theta = (n, p)``, ``loc`` 0: minus the
    log-likelihood, plus a penalty per observation of zero probability, of ``values`` each seen
    ``counts`` times."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = nbinom_logpmf(values, theta[0], theta[1])
    finite = np.isfinite(logp)
    if finite.all():
        return -float(np.sum(counts * logp))
    return -float(np.sum(counts[finite] * logp[finite])) + float(counts[~finite].sum()) * _PENALTY


def fit_nbinom(values: np.ndarray, counts: np.ndarray) -> tuple[float, float, float]:
    """Maximum likelihood (n, p) and log-likelihood of a negative binomial of ``values``, each
    seen ``counts`` times.

    The objective is scipy.stats.fit's for ``nbinom`` (the same bounds, a whole ``n`` as
    scipy.stats.nbinom declares it, the same penalty for an observation of zero probability,
    differential evolution then L-BFGS-B over ``p``), summed over the distinct values weighted
    by their counts instead of over every observation: the same function, evaluated on a few
    dozen basket sizes rather than thousands of transactions. The search is seeded, so the fit
    is reproducible (scipy.stats.fit's is not).
    """
    k = np.asarray(values, dtype=float)
    w = np.asarray(counts, dtype=float)
    res = optimize.differential_evolution(
        nbinom_nll,
        NB_BOUNDS,
        args=(k, w),
        integrality=[True, False],
        rng=np.random.default_rng(0),
    )
    return float(res.x[0]), float(res.x[1]), -float(res.fun)


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
        pmf = _rounded_pmf(family(*np.exp(theta)), values)
        moments[name] = (theta, se)
        candidates.append(_candidate(name, 2, ll, n, counts, pmf))
    nb_n, nb_p, nb_ll = fit_nbinom(seen - 1, seen_counts)
    nb_pmf = stats.nbinom.pmf(values - 1, nb_n, nb_p)
    candidates.append(_candidate("negative binomial", 2, nb_ll, n, counts, nb_pmf))
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
