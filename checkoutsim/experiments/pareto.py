"""The Pareto front of a sweep, judged on paired differences under common random numbers.

Every plan of a sweep saw the same simulated customers on replication ``r`` (same seed), so
plan ``a`` and plan ``b`` are compared on their per-replication differences ``a_r - b_r``
(paired t, Law & Kelton 2015, sec. 10.2.1), not on their means alone.

* ``a`` **dominates** ``b`` when, on every objective, the paired interval does not show ``a``
  worse, and on at least one it shows ``a`` better (the interval excludes 0 on ``a``'s side).
* A plan no other plan dominates is **front** unless it is **not distinguishable** from a
  front plan: every paired interval with that plan contains 0, so the data cannot tell them
  apart. Among plans that cannot be told apart, the one whose means are Pareto-efficient
  (ties: the first objective, then file order) represents them on the front.
* A plan with no value on an objective (no customer in it on any day) is ``no data``.

Multiple comparisons: one interval is built for every pair of plans and every objective that
varies from day to day, and the marks rest on all of them at once. The intervals are Bonferroni
adjusted over that whole family, ``k = n(n-1)/2 x (objectives that vary)``, so that every
"significantly better" on the table holds together with probability at least ``level``
(default 95%). An objective that never varies within a plan (a cost fixed by the staffing,
such as labour) has exact differences and is not counted; the total cost per day (lost margin,
shrink and coupons move with the day's customers) varies and is. The price is width: with 18
plans and three noisy objectives (total cost, p90 wait, CSAT) ``k = 459`` and the 10-day
interval uses ``t = 6.5`` instead of 2.26, so small gains need more replications to be
shown. Note the asymmetry: "no worse" is the absence of evidence of being worse, so wider
intervals move plans from the front towards "dominated" when a deterministic objective (a
fixed cost) separates them, and towards "not distinguishable" otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["DOMINATED", "FRONT", "NOT_DISTINGUISHABLE", "NO_DATA", "PairedFront", "paired_front"]

FRONT = "front"
NOT_DISTINGUISHABLE = "not distinguishable"
DOMINATED = "dominated"
NO_DATA = "no data"

_BLOCK_BYTES = 64 * 2**20
"""Memory of one block of pairwise differences (rows x plans x replications float64)."""


@dataclass(frozen=True)
class PairedFront:
    """The marks of :func:`paired_front`.

    Attributes
    ----------
    status : list of str
        Per plan: ``front``, ``not distinguishable``, ``dominated`` or ``no data``.
    reference : list of int or None
        Per plan: a plan that dominates it (``dominated``), or the front plan it cannot be
        told apart from (``not distinguishable``); else None.
    level : float
        Family-wise confidence level.
    comparisons : int
        Bonferroni ``k``: pairs of plans times objectives that vary.
    level_adjusted : float
        ``1 - (1 - level) / k``, the level of each interval.
    noisy : tuple of str
        The objectives that vary from day to day (counted in ``k``), in objective order.
    """

    status: list[str]
    reference: list[int | None]
    level: float
    comparisons: int
    level_adjusted: float
    noisy: tuple[str, ...] = ()

    @property
    def front(self) -> npt.NDArray[np.bool_]:
        """True for the plans marked ``front``."""
        return np.array([s == FRONT for s in self.status], dtype=bool)


def paired_front(
    values: Mapping[str, npt.ArrayLike],
    minimise: Sequence[str],
    maximise: Sequence[str] = (),
    level: float = 0.95,
) -> PairedFront:
    """Mark the front, the plans not distinguishable from it, and the dominated plans.

    Parameters
    ----------
    values : mapping of str to array_like
        Per objective, an array ``(plans, replications)``: row ``i`` is plan ``i``, column
        ``r`` replication ``r`` (the same seed for every plan). ``NaN`` is a day without a
        value; a pair of plans uses the replications where both have one.
    minimise, maximise : sequence of str
        Objectives (keys of ``values``) where lower, respectively higher, is better.
    level : float, default 0.95
        Family-wise confidence level (see the module docstring).

    Returns
    -------
    PairedFront
    """
    from scipy import stats  # imported here: heavy, and only needed once a sweep is done

    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be strictly between 0 and 1, got {level!r}")
    names = [*minimise, *maximise]
    signs = [1.0] * len(minimise) + [-1.0] * len(maximise)
    # lower is better everywhere from here on
    x = [np.asarray(values[m], dtype=float) * s for m, s in zip(names, signs, strict=True)]
    n = x[0].shape[0] if x else 0
    if not names or n == 0:
        return PairedFront([NO_DATA] * n, [None] * n, level, 0, level)
    ok = np.ones(n, dtype=bool)
    for v in x:
        ok &= ~np.all(np.isnan(v), axis=1)
    noisy = tuple(name for name, v in zip(names, x, strict=True) if _varies(v[ok]))
    m = int(ok.sum())
    k = max(1, m * (m - 1) // 2 * len(noisy))
    level_adj = 1.0 - (1.0 - level) / k

    better = np.zeros((n, n), dtype=bool)  # better[i, j]: i significantly better on some objective
    worse = np.zeros((n, n), dtype=bool)  # worse[i, j]: i significantly worse on some objective
    for v in x:
        b, w = _significant(v, level_adj, stats)
        better |= b
        worse |= w
    dominates = better & ~worse
    dominates[~ok, :] = False
    np.fill_diagonal(dominates, False)

    status = [NO_DATA] * n
    reference: list[int | None] = [None] * n
    candidates = []
    for j in (int(i) for i in np.flatnonzero(ok)):
        by = np.flatnonzero(dominates[:, j])
        if by.size:
            status[j] = DOMINATED
            # the dominating plan that is itself best placed: prefer a non-dominated one
            free = [int(i) for i in by if not dominates[:, i].any()]
            reference[j] = free[0] if free else int(by[0])
        else:
            candidates.append(j)
    # Representatives: plans efficient on the means first, then by the first objective.
    means = np.column_stack([np.nanmean(v, axis=1) for v in x])
    efficient = _efficient(means[candidates])
    order = sorted(
        range(len(candidates)),
        key=lambda c: (not efficient[c], means[candidates[c], 0], candidates[c]),
    )
    front: list[int] = []
    distinct = better | worse
    for c in order:
        j = candidates[c]
        same = [f for f in front if not distinct[f, j] and not distinct[j, f]]
        if same:
            status[j], reference[j] = NOT_DISTINGUISHABLE, same[0]
        else:
            status[j] = FRONT
            front.append(j)
    return PairedFront(status, reference, level, k, level_adj, noisy)


def _varies(v: npt.NDArray[np.float64]) -> bool:
    """True when some plan's values differ from day to day (the differences are random)."""
    with np.errstate(invalid="ignore"):
        spread = np.nanmax(v, axis=1) - np.nanmin(v, axis=1) if v.size else np.zeros(0)
    return bool(np.any(spread > 0))


