"""Reductions over groups of table rows, all groups at once: the machinery of the metric tables.

The per-day and per-hour metric tables used to iterate ``DataFrame.groupby(...)``, building a
small frame per group and calling Python on it (a few hundred microseconds of pandas work per
group, paid again by every plan the optimiser or the roster evaluates, issue 20). Here the rows
are sorted into groups once (:func:`group_rows`, the groups and order ``groupby(keys,
sort=True, observed=True)`` gives), and each metric is one reduction over every group.

The results equal what the per-group code computed, bit for bit: counts with
``numpy.bincount`` and integer sums with ``numpy.add.reduceat``; percentiles by sorting within
groups and interpolating exactly as ``numpy.percentile``'s default ``linear`` method; float
sums segment by segment with ``numpy.add.reduce`` (``reduceat`` adds sequentially and
``numpy.mean`` pairwise, so they differ in the last bits; one numpy call per group is
microseconds, not a frame).

The module sits in the experience layer, the lowest layer that uses it, so the results and
planning layers import it downward (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "Block",
    "Groups",
    "group_rows",
    "is_label",
    "key_codes",
    "long_frame",
    "long_rows",
    "stable_order",
    "table_keys",
]


def is_label(column: pd.Series, label: str) -> np.ndarray:
    """``column == label`` as a boolean array, by category code when categorical (fast)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = column.cat.categories
        if label not in categories:
            return np.zeros(len(column), dtype=bool)
        return np.asarray(column.cat.codes.to_numpy() == categories.get_loc(label))
    return np.asarray(column.to_numpy() == label, dtype=bool)


