"""The customer-experience layer over a result: per-customer columns and per-day metrics.

Runs once when a :class:`~checkoutsim.results.tables.SimulationResult` is assembled, on the tidy
``customers`` and ``assists`` tables, one replication at a time (vectorised within it). It adds
to ``customers``:

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

import numpy as np
import pandas as pd

from checkoutsim.experience.recovery import (
    STAFF_ROLES,
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
    loyalty_draws,
    net_promoter_score,
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
    "experience_hourly_metrics",
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


def _channel_codes(customers: pd.DataFrame) -> np.ndarray:
    """ChannelCode per customer (the categorical's last category, "none", becomes -1)."""
    codes = customers["channel"].cat.codes.to_numpy().astype(np.int64)
    return np.where(codes >= 2, ChannelCode.NONE, codes)


def add_experience(
    scenario: Scenario, customers: pd.DataFrame, assists: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add the experience columns to ``customers`` and allocate coupons.

    Parameters
    ----------
    scenario : Scenario
        The scenario (its ``satisfaction``, ``service_recovery`` and ``costs`` sections).
    customers, assists : DataFrame
        Tidy tables of any number of replications (``customers_frame``/``assists_frame``).

    Returns
    -------
    (DataFrame, DataFrame)
        A copy of ``customers`` with :data:`EXPERIENCE_COLUMNS`, and the coupon books
        (``scenario, rep, seed, role, staff_id, shift_start_min, shift_end_min, coupons, used,
        left, cost``; empty when the scenario has no ``service_recovery``).
    """
    out = customers.copy()
    n = len(out)
    columns: dict[str, np.ndarray] = {
        "perceived_wait_min": np.zeros(n),
        "overtaken": np.zeros(n, dtype=np.int64),
        "frustration_min": np.zeros(n),
        "satisfaction": np.zeros(n),
        "effort": np.zeros(n),
        "recommend_score": np.zeros(n),
        "nps_class": np.zeros(n, dtype=np.int8),
        "nps_class_baseline": np.zeros(n, dtype=np.int8),
        "acknowledged": np.zeros(n, dtype=bool),
        "coupon": np.zeros(n, dtype=bool),
        "coupon_role": np.full(n, -1, dtype=np.int8),
        "coupon_staff_id": np.full(n, -1, dtype=np.int32),
        "coupon_min": np.full(n, np.nan),
        "satisfaction_before_recovery": np.zeros(n),
        "satisfaction_without_coupon": np.zeros(n),
        "nps_class_without_coupon": np.zeros(n, dtype=np.int8),
    }
    books: list[pd.DataFrame] = []
    recovery = scenario.service_recovery
    shifts = None
    if recovery is not None:
        shifts = staff_shifts(scenario) if recovery.coupons_per_shift is not None else None
        shifts = staff_books(scenario) if shifts is None else shifts
    reps = out["rep"].to_numpy()
    a_reps = assists["rep"].to_numpy()
    carried: tuple[int, np.ndarray] | None = None  # (rep, coupons left per book) of the last day
    for rep in np.unique(reps):
        rows = np.flatnonzero(reps == rep)
        seed = int(out["seed"].iat[rows[0]])
        rep_assists = assists.iloc[np.flatnonzero(a_reps == rep)]
        start = _carried_over(recovery, int(rep), carried)
        cols, book = _one_replication(
            scenario, int(rep), seed, out.iloc[rows], rep_assists, shifts, start
        )
        if book is not None:
            carried = (int(rep), book["left"].to_numpy())
        for name, values in cols.items():
            columns[name][rows] = values
        if book is not None:
            book.insert(0, "seed", seed_scalar(seed))
            book.insert(0, "rep", np.int32(rep))
            book.insert(0, "scenario", scenario.name)
            books.append(book)

    for name in EXPERIENCE_COLUMNS:
        values = columns[name]
        if name.startswith("nps_class"):
            out[name] = pd.Categorical.from_codes(values, categories=list(NPS_CLASSES))
        elif name == "coupon_role":
            out[name] = pd.Categorical.from_codes(values, categories=list(STAFF_ROLES))
        else:
            out[name] = values
    if books:
        book_frame = pd.concat(books, ignore_index=True)
        book_frame["role"] = pd.Categorical.from_codes(
            book_frame["role"].to_numpy().astype(np.int8), categories=list(STAFF_ROLES)
        )
    else:
        book_frame = pd.DataFrame({c: pd.Series(dtype=float) for c in _BOOK_COLUMNS})
        book_frame["scenario"] = book_frame["scenario"].astype(object)
        book_frame["role"] = pd.Categorical([], categories=list(STAFF_ROLES))
    return out, book_frame[_BOOK_COLUMNS]


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


def _one_replication(
    scenario: Scenario,
    rep: int,
    seed: int,
    customers: pd.DataFrame,
    assists: pd.DataFrame,
    shifts: pd.DataFrame | None,
    start_counts: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], pd.DataFrame | None]:
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
    served = outcome == OutcomeCode.SERVED
    reneged = outcome == OutcomeCode.RENEGED

    wait_end = np.where(served, start, np.where(reneged, departure, np.nan))
    overtaken = overtaken_counts(arrival, wait_end, start, channel)
    served_min = np.where(served, departure - start - help_wait, 0.0)
    perceived = perceived_wait_min(queue, served_min, help_wait, overtaken, pw)
    switches = _switches(customers)
    frustration = frustration_felt_min(perceived, n_assists, pw, switches)
    csat_before = csat_score(frustration, outcome, sat.csat)
    used_kiosk = served & (channel == ChannelCode.KIOSK)
    effort = ces_score(
        effort_points(perceived, n_assists, used_kiosk, sat.effort), outcome, sat.effort
    )

    coupon = np.zeros(n, dtype=bool)
    acked = np.zeros(n, dtype=bool)
    coupon_role = np.full(n, -1, dtype=np.int8)
    coupon_staff = np.full(n, -1, dtype=np.int32)
    coupon_min = np.full(n, np.nan)
    csat_ack = csat = csat_before
    book: pd.DataFrame | None = None
    recovery = scenario.service_recovery
    if recovery is not None and shifts is not None:
        contacts = _contacts(customers, assists, channel, served, overtaken, switches, scenario)
        acked = acknowledged(n, contacts[0], contacts[4], recovery.acknowledge_threshold_felt_min)
        top = sat.csat.no_wait_score
        # Acknowledging gives back a share of what the checkout cost, never beyond it.
        restored = recovery.acknowledge_restore_share * np.maximum(top - csat_before, 0.0)
        csat_ack = np.where(acked, csat_before + restored, csat_before)
        alloc = allocate_coupons(
            n, *contacts, shifts=shifts, recovery=recovery, start_counts=start_counts
        )
        coupon, coupon_role, coupon_staff, coupon_min = (
            alloc.coupon,
            alloc.role,
            alloc.staff_id,
            alloc.time_min,
        )
        lifted = np.minimum(csat_ack + recovery.csat_lift_score, top)
        csat = np.where(coupon, np.maximum(lifted, csat_ack), csat_ack)
        book = alloc.books
        book["cost"] = book["used"] * recovery.coupon_value

    u = loyalty_draws(seed, rep, n)
    top = sat.csat.no_wait_score
    ltr = likelihood_to_recommend(u, csat, top, sat.nps)
    cols = {
        "perceived_wait_min": perceived,
        "overtaken": overtaken,
        "frustration_min": frustration,
        "satisfaction": csat,
        "effort": effort,
        "recommend_score": ltr,
        "nps_class": nps_class(ltr),
        "nps_class_baseline": nps_class(likelihood_to_recommend(u, np.full(n, top), top, sat.nps)),
        "acknowledged": acked,
        "coupon": coupon,
        "coupon_role": coupon_role,
        "coupon_staff_id": coupon_staff,
        "coupon_min": coupon_min,
        "satisfaction_before_recovery": csat_before,
        "satisfaction_without_coupon": csat_ack,
        "nps_class_without_coupon": nps_class(likelihood_to_recommend(u, csat_ack, top, sat.nps)),
    }
    return cols, book


def _contacts(
    customers: pd.DataFrame,
    assists: pd.DataFrame,
    channel: np.ndarray,
    served: np.ndarray,
    overtaken: np.ndarray,
    switches: np.ndarray,
    scenario: Scenario,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every moment a customer reaches staff, with their frustration (felt minutes) then.

    A cashier customer reaches the cashier at service start, after their queue and overtakes.
    A kiosk customer reaches an attendant each time one arrives at their frozen kiosk; by then
    they have queued, been served (scanning, and earlier fixes), waited for help (this and
    earlier times), and met ``k`` confusion events.
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

    a = assists.sort_values(["customer_id", "stuck_min"], kind="stable")
    who = a["customer_id"].to_numpy().astype(np.int64)
    arrived = a["attendant_arrived_min"].to_numpy()
    k = a.groupby("customer_id", sort=False).cumcount().to_numpy() + 1
    waited_so_far = a.groupby("customer_id", sort=False)["wait_for_attendant_min"].cumsum()
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


def _experience_stats(frame: pd.DataFrame) -> dict[str, float]:
    n = len(frame)
    if n == 0:
        return {}
    csat = frame["satisfaction"].to_numpy()
    classes = frame["nps_class"].cat.codes.to_numpy()
    return {
        "perceived_wait_mean_min": float(frame["perceived_wait_min"].mean()),
        "overtaken_per_customer": float(frame["overtaken"].mean()),
        "switched_pct": float(100.0 * np.mean(_switches(frame) > 0)),
        "csat_mean": float(csat.mean()),
        "satisfied_pct": float(100.0 * np.mean(csat >= SATISFIED_MIN_SCORE)),
        "ces_mean": float(frame["effort"].mean()),
        "nps": net_promoter_score(classes),
        "promoters_pct": float(100.0 * np.mean(classes == NpsCode.PROMOTER)),
        "detractors_pct": float(100.0 * np.mean(classes == NpsCode.DETRACTOR)),
    }


def _recovery_stats(frame: pd.DataFrame) -> dict[str, float]:
    coupon = frame["coupon"].to_numpy()
    before = frame["satisfaction_without_coupon"].to_numpy()
    first = frame["satisfaction_before_recovery"].to_numpy()
    classes_before = frame["nps_class_without_coupon"].cat.codes.to_numpy()
    return {
        "acknowledged": float(frame["acknowledged"].to_numpy().sum()),
        "acknowledge_csat_effect": float(before.mean() - first.mean()),
        "coupons_used": float(coupon.sum()),
        "coupon_csat_effect": float(frame["satisfaction"].mean() - before.mean()),
        "coupon_nps_effect": net_promoter_score(frame["nps_class"].cat.codes.to_numpy())
        - net_promoter_score(classes_before),
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
    rows: list[tuple[str, int, int, str, str, float]] = []
    recovery = scenario.service_recovery is not None
    left: dict[int, float] = {}
    if books is not None and len(books):
        left = {int(k): float(v) for k, v in books.groupby("rep")["left"].sum().items()}
    for (name, rep, seed), cust in customers.groupby(_KEYS, sort=True, observed=True):
        scopes = {"all": cust, "cashier": cust[cust["channel"] == "cashier"]}
        scopes["kiosk"] = cust[cust["channel"] == "kiosk"]
        for scope, frame in scopes.items():
            m = _experience_stats(frame)
            if scope == "all" and recovery:
                m.update(_recovery_stats(frame))
                if int(rep) in left:
                    m["coupons_left"] = left[int(rep)]
            rows.extend((name, int(rep), int(seed), scope, k, v) for k, v in m.items())
    return pd.DataFrame(rows, columns=[*_KEYS, "scope", "metric", "value"])


def experience_hourly_metrics(scenario: Scenario, customers: pd.DataFrame) -> pd.DataFrame:
    """Per-replication experience metrics by clock hour of arrival, long format."""
    rows: list[tuple[str, int, int, str, str, float]] = []
    recovery = scenario.service_recovery is not None
    for (name, rep, seed, hour), frame in customers.groupby(
        [*_KEYS, "arrival_hour"], sort=True, observed=True
    ):
        m = _experience_stats(frame)
        if recovery:
            m["coupons_used"] = float(frame["coupon"].sum())
        rows.extend((name, int(rep), int(seed), str(hour), k, v) for k, v in m.items())
    return pd.DataFrame(rows, columns=[*_KEYS, "hour", "metric", "value"])