def _significant(
    v: npt.NDArray[np.float64], level: float, stats: object
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Pairwise ``(i better than j, i worse than j)`` on paired intervals of ``v_i - v_j``.

    Worked out in blocks of rows, so memory stays under ``_BLOCK_BYTES`` for any sweep size
    (the time is quadratic in the number of plans).
    """
    n, reps = v.shape
    better = np.zeros((n, n), dtype=bool)
    worse = np.zeros((n, n), dtype=bool)
    rows = max(1, _BLOCK_BYTES // max(1, n * reps * 8))
    t_isf = stats.t.isf  # type: ignore[attr-defined]
    for start in range(0, n, rows):
        d = v[start : start + rows, None, :] - v[None, :, :]  # (rows, n, reps)
        used = ~np.isnan(d)
        count = used.sum(axis=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(used, d, 0.0).sum(axis=2) / count
            ss = np.where(used, (d - mean[:, :, None]) ** 2, 0.0).sum(axis=2)
            sd = np.sqrt(ss / (count - 1))
            # exactly equal differences (a fixed cost) have an exact, zero-width interval
            spread = np.where(used, d, -np.inf).max(axis=2) - np.where(used, d, np.inf).min(axis=2)
            sd = np.where(spread == 0.0, 0.0, sd)
            t = t_isf((1.0 - level) / 2.0, np.where(count >= 2, count - 1, np.nan))
            half = np.where(sd == 0.0, 0.0, t * sd / np.sqrt(count))
            known = count >= 2  # one day says nothing about the day-to-day spread
            better[start : start + rows] = known & (mean + half < 0.0)
            worse[start : start + rows] = known & (mean - half > 0.0)
    return better, worse


def _efficient(x: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Rows of ``x`` (lower is better) not dominated on the means."""
    out = np.ones(len(x), dtype=bool)
    for i in range(len(x)):
        out[i] = not np.any(np.all(x <= x[i], axis=1) & np.any(x < x[i], axis=1))
    return out