def key_codes(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a key column in the order ``groupby(sort=True)`` sorts it.

    Parameters
    ----------
    values : array-like or Series
        A key column; a categorical keeps its categories' order (ordered or not, as groupby).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Each row's code (int64, -1 for a missing value, which groupby drops) and the label of
        each code.
    """
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        cat = values.cat if isinstance(values, pd.Series) else values
        codes = np.asarray(cat.codes, dtype=np.int64)
        return codes, np.asarray(cat.categories, dtype=object)
    codes, labels = pd.factorize(values, sort=True)
    return np.asarray(codes, dtype=np.int64), np.asarray(labels)


def _combined(codes: Sequence[np.ndarray], sizes: Sequence[int]) -> np.ndarray:
    """One int64 code per row, sorting as the tuple of key codes does (-1: a key missing)."""
    n = codes[0].shape[0] if codes else 0
    out = np.zeros(n, dtype=np.int64)
    radix = 1
    for c, size in zip(codes, sizes, strict=True):
        if radix * max(size, 1) >= 2**62:  # too many combinations for one int64: renumber
            _, out = np.unique(out, return_inverse=True)
            out = out.reshape(-1).astype(np.int64)
            radix = int(out.max()) + 1 if n else 1
        out = out * max(size, 1) + c
        radix *= max(size, 1)
    missing = np.zeros(n, dtype=bool)
    for c in codes:
        missing |= c < 0
    out[missing] = -1
    return out


class Groups:
    """Rows of a table in numbered groups, with reductions over every group at once.

    Parameters
    ----------
    index : numpy.ndarray
        Each row's group number, ``0 <= g < n``, or -1 for a row in no group.
    n : int
        Number of groups (a group may have no rows).

    Attributes
    ----------
    n : int
        Number of groups.
    order : numpy.ndarray
        Row numbers group by group, in table order within a group (a stable sort).
    ids : numpy.ndarray
        The group of each row of ``order`` (ascending).
    sizes : numpy.ndarray
        Rows of each group.
    starts : numpy.ndarray
        Where each group's rows start in ``order``.
    """

    def __init__(self, index: np.ndarray, n: int) -> None:
        index = np.asarray(index, dtype=np.int64)
        order = np.argsort(index, kind="stable")
        order = order[index[order] >= 0]
        self._set(n, order, index[order])

    def _set(self, n: int, order: np.ndarray, ids: np.ndarray) -> None:
        self.n = n
        self.order = order
        self.ids = ids
        self.sizes = np.bincount(ids, minlength=n).astype(np.int64)
        self.starts = np.cumsum(self.sizes) - self.sizes

    def where(self, mask: np.ndarray) -> Groups:
        """The same groups (same numbers) holding only the rows where ``mask`` is true."""
        keep = np.asarray(mask, dtype=bool)[self.order]
        out = Groups.__new__(Groups)
        out._set(self.n, self.order[keep], self.ids[keep])
        return out

    def count(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Rows of each group (where ``mask`` is true), as int64."""
        if mask is None:
            return self.sizes.copy()
        keep = np.asarray(mask, dtype=bool)[self.order]
        return np.bincount(self.ids[keep], minlength=self.n).astype(np.int64)

    def _grouped(self, values: Any) -> np.ndarray:
        return np.asarray(values)[self.order]

    def _segments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(groups with rows, their starts, their ends) in ``order``."""
        full = np.flatnonzero(self.sizes)
        starts = self.starts[full]
        return full, starts, starts + self.sizes[full]

    def sum(self, values: Any) -> np.ndarray:
        """Sum of ``values`` over each group's rows (0 for a group without rows), as float64.

        Integers and booleans are summed exactly with ``numpy.add.reduceat``. Floats are
        summed per group with ``numpy.add.reduce`` on the group's contiguous slice, the
        pairwise summation of ``numpy.sum``/``numpy.mean`` on that group alone, so a mean
        equals the per-group ``numpy.mean`` bit for bit.
        """
        v = self._grouped(values)
        out = np.zeros(self.n, dtype=np.float64)
        full, starts, ends = self._segments()
        if not full.size:
            return out
        if v.dtype.kind in "biu":
            out[full] = np.add.reduceat(v.astype(np.int64), starts)
        else:
            add = np.add.reduce
            out[full] = [add(v[a:b]) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
        return out

    def mean(self, values: Any) -> np.ndarray:
        """``numpy.mean`` of each group's values (NaN for a group without rows; a NaN value
        makes its group's mean NaN)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.sizes > 0, self.sum(values) / self.sizes, np.nan)

    def skipna_mean(self, values: Any) -> np.ndarray:
        """``Series.mean()`` of each group's values: NaN values left out (pandas replaces them
        with 0 before summing, and so does this); NaN when a group has no other value."""
        v = np.asarray(values)
        if v.dtype.kind in "biu":
            return self.mean(v)
        missing = np.isnan(v)
        present = self.sizes - self.count(missing)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(present > 0, self.sum(np.where(missing, 0.0, v)) / present, np.nan)

    def share(self, mask: np.ndarray) -> np.ndarray:
        """``numpy.mean(mask)`` of each group: the share of its rows where ``mask`` holds."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.sizes > 0, self.count(mask) / self.sizes, np.nan)

    def max(self, values: Any) -> np.ndarray:
        """Largest value of each group (NaN for a group without rows, or with a NaN value)."""
        v = self._grouped(values).astype(np.float64)
        out = np.full(self.n, np.nan)
        full, starts, _ = self._segments()
        if full.size:
            out[full] = np.maximum.reduceat(v, starts)
        return out

    def dot(self, a: Any, b: Any) -> np.ndarray:
        """``numpy.dot(a, b)`` over each group's rows (0 for a group without rows).

        Per group, on contiguous slices: ``numpy.dot`` sums in its own order (BLAS), which a
        product summed with ``reduceat`` would not reproduce to the last bit.
        """
        x = self._grouped(np.asarray(a, dtype=np.float64))
        y = self._grouped(np.asarray(b, dtype=np.float64))
        out = np.zeros(self.n, dtype=np.float64)
        full, starts, ends = self._segments()
        out[full] = [
            float(np.dot(x[s:e], y[s:e]))
            for s, e in zip(starts.tolist(), ends.tolist(), strict=True)
        ]
        return out

    def percentiles(self, values: Any, q: Sequence[float]) -> np.ndarray:
        """``numpy.percentile(group_values, q)`` (method ``linear``) of every group at once.

        Returns
        -------
        numpy.ndarray
            Shape ``(len(q), n)``; NaN for a group without rows, or with a NaN value (NaN
            sorts last, as ``numpy.percentile`` checks).

        Notes
        -----
        The values are sorted within groups (one ``lexsort``), then each percentile is
        numpy's own arithmetic on every group at once: virtual index ``(size - 1) * q / 100``,
        its floor, the weight ``gamma`` (taken, as numpy does, from the floor numpy uses: -1,
        the last value, when the index is at the end) and numpy's ``_lerp``, which
        interpolates from the upper neighbour when ``gamma >= 0.5``.
        """
        v = self._grouped(values).astype(np.float64)
        out = np.full((len(q), self.n), np.nan)
        full, starts, ends = self._segments()
        if not full.size:
            return out
        v = v[np.lexsort((v, self.ids))]
        last = ends - 1
        size = self.sizes[full]
        nan = np.isnan(v[last])
        for j, p in enumerate(q):
            virtual = (size - 1) * np.true_divide(p, 100)
            previous = np.floor(virtual)
            at_end = virtual >= size - 1
            previous[at_end] = -1
            lo = np.where(at_end, last, starts + previous.astype(np.int64))
            hi = np.where(at_end, last, lo + 1)
            gamma = virtual - previous
            a, b = v[lo], v[hi]
            diff = b - a
            value = np.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma)
            value[nan] = np.nan
            out[j, full] = value
        return out


def group_rows(keys: Sequence[Any]) -> tuple[Groups, list[np.ndarray]]:
    """The groups of ``DataFrame.groupby(keys, sort=True, observed=True)``, and their keys.

    Parameters
    ----------
    keys : sequence of array-like or Series
        Key columns of equal length; a row with a missing key is in no group (groupby's
        ``dropna=True``).

    Returns
    -------
    (Groups, list of numpy.ndarray)
        The groups, numbered in groupby's order (only combinations that occur), and for each
        key column the value of each group (a categorical gives its category labels).
    """
    coded = [key_codes(k) for k in keys]
    combined = _combined([c for c, _ in coded], [len(labels) for _, labels in coded])
    order = np.argsort(combined, kind="stable")
    order = order[combined[order] >= 0]
    code = combined[order]
    first = np.ones(code.shape[0], dtype=bool)  # the first row of each group, in order
    first[1:] = code[1:] != code[:-1]
    ids = np.cumsum(first) - 1
    groups = Groups.__new__(Groups)
    groups._set(int(first.sum()), order, ids)
    return groups, [labels[codes[order[first]]] for codes, labels in coded]


def stable_order(columns: Sequence[Any]) -> np.ndarray:
    """Row order of a stable sort by ``columns`` (``sort_values(columns, kind="stable")`` for
    columns without missing values)."""
    codes = [key_codes(c)[0] for c in columns]
    if not codes or not codes[0].shape[0]:
        return np.zeros(0, dtype=np.intp)
    return np.lexsort(codes[::-1])


Block = tuple[Any, Mapping[str, np.ndarray], "np.ndarray | None"]
"""``(label, metrics, present)``: metrics (one value per group each) under a label (a scope,
say), for the groups where ``present`` is true (None: every group)."""


def long_rows(keys: Mapping[str, np.ndarray], blocks: Sequence[Block]) -> dict[str, np.ndarray]:
    """Long-format columns: for each group, each block's metrics in order, one row each.

    Parameters
    ----------
    keys : mapping of str to numpy.ndarray
        Key columns, one value per group.
    blocks : sequence of Block
        ``(label, metrics, present)`` triples (see :data:`Block`).

    Returns
    -------
    dict of str to numpy.ndarray
        The key columns repeated, then ``label`` (each row's block label), ``metric`` and
        ``value``.

    Notes
    -----
    The row order of the per-group loops this replaces: group by group, and in a group block
    by block, metric by metric; a block is left out of the groups it is not present in.
    """
    n = next(iter(keys.values())).shape[0] if keys else 0
    names = [name for _, metrics, _ in blocks for name in metrics]
    labels = [label for label, metrics, _ in blocks for _ in metrics]
    width = len(names)
    if width:
        values = np.column_stack(
            [np.asarray(v, dtype=np.float64) for _, m, _ in blocks for v in m.values()]
        )
        present = np.column_stack(
            [
                np.ones(n, dtype=bool) if p is None else np.asarray(p, dtype=bool)
                for _, m, p in blocks
                for _ in m
            ]
        )
    else:
        values, present = np.zeros((n, 0)), np.zeros((n, 0), dtype=bool)
    keep = present.reshape(-1)
    out = {k: np.repeat(v, width)[keep] for k, v in keys.items()}
    out["label"] = np.tile(np.array(labels, dtype=object), n)[keep]
    out["metric"] = np.tile(np.array(names, dtype=object), n)[keep]
    out["value"] = values.reshape(-1)[keep]
    return out


def table_keys(values: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
    """Key columns ``scenario, rep, seed[, hour]`` of a metric table from group key values
    (:func:`group_rows`), with the types the per-group loops wrote: ``str``, ``int``
    (int64), ``int`` (int64, or uint64 with a seed from 2**63), ``str``."""
    scenario, rep, seed, *hour = values
    out = {
        "scenario": np.array([str(s) for s in scenario], dtype=object),
        "rep": np.asarray(rep).astype(np.int64),
        # Python ints, typed as pandas types them (int64, or uint64 beside a seed >= 2**63).
        "seed": pd.Series([int(s) for s in seed], dtype=None if len(seed) else np.int64).to_numpy(),
    }
    if hour:
        out["hour"] = np.array([str(h) for h in hour[0]], dtype=object)
    return out


def long_frame(columns: Mapping[str, np.ndarray], names: Sequence[str]) -> pd.DataFrame:
    """The table of ``columns`` (named ``names``); with no row, the empty table the per-group
    loops built from an empty list of rows (object columns)."""
    if not columns or not columns["value"].shape[0]:
        return pd.DataFrame([], columns=list(names))
    return pd.DataFrame({name: columns[name] for name in names})
