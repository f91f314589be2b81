"""Channel preference shares (never / prefer kiosk) by the simulated method of moments.

A till shows which channel each customer used, not who would never use a kiosk or always
would: flexible customers choose by the queues they see. So the shares are found by
simulation: the calibrated scenario is simulated under a grid of (never, prefer) shares, each
with the same customers (common random numbers), and the kiosk share among baskets the kiosks
accept, by hour and basket band, is compared with the logs'.

``J(theta) = sum over cells of (observed - simulated)^2 / (var_observed + var_simulated)``
(binomial variances). A simulated day is chaotic in the shares (one customer choosing
differently changes every later queue), so ``J`` is noisy from one grid point to the next:
rather than trusting the grid's best point, a quadratic surface is fitted by least squares to
``J`` at every grid point within :data:`SURFACE_SPAN` of the least, and its minimum is the
estimate. The 95% confidence region is ``{theta: Q(theta) - min Q <= chi2(0.95, 2 df)}``, and
each share's interval is that ellipse's extent along its axis. When the surface is not convex
(the shares are not identified by these logs), the grid's best point is reported with the range
of the grid points within the threshold, and a note says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from checkoutsim.calibration.estimates import LEVEL, Estimate
from checkoutsim.experiments.simulate import simulate
from checkoutsim.scenario.schema import Scenario

__all__ = ["PreferenceFit", "fit_preferences", "kiosk_share_cells"]

SMALL_BASKET = 5
"""Baskets up to this many items form one band, larger ones (up to the kiosk limit) another."""

COARSE_STEP = 0.1
"""Step of the first grid over both shares (never 0-0.7, prefer 0-0.6)."""

FINE_STEP = 0.05
"""Step of the second grid, within 0.15 of the first grid's best point."""

SURFACE_SPAN = 60.0
"""Grid points with ``J`` within this of the least are used for the quadratic surface: wide
enough to hold 25-40 points on the weekday round trip, narrow enough that J is near-quadratic
there (measured: spans 30-100 move the estimate by under 0.02)."""

MIN_CELL = 20
"""Cells (hour x band) with fewer eligible baskets in the logs are left out."""


@dataclass(frozen=True)
class PreferenceFit:
    """The fitted shares, the grid searched and its ``J`` values."""

    never: Estimate
    prefer: Estimate
    grid: pd.DataFrame  # never, prefer, J
    cells: int
    days_simulated: int
    identified: bool


def kiosk_share_cells(
    hour: np.ndarray, items: np.ndarray, kiosk: np.ndarray, limit: int
) -> pd.DataFrame:
    """Eligible baskets and kiosk users per (hour after opening, basket band)."""
    ok = items <= limit
    frame = pd.DataFrame(
        {
            "hour": hour[ok].astype(int),
            "band": np.where(items[ok] <= SMALL_BASKET, 0, 1),
            "kiosk": kiosk[ok].astype(float),
        }
    )
    return frame.groupby(["hour", "band"])["kiosk"].agg(["sum", "size"])


def _j(observed: pd.DataFrame, simulated: pd.DataFrame) -> float:
    sim = simulated.reindex(observed.index, fill_value=0)
    p_obs = observed["sum"] / observed["size"]
    p_sim = (sim["sum"] / sim["size"].replace(0, np.nan)).fillna(0.0)
    pooled = ((observed["sum"] + sim["sum"]) / (observed["size"] + sim["size"])).clip(0.01, 0.99)
    var = pooled * (1 - pooled) * (1 / observed["size"] + 1 / sim["size"].replace(0, 1))
    return float((((p_obs - p_sim) ** 2) / var).sum())


