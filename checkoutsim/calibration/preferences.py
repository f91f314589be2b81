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
from functools import partial
from typing import cast

import numpy as np
import pandas as pd
from scipy import stats

from checkoutsim.calibration.estimates import LEVEL, Estimate
from checkoutsim.model.recorder import ChannelCode, OutcomeCode, RunColumns
from checkoutsim.scenario.schema import Scenario

__all__ = [
    "PreferenceFit",
    "day_cells",
    "fit_preferences",
    "kiosk_share_cells",
    "pooled_cells",
]

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


DayCells = tuple[np.ndarray, np.ndarray, np.ndarray]
"""Cell keys (``2 * hour + band``), kiosk users and eligible baskets (see :func:`day_cells`)."""


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
    return pooled_cells([_cells(hour, items, kiosk, limit)])


def _j(observed: pd.DataFrame, simulated: pd.DataFrame) -> float:
    sim = simulated.reindex(observed.index, fill_value=0)
    p_obs = observed["sum"] / observed["size"]
    p_sim = (sim["sum"] / sim["size"].replace(0, np.nan)).fillna(0.0)
    pooled = ((observed["sum"] + sim["sum"]) / (observed["size"] + sim["size"])).clip(0.01, 0.99)
    var = pooled * (1 - pooled) * (1 / observed["size"] + 1 / sim["size"].replace(0, 1))
    return float((((p_obs - p_sim) ** 2) / var).sum())


def day_cells(
    scenario: Scenario,
    rep: int,
    seed: int,
    columns: RunColumns,
    *,
    arrival_column: str,
    limit: int,
) -> DayCells:
    """One simulated day's cells: keys ``2 * hour + band``, kiosk users and eligible baskets.

    The day's served customers counted as :func:`kiosk_share_cells` counts the logs, run where
    the day was simulated (a :class:`~checkoutsim.experiments.executors.Task`'s ``analyse``):
    a few dozen numbers come back instead of the day's every column, and no result tables or
    experience columns are built for the hundreds of days the fit simulates.
    """
    c = columns.customers
    served = c["outcome"] == OutcomeCode.SERVED
    hour = np.floor(c[arrival_column][served] / 60)
    kiosk = c["channel"][served] == ChannelCode.KIOSK
    return _cells(hour, c["basket_items"][served], kiosk, limit)


def _cells(hour: np.ndarray, items: np.ndarray, kiosk: np.ndarray, limit: int) -> DayCells:
    """The cells of baskets the kiosks accept (``items <= limit``): keys ``2 * hour + band``
    (band 0 up to :data:`SMALL_BASKET` items, 1 above), kiosk users and baskets per key."""
    ok = items <= limit
    band = np.where(items[ok] <= SMALL_BASKET, 0, 1)
    return _count(2 * hour[ok].astype(int) + band, kiosk[ok], None)


def _count(keys: np.ndarray, kiosk: np.ndarray, size: np.ndarray | None) -> DayCells:
    """Distinct keys, and per key the kiosk users and eligible baskets (``size`` rows each,
    or one each when not given). Counts are whole numbers, so any order of summing gives the
    same figures."""
    distinct, where = np.unique(keys, return_inverse=True)
    users = np.bincount(where, weights=kiosk.astype(float), minlength=distinct.shape[0])
    baskets = np.bincount(where, weights=size, minlength=distinct.shape[0])
    return distinct, users, baskets.astype(np.int64)


def pooled_cells(days: list[DayCells]) -> pd.DataFrame:
    """:func:`day_cells` of several days pooled, as :func:`kiosk_share_cells` lays them out."""
    keys, users, baskets = _count(
        np.concatenate([d[0] for d in days]),
        np.concatenate([d[1] for d in days]),
        np.concatenate([d[2] for d in days]).astype(float),
    )
    index = pd.MultiIndex.from_arrays([keys // 2, keys % 2], names=["hour", "band"])
    return pd.DataFrame({"sum": users, "size": baskets}, index=index)


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
    # Imported here: calibrating without --fit-preferences needs no executor (the experiments
    # package costs about 75 ms to import).
    from checkoutsim.experiments.executors import Task, make_executor
    from checkoutsim.experiments.simulate import run_tasks

    limit = scenario.customers.kiosk_item_limit or 10**9
    observed = observed[observed["size"] >= MIN_CELL]
    cache: dict[tuple[float, float], float] = {}
    analyse = partial(day_cells, arrival_column=arrival_column, limit=limit)

    def grid(never: np.ndarray, prefer: np.ndarray) -> None:
        """J at every point of the grid not yet simulated, in row order (n, then p).

        The days of all the grid's points go to one executor together (one pool for the whole
        fit, kept busy across points); each day depends on (scenario, rep, seed) alone, so the
        figures are those of simulating point by point.
        """
        points = []
        for n in never:
            for p in prefer:
                key = (round(float(n), 4), round(float(p), 4))
                if n + p <= 1.0 + 1e-9 and key not in cache and key not in points:
                    points.append(key)
        tasks = []
        for never_share, prefer_share in points:
            shares = {"never_kiosk_share": never_share, "prefer_kiosk_share": prefer_share}
            trial = scenario.with_overrides({"customers": {"channel": shares}})
            tasks += [Task(trial, rep, seed, analyse=analyse) for rep in range(days)]
        # run_tasks keeps the tasks' order; each result is day_cells' tuple (the analyse).
        runs = [cast(DayCells, cells) for _, cells in run_tasks(executor, tasks)]
        for i, key in enumerate(points):
            cells = pooled_cells(runs[i * days : (i + 1) * days])
            cache[key] = _j(observed, cells)

    with make_executor(workers, tasks=days) as executor:
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
