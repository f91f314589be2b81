"""The metric tables grouped at once against the per-group loops they replaced (issue 20).

Usage::

    PYTHONPATH=. .venv/bin/python benchmarks/hourly_metrics.py            # 10 weekday days
    PYTHONPATH=. .venv/bin/python benchmarks/hourly_metrics.py --quick    # a smoke run

The per-(replication, hour) and per-replication metric tables used to loop over
``DataFrame.groupby``, building a small frame per group and calling Python on it; they now
reduce every group at once (``checkoutsim/experience/grouped.py``). The loops are kept below,
verbatim from main at 0d7ea0d, as the reference: on the same simulated days, one process, each
table is computed both ways, alternating, best of ``--repeats`` on this process's CPU time, and
the two tables must be equal (values to the last bit, columns, rows, order and dtypes).
``money_hourly_metrics``'s and ``money_metrics``'s loops over days are kept the same way.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from checkoutsim import load_scenario, simulate
from checkoutsim.experience.churn import yearly_churn
from checkoutsim.experience.costs import (
    floater_hours,
    floater_hours_by_clock_hour,
    money_hourly_metrics,
    money_metrics,
    rescan_cost_per_transaction,
    scheduled_hours,
    scheduled_hours_by_clock_hour,
    shrink_per_customer,
)
from checkoutsim.experience.grouped import is_label
from checkoutsim.experience.pipeline import (
    _switches,
    experience_hourly_metrics,
    experience_metrics,
)
from checkoutsim.experience.satisfaction import SATISFIED_MIN_SCORE, NpsCode, net_promoter_score
from checkoutsim.model.recorder import CHANNELS
from checkoutsim.planning.blocks import arrival_block_metrics, block_labels, customer_groups
from checkoutsim.results.tables import (
    KEY_COLUMNS,
    SimulationResult,
    _interval_hours,
    _interval_minutes,
    grouped_hourly_metrics,
    hourly_metrics,
    replication_metrics,
)
from checkoutsim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]
CPU = time.process_time
SEED = 20261201
_KEYS = KEY_COLUMNS

# -- the per-group loops of main at 0d7ea0d (checkoutsim/results/tables.py) --------------------


def _wait_stats(waits: np.ndarray, target: float) -> dict[str, float]:
    if waits.size == 0:
        return {
            "wait_mean_min": np.nan,
            "wait_p50_min": np.nan,
            "wait_p90_min": np.nan,
            "wait_p95_min": np.nan,
            "wait_max_min": np.nan,
            "within_target_pct": np.nan,
        }
    p50, p90, p95 = np.percentile(waits, [50, 90, 95])
    return {
        "wait_mean_min": float(waits.mean()),
        "wait_p50_min": float(p50),
        "wait_p90_min": float(p90),
        "wait_p95_min": float(p95),
        "wait_max_min": float(waits.max()),
        "within_target_pct": float(100.0 * np.mean(waits <= target)),
    }


def _customer_metrics(df: pd.DataFrame, target: float) -> dict[str, float]:
    outcome = df["outcome"].to_numpy()
    n = len(df)
    served_mask = outcome == "served"
    served = int(served_mask.sum())
    balked = int((outcome == "balked").sum())
    reneged = int((outcome == "reneged").sum())
    metrics: dict[str, float] = {
        "arrivals": float(n),
        "served": float(served),
        "balked": float(balked),
        "reneged": float(reneged),
        "balked_pct": 100.0 * balked / n if n else np.nan,
        "reneged_pct": 100.0 * reneged / n if n else np.nan,
        "abandoned_items": float(df["basket_items"].to_numpy()[~served_mask].sum()),
    }
    metrics.update(_wait_stats(df["queue_wait_min"].to_numpy()[served_mask], target))
    if served:
        sojourn = (df["departure_min"] - df["arrival_min"]).to_numpy()[served_mask]
        metrics["time_in_store_checkout_mean_min"] = float(sojourn.mean())
        assists = df["assists"].to_numpy()[served_mask]
        metrics["assists_per_customer"] = float(assists.mean())
        metrics["assisted_pct"] = float(100.0 * np.mean(assists > 0))
    else:
        metrics["time_in_store_checkout_mean_min"] = np.nan
        metrics["assists_per_customer"] = np.nan
        metrics["assisted_pct"] = np.nan
    return metrics


def _assist_metrics(assists: pd.DataFrame) -> dict[str, float]:
    waits = assists["wait_for_attendant_min"].to_numpy()
    if waits.size == 0:
        return {"attendant_response_mean_min": np.nan, "attendant_response_p90_min": np.nan}
    return {
        "attendant_response_mean_min": float(waits.mean()),
        "attendant_response_p90_min": float(np.percentile(waits, 90)),
    }


def _fault_metrics(faults: pd.DataFrame) -> dict[str, float]:
    """Outages of one day: how many, kiosk-minutes out of order, attendant minutes on them."""
    return {
        "kiosk_outages": float(len(faults)),
        "kiosk_out_of_order_min": float(faults["out_of_order_min"].sum()),
        "attendant_repair_min": float(faults["repair_attendant_min"].sum()),
    }


_STAFF = ("cashiers", "kiosks", "attendants")


def _break_metrics(ts: pd.DataFrame, widths: np.ndarray) -> dict[str, float]:
    """Staff-minutes on break of one day (a scenario with ``breaks``)."""
    return {
        f"{role}_break_min": float(
            np.dot(ts[f"{role}s_on_break_avg"].to_numpy(dtype=np.float64), widths)
        )
        for role in ("cashier", "attendant")
    }


def _utilisation(ts: pd.DataFrame, widths: np.ndarray) -> dict[str, float]:
    """Busy over on-duty server-minutes of each kind of staff, in percent.

    Staff on break are off duty, so utilisation is over the time they were actually
    available (a lane closed for a break, or an attendant resting, counts in neither sum).

    Exact, whatever ``run.sample_interval_min``: each row's ``*_avg`` times its interval's
    length is the integral of the level over that interval (the resources' own time-weighted
    accounting), and the rows tile the day from opening to the moment the last customer left
    (or closing, if later), so the sums are the day's exact busy and on-duty minutes.
    """
    out = {}
    for kind in _STAFF:
        duty = float(np.dot(ts[f"{kind}_on_duty_avg"].to_numpy(dtype=np.float64), widths))
        busy = float(np.dot(ts[f"{kind}_busy_avg"].to_numpy(dtype=np.float64), widths))
        out[f"{kind}_utilisation_pct"] = 100.0 * busy / duty if duty > 0 else np.nan
    return out


def old_replication_metrics(
    customers: pd.DataFrame,
    assists: pd.DataFrame,
    timeseries: pd.DataFrame,
    target_wait_min: float,
    faults: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per-replication metrics in long format.

    Parameters
    ----------
    customers, assists, timeseries : DataFrame
        The run's tables.
    target_wait_min : float
        Target queue wait in minutes.
    faults : DataFrame, optional
        The kiosk outages (:func:`faults_frame`); with it, every day also gets
        ``kiosk_outages``, ``kiosk_out_of_order_min`` and ``attendant_repair_min`` (scope
        ``all``). Left out for a scenario without faults, whose metrics stay as they were.
        A time series with break columns (a scenario with ``breaks``) adds
        ``cashier_break_min`` and ``attendant_break_min`` (staff-minutes away, scope ``all``).

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario, rep, seed, scope, metric, value``; ``scope`` is ``all``,
        ``cashier`` or ``kiosk``.
    """
    rows: list[tuple[str, int, int, str, str, float]] = []
    by_day = dict(iter(customers.groupby(KEY_COLUMNS, sort=True, observed=True)))
    # A day nobody came to (the store closed, or every arrival rate zero) is still a day: it has
    # a time series, counts of zero, NaN waits and 0% utilisation of the staff on duty.
    days = sorted(
        set(by_day) | set(timeseries[KEY_COLUMNS].itertuples(index=False, name=None)),
        key=lambda day: (str(day[0]), int(day[1]), int(day[2])),
    )
    for scenario, rep, seed in days:
        cust = by_day.get((scenario, rep, seed), customers.iloc[0:0])
        a = assists[(assists["scenario"] == scenario) & (assists["rep"] == rep)]
        ts = timeseries[(timeseries["scenario"] == scenario) & (timeseries["rep"] == rep)]
        scopes = {"all": cust, **{ch: cust[cust["channel"] == ch] for ch in CHANNELS}}
        for scope, frame in scopes.items():
            m = _customer_metrics(frame, target_wait_min)
            if scope in ("all", "kiosk"):
                m.update(_assist_metrics(a))
            if scope == "all":
                widths = _interval_minutes(ts)
                m.update(_utilisation(ts, widths))
                if "cashiers_on_break_avg" in ts.columns:
                    m.update(_break_metrics(ts, widths))
                if faults is not None:
                    day = (faults["scenario"] == scenario) & (faults["rep"] == rep)
                    m.update(_fault_metrics(faults[day]))
            rows.extend((scenario, int(rep), int(seed), scope, k, v) for k, v in m.items())
    return pd.DataFrame(rows, columns=[*KEY_COLUMNS, "scope", "metric", "value"])


