"""Money: labour, kiosks, coupons, lost sales and revenue at risk, per simulated day.

All amounts are in the scenario's ``costs.currency``. The lines (``docs/satisfaction.md``):

* **labour** = scheduled hours in the staffing plan x hourly wage, per role (regular and
  express cashiers at the cashier wage; attendants at the attendant wage), less the nominal
  minutes of unpaid breaks (``breaks[*].paid: false``). Time spent draining
  the queues after closing is not paid extra (it is the same few minutes in every plan).
  Floaters (``cashiers.backup``) are paid only for the minutes they staff a lane, from the
  simulated time series (``floaters_staffing_avg``), at ``floater_wage_per_hour``: their
  line appears only in scenarios with a backup rule;
* **kiosks** = installed kiosks x opening hours x ``kiosk_cost_per_hour``;
* **coupons** = coupons handed out x ``coupon_value``;
* **operating cost** = labour + kiosks + coupons, and per customer served;
* **lost sales** = items in the baskets of customers who balked or reneged x
  ``spend_per_item`` (an upper bound: some come back later), and the gross margin on them;
* **shrink** = kiosk-scanned sales x ``shrink_bp_of_kiosk_sales`` / 10,000, scaled by
  ``(kiosks per attendant / shrink_reference_kiosks_per_attendant) ** shrink_ratio_elasticity``
  in the staffing block where the customer's kiosk service started (:func:`shrink_factor`);
* **rescans** = kiosk transactions x ``rescan_pct`` x ``rescan_min`` of attendant time at the
  attendant wage (costed, not simulated: the attendant is not taken off the floor);
* **total cost** = labour + kiosks + coupons + lost margin + shrink + rescans: what a plan costs
  the store per day, the default objective of :func:`checkoutsim.optimize`;
* **revenue at risk** (an estimate, clearly not a measurement): the yearly spend of the
  customers expected to defect within a year, each customer counted once however often they
  visit (:mod:`checkoutsim.experience.churn`), per year, per open day and as a share of annual
  sales; for all detractors and for the detractors the checkout made (customers who would not
  have been detractors after a frictionless checkout). With ``total_cost_includes_churn`` the
  margin on the latter, per day, is part of the total cost.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from checkoutsim.experience.churn import yearly_churn
from checkoutsim.experience.grouped import (
    Groups,
    group_rows,
    is_label,
    long_frame,
    long_rows,
    table_keys,
)
from checkoutsim.experience.satisfaction import NpsCode
from checkoutsim.scenario.schema import Scenario, parse_time_of_day

__all__ = [
    "CHURN_METRICS",
    "MONEY_METRICS",
    "cost_table",
    "floater_hours",
    "floater_hours_by_clock_hour",
    "money_hourly_metrics",
    "money_metrics",
    "rescan_cost_per_transaction",
    "scheduled_hours",
    "scheduled_hours_by_clock_hour",
    "shrink_factor",
    "shrink_per_customer",
]

_KEYS = ["scenario", "rep", "seed"]

MONEY_METRICS: list[tuple[str, str]] = [
    ("labour_cashier_cost", "Labour, cashiers"),
    ("labour_attendant_cost", "Labour, attendants"),
    ("labour_floater_cost", "Labour, floaters (while on a lane)"),
    ("labour_cost", "Labour, total"),
    ("kiosk_cost", "Kiosks"),
    ("coupon_cost", "Coupons"),
    ("operating_cost", "Operating cost (labour + kiosks + coupons)"),
    ("cost_per_customer_served", "Operating cost per customer served"),
    ("lost_sales", "Lost sales (balked + reneged baskets)"),
    ("lost_margin", "Lost gross margin"),
    ("shrink_cost", "Shrink at self-checkout"),
    ("rescan_cost", "Random rescans (attendant time)"),
    ("margin_at_risk_checkout", "Margin at risk*, made at checkout"),
    ("total_cost", "Total cost†"),
    ("revenue_at_risk", "Revenue at risk*, all detractors"),
    ("revenue_at_risk_checkout", "Revenue at risk*, made at checkout"),
]
"""Money metrics (per day, in the scenario's currency) and their labels."""

CHURN_METRICS: list[tuple[str, str]] = [
    ("revenue_at_risk_per_year", "Revenue at risk* a year, all detractors"),
    ("revenue_at_risk_checkout_per_year", "Revenue at risk* a year, made at checkout"),
    ("revenue_at_risk_share_pct", "Revenue at risk*, % of annual sales, all detractors"),
    ("revenue_at_risk_checkout_share_pct", "Revenue at risk*, % of annual sales, made at checkout"),
    ("defectors_per_year_checkout", "Customers expected to defect a year, made at checkout"),
]
"""Yearly churn figures (not per day; :mod:`checkoutsim.experience.churn`) and their labels."""


def scheduled_hours(scenario: Scenario) -> dict[str, float]:
    """Staff hours in the staffing plan, by role (``cashier`` includes express cashiers).

    Unpaid breaks (``breaks[*].paid: false``) are taken off at their nominal length.
    """
    cashier = attendant = 0.0
    for block in scenario.staffing:
        hours = (
            scenario.minutes_after_open(block.end) - scenario.minutes_after_open(block.start)
        ) / 60.0
        cashier += (block.cashiers + block.express_cashiers) * hours
        attendant += block.attendants * hours
    for b in scenario.breaks:
        # An unpaid break is not paid: its nominal minutes come off the role's hours.
        if not b.paid:
            if b.role == "attendant":
                attendant -= b.length_min / 60.0
            else:
                cashier -= b.length_min / 60.0
    return {"cashier": cashier, "attendant": attendant}


def scheduled_hours_by_clock_hour(scenario: Scenario) -> pd.DataFrame:
    """Staff hours per clock hour (``hour`` as ``"HH:00"``, ``cashier``, ``attendant``)."""
    open_min = scenario.store.open_min
    close_min = open_min + scenario.store.day_length_min
    hours = range(open_min // 60, math.ceil(close_min / 60))
    rows = []
    for h in hours:
        lo, hi = h * 60, (h + 1) * 60
        cashier = attendant = 0.0
        for block in scenario.staffing:
            start = open_min + scenario.minutes_after_open(block.start)
            end = open_min + scenario.minutes_after_open(block.end)
            overlap = max(0, min(end, hi) - max(start, lo)) / 60.0
            cashier += (block.cashiers + block.express_cashiers) * overlap
            attendant += block.attendants * overlap
        for b in scenario.breaks:
            if b.paid:
                continue
            start = parse_time_of_day(b.start)
            overlap = max(0.0, min(start + b.length_min, hi) - max(start, lo)) / 60.0
            if b.role == "attendant":
                attendant -= overlap
            else:
                cashier -= overlap
        rows.append((f"{h:02d}:00", cashier, attendant))
    return pd.DataFrame(rows, columns=["hour", "cashier", "attendant"])


def floater_hours(timeseries: pd.DataFrame) -> dict[tuple[str, int, int], float]:
    """Hours floaters staffed a lane, per day (``scenario, rep, seed``), from the time series.

    Each row's ``floaters_staffing_avg`` is the average over the interval ending at its
    ``time_min``; the first interval starts at opening. Empty without the column (no backup
    rule).
    """
    if "floaters_staffing_avg" not in timeseries:
        return {}
    out: dict[tuple[str, int, int], float] = {}
    for (name, rep, seed), day in timeseries.groupby(_KEYS, sort=True, observed=True):
        t = day["time_min"].to_numpy()
        width = np.diff(t, prepend=0.0)
        minutes = float(np.sum(day["floaters_staffing_avg"].to_numpy() * width))
        out[(str(name), int(rep), int(seed))] = minutes / 60.0
    return out


def floater_hours_by_clock_hour(
    timeseries: pd.DataFrame, open_min: int
) -> dict[tuple[str, int, int], dict[str, float]]:
    """:func:`floater_hours` split by clock hour (``"HH:00"``), per day.

    The time series has a row at every full clock hour, so each row's interval lies within
    one hour (the one its midpoint falls in).
    """
    if "floaters_staffing_avg" not in timeseries:
        return {}
    out: dict[tuple[str, int, int], dict[str, float]] = {}
    for (name, rep, seed), day in timeseries.groupby(_KEYS, sort=True, observed=True):
        t = day["time_min"].to_numpy()
        width = np.diff(t, prepend=0.0)
        hours = np.floor((open_min + t - width / 2.0) / 60.0).astype(np.int64)
        worked = day["floaters_staffing_avg"].to_numpy() * width / 60.0
        by_hour: dict[str, float] = {}
        for h, w in zip(hours.tolist(), worked.tolist(), strict=True):
            label = f"{h:02d}:00"
            by_hour[label] = by_hour.get(label, 0.0) + w
        out[(str(name), int(rep), int(seed))] = by_hour
    return out


def shrink_factor(
    kiosks_per_attendant: np.ndarray, reference: float, elasticity: float
) -> np.ndarray:
    """How much the base shrink rate scales with kiosks per attendant on duty.

    ``(kiosks_per_attendant / reference) ** elasticity``: 1 at the reference ratio, lower with
    fewer kiosks per attendant (an attendant watching fewer kiosks sees more), non-decreasing
    in the ratio. The power form is an assumption (``docs/satisfaction.md``).
    """
    ratio = np.maximum(np.asarray(kiosks_per_attendant, dtype=np.float64), 0.0) / reference
    return np.power(ratio, elasticity)


def _block_ratio(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Block start minutes (after opening) and kiosks on per attendant on duty in each block.

    A block with no attendant counts as half an attendant: nobody watches the bank, but the
    ratio stays finite (a cashier glancing over, say).
    """
    starts = np.array([scenario.minutes_after_open(b.start) for b in scenario.staffing], float)
    ratio = np.array(
        [
            (b.kiosks if b.kiosks is not None else scenario.kiosks.count) / max(b.attendants, 0.5)
            for b in scenario.staffing
        ]
    )
    return starts, ratio


def shrink_per_customer(scenario: Scenario, customers: pd.DataFrame) -> np.ndarray:
    """Expected shrink (currency) on each customer's basket: zero unless served at a kiosk.

    Basket value x ``shrink_bp_of_kiosk_sales`` / 10,000 x :func:`shrink_factor` of the
    kiosks per attendant in the staffing block where the kiosk service started.
    """
    c = scenario.costs
    kiosk = is_label(customers["outcome"], "served") & is_label(customers["channel"], "kiosk")
    out = np.zeros(len(customers))
    if not kiosk.any():
        return out
    starts, ratio = _block_ratio(scenario)
    when = customers["service_start_min"].to_numpy()[kiosk]
    block = np.clip(np.searchsorted(starts, when, side="right") - 1, 0, len(starts) - 1)
    factor = shrink_factor(
        ratio[block], c.shrink_reference_kiosks_per_attendant, c.shrink_ratio_elasticity
    )
    sales = customers["basket_items"].to_numpy()[kiosk] * c.spend_per_item
    out[kiosk] = sales * factor * c.shrink_bp_of_kiosk_sales / 10_000.0
    return out


def rescan_cost_per_transaction(scenario: Scenario) -> float:
    """Expected attendant cost of random rescans per kiosk transaction (currency)."""
    c = scenario.costs
    return c.rescan_pct / 100.0 * c.rescan_min / 60.0 * c.attendant_wage_per_hour


@dataclass(frozen=True)
class _DayTotals:
    """What the money lines of one day need from its customers (all counts as floats)."""

    customers: float
    served: int
    coupons: float
    lost_items: float
    visit_spend: float
    detractors: float
    made: float
    shrink: float
    kiosk_transactions: float


def _day_totals(scenario: Scenario, customers: pd.DataFrame, g: Groups) -> list[_DayTotals]:
    """:class:`_DayTotals` of every group of ``customers`` rows (a group may have none)."""
    c = scenario.costs
    is_served = is_label(customers["outcome"], "served")
    classes = customers["nps_class"].cat.codes.to_numpy()
    baseline = customers["nps_class_baseline"].cat.codes.to_numpy()
    detractor = classes == NpsCode.DETRACTOR
    basket = customers["basket_items"].to_numpy()
    # Per customer (zero but at a kiosk), then summed per day as numpy sums the day's array.
    shrink = g.sum(shrink_per_customer(scenario, customers))
    kiosk = is_served & is_label(customers["channel"], "kiosk")
    n = g.sizes
    columns = (
        n.astype(np.float64),
        g.count(is_served),
        g.sum(customers["coupon"].to_numpy()),
        g.where(~is_served).sum(basket),
        np.where(n > 0, g.mean(basket) * c.spend_per_item, 0.0),  # Series.mean of the day
        g.count(detractor).astype(np.float64),
        g.count(detractor & (baseline != NpsCode.DETRACTOR)).astype(np.float64),
        shrink,
        g.count(kiosk).astype(np.float64),
    )
    return [_DayTotals(*(v.item() for v in day)) for day in zip(*columns, strict=True)]


def _rep_money(scenario: Scenario, day: _DayTotals, floaters_h: float) -> dict[str, float]:
    c = scenario.costs
    hours = scheduled_hours(scenario)
    labour_cashier = hours["cashier"] * c.cashier_wage_per_hour
    labour_attendant = hours["attendant"] * c.attendant_wage_per_hour
    labour_floater = floaters_h * c.floater_wage_per_hour
    kiosk = scenario.kiosks.count * scenario.store.day_length_min / 60.0 * c.kiosk_cost_per_hour
    recovery = scenario.service_recovery
    coupons = day.coupons
    coupon_cost = coupons * recovery.coupon_value if recovery is not None else 0.0
    operating = labour_cashier + labour_attendant + labour_floater + kiosk + coupon_cost
    served = day.served
    lost_items = day.lost_items
    lost_sales = lost_items * c.spend_per_item
    detractors = day.detractors
    made = day.made
    n = day.customers
    visit_spend = day.visit_spend
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
    shrink, kiosk_transactions = day.shrink, day.kiosk_transactions
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
        "lost_customers": n - served,
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


def money_metrics(
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
    names = [*_KEYS, "scope", "metric", "value"]
    g, values = group_rows([customers[k] for k in _KEYS])
    found: set[tuple[Any, Any, Any]] = set(zip(*values, strict=True))
    keys = sorted(found | set(days), key=_day)
    if not keys:
        return pd.DataFrame([], columns=names)
    # Customers' groups renumbered as days (a day nobody came to has no rows).
    number = {_day(k): d for d, k in enumerate(keys)}
    day_of = np.array([number[_day(k)] for k in zip(*values, strict=True)], dtype=np.int64)
    index = np.full(len(customers), -1, dtype=np.int64)
    index[g.order] = day_of[g.ids]
    totals = _day_totals(scenario, customers, Groups(index, len(keys)))
    lines = [
        _rep_money(scenario, day, (floaters or {}).get(_day(k), 0.0))
        for k, day in zip(keys, totals, strict=True)
    ]
    metrics = {m: np.array([line[m] for line in lines], dtype=np.float64) for m in lines[0]}
    columns = long_rows(
        table_keys([np.array([k[i] for k in keys]) for i in range(3)]), [("all", metrics, None)]
    )
    columns["scope"] = columns.pop("label")
    return long_frame(columns, names)


def money_hourly_metrics(
    scenario: Scenario,
    customers: pd.DataFrame,
    floaters: dict[tuple[str, int, int], dict[str, float]] | None = None,
) -> pd.DataFrame:
    """Per-replication money by clock hour: labour (schedule, plus floaters' hours on a lane
    from :func:`floater_hours_by_clock_hour`), lost sales (by arrival hour) and coupon cost
    (by the hour the coupon was handed over).

    Every day with customers gets a row per metric for every hour of the schedule, of an
    arrival, of a coupon or of a floater's work that day, hours in label order.
    """
    c = scenario.costs
    names = [*_KEYS, "hour", "metric", "value"]
    days, day_keys = group_rows([customers[k] for k in _KEYS])
    if not days.n:
        return pd.DataFrame([], columns=names)
    sched = scheduled_hours_by_clock_hour(scenario)
    labour = dict(
        zip(
            sched["hour"],
            sched["cashier"] * c.cashier_wage_per_hour
            + sched["attendant"] * c.attendant_wage_per_hour,
            strict=True,
        )
    )
    keys = table_keys(day_keys)
    day = np.full(len(customers), -1, dtype=np.int64)  # each customer's day
    day[days.order] = days.ids

    # Lost sales: items of customers not served, by day and hour of arrival.
    by_hour, hour_keys = group_rows([*(customers[k] for k in _KEYS), customers["arrival_hour"]])
    lost = ~is_label(customers["outcome"], "served")
    items = np.where(lost, customers["basket_items"].to_numpy(), 0)
    lost_hour = [str(h) for h in hour_keys[3]]
    lost_day = day[by_hour.order[by_hour.starts]]
    # Coupons: how many each day and hour, each worth the coupon's value.
    when = customers["coupon_min"].to_numpy()
    given = ~np.isnan(when) & (day >= 0)
    coupon_hour = np.floor((scenario.store.open_min + when[given]) / 60.0).astype(np.int64)
    coupon_pairs, coupon_count = np.unique(
        np.stack([day[given], coupon_hour]), axis=1, return_counts=True
    )
    worked = [
        (floaters or {}).get(_day(day), {})
        for day in zip(keys["scenario"], keys["rep"], keys["seed"], strict=True)
    ]

    labels = sorted(
        set(labour)
        | set(lost_hour)
        | {f"{h:02d}:00" for h in coupon_pairs[1].tolist()}
        | {h for w in worked for h in w}
    )
    column = {label: j for j, label in enumerate(labels)}
    shape = (days.n, len(labels))
    present = np.zeros(shape, dtype=bool)
    present[:, [column[h] for h in labour]] = True
    lost_sales = np.zeros(shape)
    at = (lost_day, [column[h] for h in lost_hour])
    present[at] = True
    lost_sales[at] = by_hour.sum(items) * c.spend_per_item
    coupons = np.zeros(shape, dtype=np.int64)
    at = (coupon_pairs[0], [column[f"{h:02d}:00"] for h in coupon_pairs[1].tolist()])
    present[at] = True
    coupons[at] = coupon_count
    floater = np.zeros(shape)
    for d, w in enumerate(worked):
        for h, hours in w.items():
            present[d, column[h]] = True
            floater[d, column[h]] = hours
    labour_cost = np.array([labour.get(h, 0.0) for h in labels]) + floater * c.floater_wage_per_hour
    value = scenario.service_recovery.coupon_value if scenario.service_recovery else 0.0
    # The coupons of an hour, added one by one as the loop did: k coupons cost the k-th partial
    # sum of the value (a sequential cumsum), not k times it (which may differ in the last bit).
    cost_of = np.concatenate(([0.0], np.cumsum(np.full(int(coupons.max(initial=0)), value))))
    keep = present.reshape(-1)
    group_keys = {k: np.repeat(v, len(labels))[keep] for k, v in keys.items()}
    group_keys["hour"] = np.tile(np.array(labels, dtype=object), days.n)[keep]
    metrics = {
        "labour_cost": labour_cost.reshape(-1)[keep],
        "lost_sales": lost_sales.reshape(-1)[keep],
        "coupon_cost": cost_of[coupons].reshape(-1)[keep],
    }
    return long_frame(long_rows(group_keys, [(None, metrics, None)]), names)


def _day(key: tuple[Any, ...]) -> tuple[str, int, int]:
    """A day's ``(scenario, rep, seed)`` as ``str, int, int`` (how the floater hours and the
    sort order name it)."""
    return (str(key[0]), int(key[1]), int(key[2]))


def cost_table(summary: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The money lines of a summary (scope ``all``), in :data:`MONEY_METRICS` order, then the
    yearly :data:`CHURN_METRICS` (per year or percent, not per day).

    Returns
    -------
    DataFrame
        ``scenario, line, label, currency, mean, ci_low, ci_high, half_width, n`` (per day).
    """
    s = summary[summary["scope"] == "all"].set_index("metric")
    rows = []
    for metric, label in [*MONEY_METRICS, *CHURN_METRICS]:
        if metric not in s.index:
            continue
        r = s.loc[metric]
        rows.append(
            (
                scenario.name,
                metric,
                label,
                scenario.costs.currency,
                float(r["mean"]),
                float(r["ci_low"]),
                float(r["ci_high"]),
                float(r["half_width"]),
                int(r["n"]),
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "line",
            "label",
            "currency",
            "mean",
            "ci_low",
            "ci_high",
            "half_width",
            "n",
        ],
    )
