"""The customer-experience layer over a result: per-customer columns and per-day metrics.

Runs once when a :class:`~checkoutsim.results.tables.SimulationResult` is assembled, on the tidy
``customers`` and ``assists`` tables, in one vectorised pass over the rows of every replication
(only the loyalty draws and the coupon books go day by day). It adds to ``customers``:

``perceived_wait_min``, ``overtaken``, ``frustration_min``, ``satisfaction`` (CSAT 1-5),
``effort`` (CES 1-7, 7 = very easy), ``recommend_score`` (0-10), ``nps_class``,
``nps_class_baseline`` (the class the customer would have given a frictionless checkout),
``acknowledged``, ``coupon``, ``coupon_role``, ``coupon_staff_id``, ``coupon_min``,
``satisfaction_before_recovery``, ``satisfaction_without_coupon`` (after any acknowledgement)
and ``nps_class_without_coupon``,

and returns the coupon books (one row per replication and book or shift; with books that
last several days, replications are consecutive days and each day starts with what the
previous one left). The functions it applies are
in :mod:`checkoutsim.experience.satisfaction` and :mod:`checkoutsim.experience.recovery`; the
model is described in ``docs/satisfaction.md``.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from checkoutsim.experience.grouped import (
    Block,
    Groups,
    group_rows,
    long_frame,
    long_rows,
    table_keys,
)
from checkoutsim.experience.recovery import (
    STAFF_ROLES,
    CouponAllocation,
    RoleCode,
    acknowledged,
    allocate_coupons,
    staff_books,
    staff_shifts,
)
from checkoutsim.experience.satisfaction import (
    NPS_CLASSES,
    SATISFIED_MIN_SCORE,
    NpsCode,
    ces_score,
    csat_score,
    effort_points,
    frustration_felt_min,
    likelihood_to_recommend,
    loyalty_baseline,
    loyalty_draws,
    nps_class,
    overtaken_counts,
    perceived_wait_min,
)
from checkoutsim.model.recorder import ChannelCode, OutcomeCode
from checkoutsim.model.streams import seed_scalar
from checkoutsim.scenario.schema import Scenario, ServiceRecovery

__all__ = [
    "EXPERIENCE_COLUMNS",
    "add_experience",
    "arrival_hour_groups",
    "experience_hourly_metrics",
    "experience_hourly_rows",
    "experience_metrics",
]

_KEYS = ["scenario", "rep", "seed"]

EXPERIENCE_COLUMNS = (
    "perceived_wait_min",
    "overtaken",
    "frustration_min",
    "satisfaction",
    "effort",
    "recommend_score",
    "nps_class",
    "nps_class_baseline",
    "acknowledged",
    "coupon",
    "coupon_role",
    "coupon_staff_id",
    "coupon_min",
    "satisfaction_before_recovery",
    "satisfaction_without_coupon",
    "nps_class_without_coupon",
)
"""Columns :func:`add_experience` adds to ``customers``."""

_BOOK_COLUMNS = [
    *_KEYS,
    "role",
    "staff_id",
    "shift_start_min",
    "shift_end_min",
    "coupons",
    "used",
    "left",
    "cost",
]


_NPS_DTYPE = pd.CategoricalDtype(list(NPS_CLASSES))
_ROLE_DTYPE = pd.CategoricalDtype(list(STAFF_ROLES))


def _channel_codes(customers: pd.DataFrame) -> np.ndarray:
    """ChannelCode per customer (the categorical's last category, "none", becomes -1)."""
    codes = customers["channel"].cat.codes.to_numpy().astype(np.int64)
    return np.where(codes >= 2, ChannelCode.NONE, codes)


def _days(reps: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """``(rep, rows)`` of each replication, reps ascending, rows in table order."""
    if reps.shape[0] and np.all(reps[1:] >= reps[:-1]):  # as the tables list them: slices
        cuts = np.flatnonzero(reps[1:] != reps[:-1]) + 1
        starts = np.concatenate(([0], cuts))
        ends = np.concatenate((cuts, [reps.shape[0]]))
        return [(int(reps[a]), np.arange(a, b)) for a, b in zip(starts, ends, strict=True)]
    order = np.argsort(reps, kind="stable")
    cuts = np.flatnonzero(np.diff(reps[order])) + 1
    return [(int(reps[rows[0]]), rows) for rows in np.split(order, cuts) if rows.size]


def add_experience(
    scenario: Scenario,
    customers: pd.DataFrame,
    assists: pd.DataFrame,
    overtaken: np.ndarray | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add the experience columns to ``customers`` and allocate coupons.

    Parameters
    ----------
    scenario : Scenario
        The scenario (its ``satisfaction``, ``service_recovery`` and ``costs`` sections).
    customers, assists : DataFrame
        Tidy tables of any number of replications (``customers_frame``/``assists_frame``).
    overtaken : numpy.ndarray, optional
        Overtakes per customer (row order of ``customers``) from an earlier call on the same
        days: they depend on the simulated times alone, not on any assumption, so a caller
        re-scoring the same days under other assumptions (``checkoutsim sensitivity``) can
        skip recounting them, the slowest step.

    Returns
    -------
    (DataFrame, DataFrame)
        A copy of ``customers`` with :data:`EXPERIENCE_COLUMNS`, and the coupon books
        (``scenario, rep, seed, role, staff_id, shift_start_min, shift_end_min, coupons, used,
        left, cost``; empty when the scenario has no ``service_recovery``).

    Notes
    -----
    Every step runs once over the rows of all days (the overtake count groups them by day
    and channel), except what is sequential by nature: each day's loyalty draws come from
    that day's own stream, and coupons are handed out day by day (a book may carry over).
    """
    sat = scenario.satisfaction
    pw = sat.perceived_wait
    n = len(customers)
    outcome = customers["outcome"].cat.codes.to_numpy().astype(np.int64)
    channel = _channel_codes(customers)
    arrival = customers["arrival_min"].to_numpy()
    start = customers["service_start_min"].to_numpy()
    departure = customers["departure_min"].to_numpy()
    queue = customers["queue_wait_min"].to_numpy()
    n_assists = customers["assists"].to_numpy()
    help_wait = customers["assist_wait_min"].to_numpy()
    reps = customers["rep"].to_numpy().astype(np.int64)
    seeds = customers["seed"].to_numpy()
    days = _days(reps)
    served = outcome == OutcomeCode.SERVED
    reneged = outcome == OutcomeCode.RENEGED

    if overtaken is None:
        wait_end = np.where(served, start, np.where(reneged, departure, np.nan))
        # A group per channel of each day: customers overtake only within one.
        rep_rank = np.empty(n, dtype=np.int64)
        for k, (_, rows) in enumerate(days):
            rep_rank[rows] = k
        group = np.where(channel >= 0, 2 * rep_rank + channel, -1)
        overtaken = overtaken_counts(arrival, wait_end, start, group)
    served_min = np.where(served, departure - start - help_wait, 0.0)
    perceived = perceived_wait_min(queue, served_min, help_wait, overtaken, pw)
    switches = _switches(customers)
    frustration = frustration_felt_min(perceived, n_assists, pw, switches)
    csat_before = csat_score(frustration, outcome, sat.csat)
    used_kiosk = served & (channel == ChannelCode.KIOSK)
    effort = ces_score(
        effort_points(perceived, n_assists, used_kiosk, sat.effort), outcome, sat.effort
    )
    top = sat.csat.no_wait_score

    acked = np.zeros(n, dtype=bool)
    csat_ack = csat = csat_before
    coupons = _Coupons(n)
    books: list[pd.DataFrame] = []
    recovery = scenario.service_recovery
    if recovery is not None:
        shifts = staff_shifts(scenario) if recovery.coupons_per_shift is not None else None
        shifts = staff_books(scenario) if shifts is None else shifts
        contacts = _contacts(
            customers, assists, channel, served, overtaken, switches, scenario, days
        )
        acked = acknowledged(n, contacts[0], contacts[4], recovery.acknowledge_threshold_felt_min)
        # Acknowledging gives back a share of what the checkout cost, never beyond it.
        restored = recovery.acknowledge_restore_share * np.maximum(top - csat_before, 0.0)
        csat_ack = np.where(acked, csat_before + restored, csat_before)
        carried: tuple[int, np.ndarray] | None = None  # (rep, coupons left per book) of last day
        local = np.empty(n, dtype=np.int64)  # each customer's row within their day
        for _, rows in days:
            local[rows] = np.arange(rows.shape[0])
        # Each day's contacts, in the order the day lists them (a stable sort by day).
        by_day = np.argsort(reps[contacts[0]], kind="stable")
        contact_reps = reps[contacts[0]][by_day]
        for rep, rows in days:
            lo, hi = np.searchsorted(contact_reps, [rep, rep + 1])
            mine = by_day[lo:hi]
            alloc = allocate_coupons(
                rows.shape[0],
                local[contacts[0][mine]],
                contacts[1][mine],
                contacts[2][mine],
                contacts[3][mine],
                contacts[4][mine],
                shifts=shifts,
                recovery=recovery,
                start_counts=_carried_over(recovery, rep, carried),
            )
            coupons.fill(rows, alloc)
            book = alloc.books
            book["cost"] = book["used"] * recovery.coupon_value
            carried = (rep, book["left"].to_numpy())
            book.insert(0, "seed", seed_scalar(int(seeds[rows[0]])))
            book.insert(0, "rep", np.int32(rep))
            book.insert(0, "scenario", scenario.name)
            books.append(book)
        lifted = np.minimum(csat_ack + recovery.csat_lift_score, top)
        csat = np.where(coupons.coupon, np.maximum(lifted, csat_ack), csat_ack)

    u = np.empty(n)
    for rep, rows in days:
        u[rows] = loyalty_draws(int(seeds[rows[0]]), rep, rows.shape[0])
    baseline = loyalty_baseline(u, sat.nps)
    ltr = likelihood_to_recommend(u, csat, top, sat.nps, baseline=baseline)
    without_coupon = likelihood_to_recommend(u, csat_ack, top, sat.nps, baseline=baseline)
    columns = {
        "perceived_wait_min": perceived,
        "overtaken": np.asarray(overtaken, dtype=np.int64),
        "frustration_min": frustration,
        "satisfaction": csat,
        "effort": effort,
        "recommend_score": ltr,
        "nps_class": _nps(ltr),
        "nps_class_baseline": _nps(np.clip(baseline, 0.0, 10.0)),
        "acknowledged": acked,
        "coupon": coupons.coupon,
        "coupon_role": pd.Categorical.from_codes(coupons.role, dtype=_ROLE_DTYPE),
        "coupon_staff_id": coupons.staff_id,
        "coupon_min": coupons.time_min,
        "satisfaction_before_recovery": csat_before,
        "satisfaction_without_coupon": csat_ack,
        "nps_class_without_coupon": _nps(without_coupon),
    }
    present = [name for name in EXPERIENCE_COLUMNS if name in customers.columns]
    kept = customers.drop(columns=present) if present else customers
    # One concatenation (copy-on-write: the recorded columns are shared, not copied); adding
    # 16 columns one by one cost more than counting the overtakes.
    added = pd.DataFrame(
        {name: columns[name] for name in EXPERIENCE_COLUMNS}, index=customers.index, copy=False
    )
    return pd.concat([kept, added], axis=1), _book_frame(books)


def _nps(ltr: np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(nps_class(ltr), dtype=_NPS_DTYPE)


class _Coupons:
    """Per-customer coupon columns of all days, filled day by day."""

    def __init__(self, n: int) -> None:
        self.coupon = np.zeros(n, dtype=bool)
        self.role = np.full(n, -1, dtype=np.int8)
        self.staff_id = np.full(n, -1, dtype=np.int32)
        self.time_min = np.full(n, np.nan)

    def fill(self, rows: np.ndarray, alloc: CouponAllocation) -> None:
        self.coupon[rows] = alloc.coupon
        self.role[rows] = alloc.role
        self.staff_id[rows] = alloc.staff_id
        self.time_min[rows] = alloc.time_min


def _book_frame(books: list[pd.DataFrame]) -> pd.DataFrame:
    """The coupon books of every day, or an empty table with their columns."""
    if books:
        book_frame = pd.concat(books, ignore_index=True)
        book_frame["role"] = pd.Categorical.from_codes(
            book_frame["role"].to_numpy().astype(np.int8), dtype=_ROLE_DTYPE
        )
    else:
        book_frame = _no_books().copy()
    return book_frame[_BOOK_COLUMNS]


@functools.cache
def _no_books() -> pd.DataFrame:
    """The coupon books of a scenario without service recovery: none (built once; callers
    copy it)."""
    book_frame = pd.DataFrame({c: pd.Series(dtype=float) for c in _BOOK_COLUMNS})
    book_frame["scenario"] = book_frame["scenario"].astype(object)
    book_frame["role"] = pd.Categorical([], dtype=_ROLE_DTYPE)
    return book_frame


def _carried_over(
    recovery: ServiceRecovery | None, rep: int, carried: tuple[int, np.ndarray] | None
) -> np.ndarray | None:
    """Coupons each book starts day ``rep`` with: what day ``rep - 1`` left when that day is in
    the same book period and was allocated; else a full book (``None``)."""
    if recovery is None or recovery.coupons_per_shift is not None or carried is None:
        return None
    last, left = carried
    same_period = last // recovery.book_days == rep // recovery.book_days
    return left if last == rep - 1 and same_period else None


def _contacts(
    customers: pd.DataFrame,
    assists: pd.DataFrame,
    channel: np.ndarray,
    served: np.ndarray,
    overtaken: np.ndarray,
    switches: np.ndarray,
    scenario: Scenario,
    days: list[tuple[int, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every moment a customer reaches staff, with their frustration (felt minutes) then.

    A cashier customer reaches the cashier at service start, after their queue and overtakes.
    A kiosk customer reaches an attendant each time one arrives at their frozen kiosk; by then
    they have queued, been served (scanning, and earlier fixes), waited for help (this and
    earlier times), and met ``k`` confusion events. Contacts of all days; customers are rows
    of ``customers``, the cashier contacts first, as each day lists them.
    """
    pw = scenario.satisfaction.perceived_wait
    queue = customers["queue_wait_min"].to_numpy()
    start = customers["service_start_min"].to_numpy()
    lane = customers["lane"].to_numpy()
    before_service = (
        pw.queue_weight * queue
        + pw.overtaken_felt_min * overtaken
        + pw.switched_felt_min * switches
    )

    at_cashier = np.flatnonzero(served & (channel == ChannelCode.CASHIER))
    c_customer = at_cashier
    c_role = np.full(at_cashier.shape[0], RoleCode.CASHIER)
    c_staff = lane[at_cashier]
    c_time = start[at_cashier]
    c_frustration = before_service[at_cashier]

    # Each day's assists by customer, in the order they happened; a customer's id is their
    # row within their day.
    day_rows = dict(days)
    a = assists[assists["rep"].isin(list(day_rows))]
    a = a.sort_values(["rep", "customer_id", "stuck_min"], kind="stable")
    a_rep = a["rep"].to_numpy().astype(np.int64)
    who = np.empty(len(a), dtype=np.int64)
    ids = a["customer_id"].to_numpy().astype(np.int64)
    cuts = np.flatnonzero(np.diff(a_rep)) + 1  # sorted by day: a slice per day
    for lo, hi in zip(np.concatenate(([0], cuts)), np.concatenate((cuts, [len(a)])), strict=True):
        if hi > lo:
            who[lo:hi] = day_rows[int(a_rep[lo])][ids[lo:hi]]
    arrived = a["attendant_arrived_min"].to_numpy()
    keys = [a["rep"], a["customer_id"]]
    k = a.groupby(keys, sort=False).cumcount().to_numpy() + 1
    waited_so_far = a.groupby(keys, sort=False)["wait_for_attendant_min"].cumsum()
    waited_so_far = waited_so_far.to_numpy()
    served_so_far = (arrived - start[who]) - waited_so_far
    a_frustration = (
        before_service[who]
        + pw.service_weight * served_so_far
        + pw.help_wait_weight * waited_so_far
        + pw.confusion_felt_min * k
    )
    return (
        np.concatenate((c_customer, who)),
        np.concatenate((c_role, np.full(who.shape[0], RoleCode.ATTENDANT))),
        np.concatenate((c_staff, a["attendant"].to_numpy())),
        np.concatenate((c_time, arrived)),
        np.concatenate((c_frustration, a_frustration)),
    )


# -- metrics ----------------------------------------------------------------------------------


def _switches(customers: pd.DataFrame) -> np.ndarray:
    """Each customer's pushes to the channel they did not prefer (0 for tables without it)."""
    if "switches" not in customers:
        return np.zeros(len(customers), dtype=np.int64)
    return customers["switches"].to_numpy().astype(np.int64)


_EXPERIENCE_METRICS = (
    "perceived_wait_mean_min",
    "overtaken_per_customer",
    "switched_pct",
    "csat_mean",
    "satisfied_pct",
    "ces_mean",
    "nps",
    "promoters_pct",
    "detractors_pct",
)


def _nps_by_group(g: Groups, codes: np.ndarray) -> np.ndarray:
    """:func:`net_promoter_score` of each group's NPS class codes (NaN for no customers)."""
    return 100.0 * (g.share(codes == NpsCode.PROMOTER) - g.share(codes == NpsCode.DETRACTOR))


def _experience_stats(g: Groups, customers: pd.DataFrame) -> dict[str, np.ndarray]:
    """Experience metrics of every group of ``customers`` rows (NaN for a group without rows;
    the tables leave such groups out)."""
    csat = customers["satisfaction"].to_numpy()
    classes = customers["nps_class"].cat.codes.to_numpy()
    values = (
        g.skipna_mean(customers["perceived_wait_min"].to_numpy()),  # Series.mean skips NaN
        g.skipna_mean(customers["overtaken"].to_numpy()),
        100.0 * g.share(_switches(customers) > 0),
        g.mean(csat),
        100.0 * g.share(csat >= SATISFIED_MIN_SCORE),
        g.skipna_mean(customers["effort"].to_numpy()),
        _nps_by_group(g, classes),
        100.0 * g.share(classes == NpsCode.PROMOTER),
        100.0 * g.share(classes == NpsCode.DETRACTOR),
    )
    return dict(zip(_EXPERIENCE_METRICS, values, strict=True))


def _recovery_stats(g: Groups, customers: pd.DataFrame) -> dict[str, np.ndarray]:
    """Acknowledgements and coupons of every group of ``customers`` rows."""
    before = customers["satisfaction_without_coupon"].to_numpy()
    first = customers["satisfaction_before_recovery"].to_numpy()
    classes = customers["nps_class"].cat.codes.to_numpy()
    classes_before = customers["nps_class_without_coupon"].cat.codes.to_numpy()
    return {
        "acknowledged": g.sum(customers["acknowledged"].to_numpy()),
        "acknowledge_csat_effect": g.mean(before) - g.mean(first),
        "coupons_used": g.sum(customers["coupon"].to_numpy()),
        "coupon_csat_effect": g.skipna_mean(customers["satisfaction"].to_numpy()) - g.mean(before),
        "coupon_nps_effect": _nps_by_group(g, classes) - _nps_by_group(g, classes_before),
    }


def experience_metrics(
    scenario: Scenario, customers: pd.DataFrame, books: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per-replication experience metrics, long format like ``replication_metrics``.

    Scopes ``all``, ``cashier`` and ``kiosk`` (every arriving customer, including those who
    balked or reneged, counts in the scope of the channel they chose). Recovery metrics, when
    the scenario has a coupon book, are in scope ``all`` only; with ``books`` (the coupon
    books of :func:`add_experience`) they include ``coupons_left``, the coupons all books hold
    at the end of the day (what is returned when the period ends).
    """
    names = [*_KEYS, "scope", "metric", "value"]
    recovery = scenario.service_recovery is not None
    left: dict[int, float] = {}
    if books is not None and len(books):
        left = {int(k): float(v) for k, v in books.groupby("rep")["left"].sum().items()}
    g, values = group_rows([customers[k] for k in _KEYS])
    keys = table_keys(values)
    day = _experience_stats(g, customers)
    blocks: list[Block] = [("all", day, None)]
    if recovery:
        day.update(_recovery_stats(g, customers))
        reps = keys["rep"].tolist()
        has_left = np.array([rep in left for rep in reps], dtype=bool)
        coupons_left = np.array([left.get(rep, np.nan) for rep in reps], dtype=np.float64)
        blocks.append(("all", {"coupons_left": coupons_left}, has_left))
    channel = _channel_codes(customers)
    for name, code in (("cashier", ChannelCode.CASHIER), ("kiosk", ChannelCode.KIOSK)):
        scope = g.where(channel == code)
        blocks.append((name, _experience_stats(scope, customers), scope.sizes > 0))
    columns = long_rows(keys, blocks)
    columns["scope"] = columns.pop("label")
    return long_frame(columns, names)


def arrival_hour_groups(customers: pd.DataFrame) -> tuple[Groups, list[np.ndarray]]:
    """Customers by ``scenario, rep, seed, arrival_hour`` (:func:`group_rows`): the groups of
    every hourly (or block) table, computed once for several tables over the same rows."""
    return group_rows([customers[k] for k in [*_KEYS, "arrival_hour"]])


def experience_hourly_rows(
    scenario: Scenario,
    customers: pd.DataFrame,
    groups: tuple[Groups, list[np.ndarray]],
    rows: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """The columns of :func:`experience_hourly_metrics` (and ``label``, empty), from the
    customers' :func:`arrival_hour_groups`; ``rows`` as there."""
    g, values = groups
    if rows is not None:
        g = g.where(rows)
    present = g.sizes > 0
    m = _experience_stats(g, customers)
    if scenario.service_recovery is not None:
        m["coupons_used"] = g.sum(customers["coupon"].to_numpy())
    keys = {k: v[present] for k, v in table_keys(values).items()}
    return long_rows(keys, [(None, {k: v[present] for k, v in m.items()}, None)])


def experience_hourly_metrics(
    scenario: Scenario, customers: pd.DataFrame, *, rows: np.ndarray | None = None
) -> pd.DataFrame:
    """Per-replication experience metrics by clock hour of arrival, long format.

    ``rows`` (a boolean mask of ``customers``) computes them over those customers only, as if
    the table held no other.
    """
    columns = experience_hourly_rows(scenario, customers, arrival_hour_groups(customers), rows)
    return long_frame(columns, [*_KEYS, "hour", "metric", "value"])