def old_hourly_metrics(
    customers: pd.DataFrame,
    timeseries: pd.DataFrame,
    target_wait_min: float,
    assists: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per-replication metrics by clock hour of arrival, long format.

    Columns ``scenario, rep, seed, hour, metric, value``. Utilisation is by the hour of the
    time-series interval; with ``assists``, the wait for an attendant
    (``attendant_response_*``) is by the hour the kiosk froze (an hour without a freeze has no
    such row).
    """
    rows: list[tuple[str, int, int, str, str, float]] = []
    for (scenario, rep, seed, hour), frame in customers.groupby(
        [*KEY_COLUMNS, "arrival_hour"], sort=True, observed=True
    ):
        m = _customer_metrics(frame, target_wait_min)
        rows.extend((scenario, int(rep), int(seed), str(hour), k, v) for k, v in m.items())
    if assists is not None and len(assists):
        for (scenario, rep, seed, hour), frame in assists.groupby(
            [*KEY_COLUMNS, "stuck_hour"], sort=True, observed=True
        ):
            m = _assist_metrics(frame)
            rows.extend((scenario, int(rep), int(seed), str(hour), k, v) for k, v in m.items())
    if len(timeseries):
        ts = timeseries.copy()
        widths = _interval_minutes(ts)
        ts["_width"] = widths
        ts["hour"] = _interval_hours(ts)
        for (scenario, rep, seed, hour), frame in ts.groupby(
            [*KEY_COLUMNS, "hour"], sort=True, observed=True
        ):
            for k, v in _utilisation(frame, frame["_width"].to_numpy()).items():
                rows.append((scenario, int(rep), int(seed), str(hour), k, v))
    out = pd.DataFrame(rows, columns=[*KEY_COLUMNS, "hour", "metric", "value"])
    return out.sort_values([*KEY_COLUMNS, "hour"], kind="stable").reset_index(drop=True)


def old_grouped_hourly_metrics(
    scenario: Scenario,
    customers: pd.DataFrame,
    target_wait_min: float,
    groups: Sequence[str],
) -> pd.DataFrame:
    """Per-replication customer and experience metrics by hour of arrival, per customer group.

    ``groups`` are ``"all"`` (every customer) and channels (``"cashier"``, ``"kiosk"``: the
    channel each customer chose, balked and reneged customers included), as the run verdict
    splits them. The ``arrival_hour`` column says which hour (or block) a customer counts in.

    Returns
    -------
    DataFrame
        ``scenario, rep, seed, hour, customers, metric, value``.
    """
    parts = []
    for group in groups:
        frame = customers if group == "all" else customers[customers["channel"] == group]
        base = old_hourly_metrics(frame, customers.iloc[0:0], target_wait_min)
        experience = old_experience_hourly_metrics(scenario, frame)
        parts += [f.assign(customers=group) for f in (base, experience) if not f.empty]
    columns = [*KEY_COLUMNS, "hour", "customers", "metric", "value"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


# -- the per-group loops of main at 0d7ea0d (checkoutsim/experience/pipeline.py) --------------


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


def old_experience_metrics(
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


def old_experience_hourly_metrics(scenario: Scenario, customers: pd.DataFrame) -> pd.DataFrame:
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


# -- the per-day loops of main at 0d7ea0d (checkoutsim/experience/costs.py) -----------------


def old_money_hourly_metrics(
    scenario: Scenario,
    customers: pd.DataFrame,
    floaters: dict[tuple[str, int, int], dict[str, float]] | None = None,
) -> pd.DataFrame:
    """Per-replication money by clock hour: labour (schedule, plus floaters' hours on a lane
    from :func:`floater_hours_by_clock_hour`), lost sales (by arrival hour) and coupon cost
    (by the hour the coupon was handed over)."""
    c = scenario.costs
    sched = scheduled_hours_by_clock_hour(scenario)
    labour = dict(
        zip(
            sched["hour"],
            sched["cashier"] * c.cashier_wage_per_hour
            + sched["attendant"] * c.attendant_wage_per_hour,
            strict=True,
        )
    )
    value = scenario.service_recovery.coupon_value if scenario.service_recovery else 0.0
    open_min = scenario.store.open_min
    rows: list[tuple[str, int, int, str, str, float]] = []
    for (name, rep, seed), cust in customers.groupby(_KEYS, sort=True, observed=True):
        lost = cust["outcome"] != "served"
        items = cust["basket_items"].where(lost, 0).groupby(cust["arrival_hour"], observed=True)
        lost_by_hour = (items.sum() * c.spend_per_item).to_dict()
        when = cust["coupon_min"].dropna().to_numpy()
        coupon_hours = np.floor((open_min + when) / 60.0).astype(np.int64)
        coupon_by_hour: dict[str, float] = {}
        for h in coupon_hours.tolist():
            label = f"{h:02d}:00"
            coupon_by_hour[label] = coupon_by_hour.get(label, 0.0) + value
        worked = (floaters or {}).get((str(name), int(rep), int(seed)), {})
        hours = sorted(
            set(labour) | {str(h) for h in lost_by_hour} | set(coupon_by_hour) | set(worked)
        )
        for hour in hours:
            floater = worked.get(hour, 0.0) * c.floater_wage_per_hour
            for metric, v in (
                ("labour_cost", labour.get(hour, 0.0) + floater),
                ("lost_sales", float(lost_by_hour.get(hour, 0.0))),
                ("coupon_cost", coupon_by_hour.get(hour, 0.0)),
            ):
                rows.append((name, int(rep), int(seed), hour, metric, v))
    return pd.DataFrame(rows, columns=[*_KEYS, "hour", "metric", "value"])


def old_shrink(scenario: Scenario, cust: pd.DataFrame) -> tuple[float, float]:
    """Shrink (currency) and kiosk transactions of one day."""
    kiosk = is_label(cust["outcome"], "served") & is_label(cust["channel"], "kiosk")
    return float(shrink_per_customer(scenario, cust).sum()), float(kiosk.sum())


def old_rep_money(scenario: Scenario, cust: pd.DataFrame, floaters_h: float) -> dict[str, float]:
    c = scenario.costs
    hours = scheduled_hours(scenario)
    labour_cashier = hours["cashier"] * c.cashier_wage_per_hour
    labour_attendant = hours["attendant"] * c.attendant_wage_per_hour
    labour_floater = floaters_h * c.floater_wage_per_hour
    kiosk = scenario.kiosks.count * scenario.store.day_length_min / 60.0 * c.kiosk_cost_per_hour
    recovery = scenario.service_recovery
    coupons = float(cust["coupon"].sum())
    coupon_cost = coupons * recovery.coupon_value if recovery is not None else 0.0
    operating = labour_cashier + labour_attendant + labour_floater + kiosk + coupon_cost
    is_served = is_label(cust["outcome"], "served")
    served = int(is_served.sum())
    lost_items = float(cust["basket_items"].to_numpy()[~is_served].sum())
    lost_sales = lost_items * c.spend_per_item
    classes = cust["nps_class"].cat.codes.to_numpy()
    baseline = cust["nps_class_baseline"].cat.codes.to_numpy()
    detractors = float(np.sum(classes == NpsCode.DETRACTOR))
    made = float(np.sum((classes == NpsCode.DETRACTOR) & (baseline != NpsCode.DETRACTOR)))
    n = float(len(cust))
    visit_spend = float(cust["basket_items"].mean()) * c.spend_per_item if n else 0.0
    churn = {
        who: yearly_churn(
            n,
            count,
            visit_spend,
            c.detractor_churn_pct,
            open_days_per_year=c.open_days_per_year,
            gross_margin_pct=c.gross_margin_pct,
            visits_per_year=c.visits_per_year,
            customer_value_per_year=c.customer_value_per_year,
        )
        for who, count in (("all", detractors), ("checkout", made))
    }
    churn_cost = churn["checkout"].margin_at_risk_per_day if c.total_cost_includes_churn else 0.0
    shrink, kiosk_transactions = old_shrink(scenario, cust)
    rescans = kiosk_transactions * c.rescan_pct / 100.0
    rescan_cost = kiosk_transactions * rescan_cost_per_transaction(scenario)
    lost_margin = lost_sales * c.gross_margin_pct / 100.0
    floaters: dict[str, float] = {}
    if scenario.cashiers.backup is not None:
        floaters = {"floater_hours": floaters_h, "labour_floater_cost": labour_floater}
    return {
        "cashier_hours": hours["cashier"],
        "attendant_hours": hours["attendant"],
        "labour_cashier_cost": labour_cashier,
        "labour_attendant_cost": labour_attendant,
        **floaters,
        "labour_cost": labour_cashier + labour_attendant + labour_floater,
        "kiosk_cost": kiosk,
        "coupon_cost": coupon_cost,
        "operating_cost": operating,
        "cost_per_customer_served": operating / served if served else np.nan,
        "lost_sales": lost_sales,
        "lost_margin": lost_margin,
        "lost_customers": float((~is_served).sum()),
        "shrink_cost": shrink,
        "rescans": rescans,
        "rescan_cost": rescan_cost,
        "total_cost": operating + lost_margin + shrink + rescan_cost + churn_cost,
        "detractors": detractors,
        "detractors_made_at_checkout": made,
        "visits_per_year": churn["all"].visits_per_year,
        "defectors_per_year": churn["all"].defectors_per_year,
        "defectors_per_year_checkout": churn["checkout"].defectors_per_year,
        "margin_at_risk_checkout": churn["checkout"].margin_at_risk_per_day,
        "revenue_at_risk": churn["all"].revenue_at_risk_per_day,
        "revenue_at_risk_checkout": churn["checkout"].revenue_at_risk_per_day,
        "revenue_at_risk_per_year": churn["all"].revenue_at_risk_per_year,
        "revenue_at_risk_checkout_per_year": churn["checkout"].revenue_at_risk_per_year,
        "revenue_at_risk_share_pct": churn["all"].share_of_sales_pct,
        "revenue_at_risk_checkout_share_pct": churn["checkout"].share_of_sales_pct,
    }


def old_money_metrics(
    scenario: Scenario,
    customers: pd.DataFrame,
    days: Iterable[tuple[str, int, int]] = (),
    floaters: dict[tuple[str, int, int], float] | None = None,
) -> pd.DataFrame:
    """Per-replication money lines, long format (scope ``all``).

    Parameters
    ----------
    scenario : Scenario
        The scenario (staffing plan and ``costs``).
    customers : DataFrame
        Customers with the experience columns.
    days : iterable of (scenario, rep, seed)
        Every simulated day, so that a day nobody came to still has its lines: the staff on
        the plan are paid and the kiosks cost the same with no customer at all.
    floaters : dict, optional
        Hours floaters staffed a lane per day (:func:`floater_hours`); 0 where missing.

    Returns
    -------
    DataFrame
        ``scenario, rep, seed, scope, metric, value``.
    """
    by_day = dict(iter(customers.groupby(_KEYS, sort=True, observed=True)))
    keys = sorted(set(by_day) | set(days), key=lambda d: (str(d[0]), int(d[1]), int(d[2])))
    rows: list[tuple[str, int, int, str, str, float]] = []
    for name, rep, seed in keys:
        cust = by_day.get((name, rep, seed), customers.iloc[0:0])
        worked = (floaters or {}).get((str(name), int(rep), int(seed)), 0.0)
        for k, v in old_rep_money(scenario, cust, worked).items():
            rows.append((name, int(rep), int(seed), "all", k, v))
    return pd.DataFrame(rows, columns=[*_KEYS, "scope", "metric", "value"])


# -- the benchmark ------------------------------------------------------------------------------


def best_pair(
    old: Callable[[], Any], new: Callable[[], Any], repeats: int
) -> tuple[float, float, Any, Any]:
    """Best CPU seconds of ``old`` and ``new``, called alternately, and their last results."""
    best_old = best_new = float("inf")
    for _ in range(repeats):
        t0 = CPU()
        a = old()
        t1 = CPU()
        b = new()
        t2 = CPU()
        best_old, best_new = min(best_old, t1 - t0), min(best_new, t2 - t1)
    return best_old, best_new, a, b


def identical(a: Any, b: Any) -> bool:
    """Same columns, rows, order, dtypes and values (to the last bit, NaN where NaN)."""
    pairs = zip(a, b, strict=True) if isinstance(a, tuple) else [(a, b)]
    try:
        for x, y in pairs:
            pd.testing.assert_frame_equal(x, y, check_exact=True)
    except AssertionError:
        return False
    return True


def old_block_metrics(result: SimulationResult, judge: str = "channels") -> pd.DataFrame:
    """main's ``planning.blocks.block_metrics``: blocks as ``arrival_hour``, per-group loops."""
    scenario = result.scenario
    starts = [scenario.minutes_after_open(b.start) for b in scenario.staffing]
    labels = block_labels(scenario)
    customers = result.customers.copy()
    index = np.searchsorted(np.asarray(starts), customers["arrival_min"].to_numpy(), "right") - 1
    customers["arrival_hour"] = pd.Categorical.from_codes(
        np.clip(index, 0, len(labels) - 1).astype(np.int16), categories=labels, ordered=True
    )
    both = old_grouped_hourly_metrics(
        scenario, customers, result.target_wait_min, customer_groups(judge)
    )
    return both.rename(columns={"hour": "unit"})[["rep", "unit", "customers", "metric", "value"]]


def new_block_metrics(result: SimulationResult) -> pd.DataFrame:
    scenario = result.scenario
    starts = [scenario.minutes_after_open(b.start) for b in scenario.staffing]
    return arrival_block_metrics(result, starts, block_labels(scenario), "channels")


def tables(result: SimulationResult) -> dict[str, tuple[Callable[[], Any], Callable[[], Any]]]:
    """(old, new) of each table measured, on the days of ``result``."""
    r, target = result, result.target_wait_min
    faults = r.faults if r.scenario.kiosks.faults else None
    floaters = floater_hours_by_clock_hour(r.timeseries, r.scenario.store.open_min)
    day_floaters = floater_hours(r.timeseries)
    days = [(r.scenario.name, rep, r.seed) for rep in range(r.replications)]
    return {
        "hourly_metrics": (
            lambda: old_hourly_metrics(r.customers, r.timeseries, target, r.assists),
            lambda: hourly_metrics(r.customers, r.timeseries, target, r.assists),
        ),
        "experience_hourly_metrics": (
            lambda: old_experience_hourly_metrics(r.scenario, r.customers),
            lambda: experience_hourly_metrics(r.scenario, r.customers),
        ),
        "grouped_hourly_metrics (by hour and channel)": (
            lambda: old_grouped_hourly_metrics(r.scenario, r.customers, target, CHANNELS),
            lambda: grouped_hourly_metrics(r.scenario, r.customers, target, CHANNELS),
        ),
        "block_metrics (the optimiser's, per plan)": (
            lambda: old_block_metrics(r),
            lambda: new_block_metrics(r),
        ),
        "money_hourly_metrics": (
            lambda: old_money_hourly_metrics(r.scenario, r.customers, floaters),
            lambda: money_hourly_metrics(r.scenario, r.customers, floaters),
        ),
        "money_metrics": (
            lambda: old_money_metrics(r.scenario, r.customers, days, day_floaters),
            lambda: money_metrics(r.scenario, r.customers, days, day_floaters),
        ),
        "replication_metrics + experience_metrics": (
            lambda: (
                old_replication_metrics(r.customers, r.assists, r.timeseries, target, faults),
                old_experience_metrics(r.scenario, r.customers, r.coupons),
            ),
            lambda: (
                replication_metrics(r.customers, r.assists, r.timeseries, target, faults),
                experience_metrics(r.scenario, r.customers, r.coupons),
            ),
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 days, 1 repeat")
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    days, repeats = (2, 1) if args.quick else (args.days, args.repeats)
    print("| scenario, days | table | per-group loops ms | grouped ms | ratio | identical |")
    print("|---|---|---:|---:|---:|---|")
    for name in ("weekday", "lean_staffing"):
        result = simulate(load_scenario(ROOT / "scenarios" / f"{name}.yaml"), days, SEED, workers=1)
        for table, (old, new) in tables(result).items():
            old_s, new_s, a, b = best_pair(old, new, repeats)
            print(
                f"| {name}, {days} | {table} | {1000 * old_s:.1f} | {1000 * new_s:.1f} |"
                f" {old_s / new_s:.1f}x | {'yes' if identical(a, b) else '**no**'} |"
            )


if __name__ == "__main__":
    main()