def fit_preferences(
    scenario: Scenario,
    observed: pd.DataFrame,
    *,
    arrival_column: str,
    days: int,
    seed: int = 20_261_201,
    workers: int | None = None,
) -> PreferenceFit:
    """Fit (never, prefer) to the observed cells (:func:`kiosk_share_cells` of the logs).

    ``arrival_column`` is the simulated column matching the logs' time (``arrival_min`` when
    the logs have join times, ``service_start_min`` otherwise).
    """
    limit = scenario.customers.kiosk_item_limit or 10**9
    observed = observed[observed["size"] >= MIN_CELL]
    cache: dict[tuple[float, float], float] = {}

    def j_at(never: float, prefer: float) -> float:
        key = (round(never, 4), round(prefer, 4))
        if key not in cache:
            trial = scenario.with_overrides(
                {
                    "customers": {
                        "channel": {"never_kiosk_share": key[0], "prefer_kiosk_share": key[1]}
                    }
                }
            )
            c = simulate(trial, replications=days, seed=seed, workers=workers).customers
            c = c[c["outcome"] == "served"]
            cells = kiosk_share_cells(
                np.floor(c[arrival_column].to_numpy() / 60),
                c["basket_items"].to_numpy(),
                (c["channel"] == "kiosk").to_numpy(),
                limit,
            )
            cache[key] = _j(observed, cells)
        return cache[key]

    def grid(never: np.ndarray, prefer: np.ndarray) -> None:
        for n in never:
            for p in prefer:
                if n + p <= 1.0 + 1e-9:
                    j_at(float(n), float(p))

    grid(np.arange(0.0, 0.7001, COARSE_STEP), np.arange(0.0, 0.6001, COARSE_STEP))
    best = min(cache, key=cache.__getitem__)
    fine_n = np.arange(best[0] - 3 * FINE_STEP, best[0] + 3.001 * FINE_STEP, FINE_STEP)
    fine_p = np.arange(best[1] - 3 * FINE_STEP, best[1] + 3.001 * FINE_STEP, FINE_STEP)
    grid(fine_n[(fine_n >= -1e-9) & (fine_n <= 1)], fine_p[(fine_p >= -1e-9) & (fine_p <= 1)])
    table = pd.DataFrame(
        [(n, p, j) for (n, p), j in cache.items()], columns=["never", "prefer", "J"]
    )
    n_obs = int(observed["size"].sum())
    method = "simulated method of moments (quadratic surface over a grid, CRN)"
    threshold = float(stats.chi2.ppf(LEVEL, 2))
    surface = _surface(table)
    if surface is not None:
        centre, half = surface
        lows = np.clip(centre - half, 0.0, 1.0)
        highs = np.clip(centre + half, 0.0, 1.0)
        centre = np.clip(centre, 0.0, 1.0)
        never = Estimate(float(centre[0]), float(lows[0]), float(highs[0]), n_obs, method)
        prefer = Estimate(float(centre[1]), float(lows[1]), float(highs[1]), n_obs, method)
        return PreferenceFit(never, prefer, table, len(observed), days, True)
    top = table.loc[table["J"].idxmin()]
    inside = table[table["J"] - table["J"].min() <= threshold]
    method = "simulated method of moments (grid only: surface not convex)"
    never = Estimate(
        float(top["never"]),
        float(inside["never"].min()),
        float(inside["never"].max()),
        n_obs,
        method,
    )
    prefer = Estimate(
        float(top["prefer"]),
        float(inside["prefer"].min()),
        float(inside["prefer"].max()),
        n_obs,
        method,
    )
    return PreferenceFit(never, prefer, table, len(observed), days, False)


def _surface(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    """Minimum and 95% half-widths of a quadratic fitted to J near its least value."""
    near = table[table["J"] <= table["J"].min() + SURFACE_SPAN]
    if len(near) < 8:
        return None
    n, p = near["never"].to_numpy(), near["prefer"].to_numpy()
    design = np.column_stack([np.ones_like(n), n, p, n * n, n * p, p * p])
    c = np.linalg.lstsq(design, near["J"].to_numpy(), rcond=None)[0]
    a = np.array([[c[3], c[4] / 2], [c[4] / 2, c[5]]])
    if np.any(np.linalg.eigvalsh(a) <= 0):
        return None
    centre = np.linalg.solve(2 * a, -c[1:3])
    half = np.sqrt(stats.chi2.ppf(LEVEL, 2) * np.diag(np.linalg.inv(a)))
    return centre, half
