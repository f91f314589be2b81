"""The Theil-Sen line, computed directly: the same numbers as ``scipy.stats.theilslopes``.

scipy's ``theilslopes`` also sorts every pairwise slope and computes Sen's confidence bounds;
the log screen (:mod:`checkoutsim.calibration.reading`) uses only the slope and the
intercept, so those are taken here with ``np.median`` (a partition, no sort, no interval).
"""

from __future__ import annotations

import numpy as np

__all__ = ["theil_sen"]


def theil_sen(y: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of the Theil-Sen line through ``(x, y)``.

    The slope is the median of ``(y_j - y_i) / (x_j - x_i)`` over every pair with
    ``x_j > x_i`` (pairs tied in ``x`` carry no slope); the intercept is scipy's
    ``method='separate'``: ``median(y) - slope * median(x)``. The pairs are selected in the
    order scipy selects them, so both figures equal scipy's to the last bit.

    Raises
    ------
    ValueError
        When every ``x`` is the same (no pair has a slope).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    # Sorted by x, the pairs with x_j > x_i are, for a run of equal x, every later row: one
    # contiguous block per distinct x, written into one array (no n x n matrix, no mask).
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    edges = np.flatnonzero(np.diff(xs)) + 1  # where a run of equal x starts
    n = xs.shape[0]
    if edges.shape[0] == 0:
        raise ValueError("every x is the same: the Theil-Sen slope is undefined")
    bounds = np.concatenate(([0], edges, [n]))
    sizes = np.diff(bounds) * (n - bounds[1:])
    slopes = np.empty(int(sizes.sum()))
    at = 0
    for lo, hi, size in zip(bounds[:-2], bounds[1:-1], sizes[:-1], strict=True):
        block = slopes[at : at + size].reshape(hi - lo, n - hi)
        np.subtract(ys[np.newaxis, hi:], ys[lo:hi, np.newaxis], out=block)
        block /= xs[np.newaxis, hi:] - xs[lo:hi, np.newaxis]
        at += size
    slope = float(np.median(slopes))
    return slope, float(np.median(y)) - slope * float(np.median(x))
