"""Service recovery: who acknowledges whom, who hands a coupon to whom, allocated after the run.

Coupons never change what happens in the simulation, so they are allocated afterwards from the
recorded contacts between customers and staff, in time order, with one sorted pass per
replication (no SimPy code, nothing per event in the model).

Rules (``docs/satisfaction.md``):

* Staff members are the cashier of each lane (``staff_id`` = lane index, regular lanes first,
  then express lanes) and each attendant (``staff_id`` = attendant number).
* **Books**: each staff member holds one book of ``coupons_per_book`` that lasts
  ``book_days`` simulated days (replication ``r`` is day ``r``; the book is full on the first
  day of each period, ``r // book_days``, and whatever is left at the end of a day is what the
  staff member starts the next day with). With the old ``coupons_per_shift``, a **shift** (one
  unbroken stretch on duty in the staffing plan; consecutive blocks merge) starts with a fresh
  book instead. A contact belongs to the latest book (shift) of that staff member that started
  at or before it (service that runs past the end of a block still counts on that shift).
* A **contact** is a customer reaching a cashier (service start) or an attendant arriving at
  the customer's frozen kiosk. At or above ``acknowledge_threshold_felt_min`` of frustration
  the staff member acknowledges the problem (free, unlimited; :func:`acknowledged`); at or
  above ``frustration_threshold_felt_min``, and with a coupon left in the book, they also hand
  one over. A customer receives at most one coupon.
* The book can never be exceeded: ``used + left == coupons`` (the count at the start of the
  day) for every book and day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from checkoutsim.scenario.schema import Scenario, ServiceRecovery

__all__ = [
    "STAFF_ROLES",
    "CouponAllocation",
    "RoleCode",
    "acknowledged",
    "allocate_coupons",
    "staff_books",
    "staff_shifts",
]

STAFF_ROLES = ("cashier", "attendant")
"""Labels of :class:`RoleCode` values, in code order."""


class RoleCode:
    """Integer codes of staff roles."""

    CASHIER = 0
    ATTENDANT = 1


def staff_shifts(scenario: Scenario) -> pd.DataFrame:
    """Every shift of every staff position in the staffing plan.

    Returns
    -------
    DataFrame
        ``role`` (code), ``staff_id``, ``shift_start_min``, ``shift_end_min`` (minutes after
        opening), sorted by role, staff and start.
    """
    blocks = [
        (
            float(scenario.minutes_after_open(b.start)),
            float(scenario.minutes_after_open(b.end)),
            b,
        )
        for b in scenario.staffing
    ]
    regular = scenario.cashiers.lanes
    express = scenario.cashiers.express.lanes if scenario.cashiers.express else 0
    max_attendants = max(b.attendants for b in scenario.staffing)
    rows: list[tuple[int, int, float, float]] = []
    positions: list[tuple[int, int, list[bool]]] = []
    for lane in range(regular):
        positions.append((RoleCode.CASHIER, lane, [lane < b.cashiers for _, _, b in blocks]))
    for e in range(express):
        positions.append(
            (RoleCode.CASHIER, regular + e, [e < b.express_cashiers for _, _, b in blocks])
        )
    for k in range(max_attendants):
        positions.append((RoleCode.ATTENDANT, k, [k < b.attendants for _, _, b in blocks]))
    for role, staff, on in positions:
        start: float | None = None
        end = 0.0
        for (b_start, b_end, _), duty in zip(blocks, on, strict=True):
            if duty and start is None:
                start = b_start
            if not duty and start is not None:
                rows.append((role, staff, start, b_start))
                start = None
            if duty:
                end = b_end
        if start is not None:
            rows.append((role, staff, start, end))
    return pd.DataFrame(
        rows, columns=["role", "staff_id", "shift_start_min", "shift_end_min"]
    ).astype({"role": np.int8, "staff_id": np.int32})


def staff_books(scenario: Scenario) -> pd.DataFrame:
    """One book per staff member who is on duty at some time of the day.

    Returns
    -------
    DataFrame
        As :func:`staff_shifts`, one row per staff member: ``shift_start_min`` of their first
        shift, ``shift_end_min`` of their last.
    """
    shifts = staff_shifts(scenario)
    grouped = shifts.groupby(["role", "staff_id"], sort=True)
    books = grouped.agg(
        shift_start_min=("shift_start_min", "min"), shift_end_min=("shift_end_min", "max")
    ).reset_index()
    return books.astype({"role": np.int8, "staff_id": np.int32})


def acknowledged(
    n_customers: int,
    contact_customer: np.ndarray,
    contact_frustration_min: np.ndarray,
    threshold_felt_min: float,
) -> np.ndarray:
    """Per customer: some staff member they reached saw frustration at or above the threshold
    and acknowledged it (free and unlimited, so every such contact counts)."""
    out = np.zeros(n_customers, dtype=bool)
    customer = np.asarray(contact_customer, dtype=np.int64)
    hit = np.asarray(contact_frustration_min, dtype=np.float64) >= threshold_felt_min
    out[customer[hit]] = True
    return out


@dataclass(frozen=True)
class CouponAllocation:
    """Result of :func:`allocate_coupons` for one replication.

    Attributes
    ----------
    coupon : array of bool
        Per customer: received a coupon.
    role, staff_id : array of int
        Per customer: who gave it (-1 if nobody).
    time_min : array of float
        Per customer: when (NaN if no coupon).
    books : DataFrame
        One row per book (shift): ``role``, ``staff_id``, ``shift_start_min``,
        ``shift_end_min``, ``coupons`` (at the start of the day), ``used``, ``left``.
    """

    coupon: np.ndarray
    role: np.ndarray
    staff_id: np.ndarray
    time_min: np.ndarray
    books: pd.DataFrame


def allocate_coupons(
    n_customers: int,
    contact_customer: np.ndarray,
    contact_role: np.ndarray,
    contact_staff: np.ndarray,
    contact_time_min: np.ndarray,
    contact_frustration_min: np.ndarray,
    shifts: pd.DataFrame,
    recovery: ServiceRecovery,
    start_counts: np.ndarray | None = None,
) -> CouponAllocation:
    """Hand out coupons in time order, never beyond any shift's book.

    Parameters
    ----------
    n_customers : int
        Customers in the replication (ids ``0 .. n - 1``).
    contact_customer, contact_role, contact_staff, contact_time_min, contact_frustration_min
        One entry per contact: the customer, the staff role code and id, when (minutes after
        opening), and the customer's frustration (felt minutes) at that moment.
    shifts : DataFrame
        :func:`staff_shifts` or :func:`staff_books` of the scenario.
    recovery : ServiceRecovery
        Threshold, and the book size when ``start_counts`` is not given.
    start_counts : array of int, optional
        Coupons in each row's book at the start of the day (what was carried over); default
        ``coupons_per_shift`` (or ``coupons_per_book``) for every row.

    Returns
    -------
    CouponAllocation
        Per-customer coupons and per-shift books.
    """
    books = shifts.reset_index(drop=True).copy()
    if start_counts is None:
        size = recovery.coupons_per_shift
        size = recovery.coupons_per_book if size is None else size
        budget = np.full(len(books), size, dtype=np.int64)
    else:
        budget = np.asarray(start_counts, dtype=np.int64)
    used = np.zeros(len(books), dtype=np.int64)
    coupon = np.zeros(n_customers, dtype=bool)
    giver_role = np.full(n_customers, -1, dtype=np.int8)
    giver = np.full(n_customers, -1, dtype=np.int32)
    when = np.full(n_customers, np.nan)

    customer = np.asarray(contact_customer, dtype=np.int64)
    role = np.asarray(contact_role, dtype=np.int64)
    staff = np.asarray(contact_staff, dtype=np.int64)
    time = np.asarray(contact_time_min, dtype=np.float64)
    frustration = np.asarray(contact_frustration_min, dtype=np.float64)

    keep = frustration >= recovery.frustration_threshold_felt_min
    customer, role, staff, time = customer[keep], role[keep], staff[keep], time[keep]
    book = _book_of(role, staff, time, books)
    has_book = book >= 0
    customer, time, book = customer[has_book], time[has_book], book[has_book]

    if customer.size:
        order = np.lexsort((customer, book, time))
        cap = budget.tolist()
        # One sorted pass: the first eligible contact of each customer with coupons left wins.
        for c, b, t in zip(
            customer[order].tolist(), book[order].tolist(), time[order].tolist(), strict=True
        ):
            if coupon[c] or used[b] >= cap[b]:
                continue
            used[b] += 1
            coupon[c] = True
            giver_role[c] = books.at[b, "role"]
            giver[c] = books.at[b, "staff_id"]
            when[c] = t
    books["coupons"] = budget
    books["used"] = used
    books["left"] = budget - used
    return CouponAllocation(coupon, giver_role, giver, when, books)


def _book_of(
    role: np.ndarray, staff: np.ndarray, time: np.ndarray, books: pd.DataFrame
) -> np.ndarray:
    """Row of ``books`` each contact draws from: the latest shift started at or before it."""
    out = np.full(role.shape[0], -1, dtype=np.int64)
    if role.size == 0 or books.empty:
        return out
    b_role = books["role"].to_numpy()
    b_staff = books["staff_id"].to_numpy()
    b_start = books["shift_start_min"].to_numpy()
    for r, s in {(int(a), int(b)) for a, b in zip(role, staff, strict=True)}:
        rows = np.flatnonzero((b_role == r) & (b_staff == s))
        if rows.size == 0:
            continue  # a position with no shift in the plan holds no book
        rows = rows[np.argsort(b_start[rows], kind="stable")]
        mine = np.flatnonzero((role == r) & (staff == s))
        pos = np.searchsorted(b_start[rows], time[mine], side="right") - 1
        out[mine] = rows[np.maximum(pos, 0)]
    return out
