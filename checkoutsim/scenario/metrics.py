"""Which way is better for every metric: the one registry of metric names and directions.

A scenario's ``targets:`` name metrics, so their vocabulary lives in the lowest layer; the
results (a target's verdict), the terminal tables, the HTML reports and the comparison figures
all read the direction from here, so a better difference is never drawn like a worse one.

``lower``: less is better (waits, lost customers, money spent or lost). ``higher``: more is
better (satisfaction, share served within the target wait). ``neutral``: neither on its own
(arrivals are demand; utilisation is a trade between idle staff and queues).
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "DIRECTIONS",
    "Direction",
    "Effect",
    "direction",
    "effect",
    "known_metric",
]

Direction = Literal["lower", "higher", "neutral"]
Effect = Literal["better", "worse", "unclear", "neutral"]

_LOWER = (
    # customers lost or kept waiting
    "balked",
    "balked_pct",
    "reneged",
    "reneged_pct",
    "abandoned_items",
    "wait_mean_min",
    "wait_p50_min",
    "wait_p90_min",
    "wait_p95_min",
    "wait_max_min",
    "time_in_store_checkout_mean_min",
    "assisted_pct",
    "assists_per_customer",
    "attendant_response_mean_min",
    "attendant_response_p90_min",
    "kiosk_outages",  # kiosk faults: outages, kiosk-minutes out of order, attendant minutes
    "kiosk_out_of_order_min",
    "attendant_repair_min",
    # experience (estimates)
    "perceived_wait_mean_min",
    "overtaken_per_customer",
    "switched_pct",
    "detractors",
    "detractors_pct",
    "detractors_made_at_checkout",
    "coupons_used",
    # money and hours spent or lost, per day
    "labour_cashier_cost",
    "labour_attendant_cost",
    "labour_floater_cost",
    "labour_cost",
    "kiosk_cost",
    "coupon_cost",
    "operating_cost",
    "cost_per_customer_served",
    "total_cost",
    "shrink_cost",
    "rescan_cost",
    "rescans",
    "lost_customers",
    "defectors_per_year",
    "defectors_per_year_checkout",
    "margin_at_risk_checkout",
    "revenue_at_risk_per_year",
    "revenue_at_risk_checkout_per_year",
    "revenue_at_risk_share_pct",
    "revenue_at_risk_checkout_share_pct",
    "lost_sales",
    "lost_margin",
    "revenue_at_risk",
    "revenue_at_risk_checkout",
    "cashier_hours",
    "attendant_hours",
    "floater_hours",
    "staff_hours",
)
_HIGHER = (
    "served",
    "within_target_pct",
    "csat_mean",
    "satisfied_pct",
    "ces_mean",  # 7 = very easy
    "nps",
    "promoters_pct",
    "coupon_csat_effect",
    "coupon_nps_effect",
    "acknowledge_csat_effect",
)
_NEUTRAL = (
    "arrivals",
    "visits_per_year",  # an assumption about the customers, reported beside the churn figures
    "acknowledged",  # staff acknowledging a bad moment: good practice, but counts bad moments
    "coupons_left",  # a book returned full is the seed's ideal, yet coupons exist to be used
    "cashiers_utilisation_pct",
    "kiosks_utilisation_pct",
    "attendants_utilisation_pct",
    "cashier_break_min",  # staff breaks (scenario breaks:): time away is planned, not bad
    "attendant_break_min",
)

DIRECTIONS: dict[str, Direction] = {
    **dict.fromkeys(_LOWER, "lower"),
    **dict.fromkeys(_HIGHER, "higher"),
    **dict.fromkeys(_NEUTRAL, "neutral"),
}
"""Every metric a run reports (per day, per hour, per block), and which way is better."""


def known_metric(metric: str) -> bool:
    """Whether ``metric`` is a metric name a run reports."""
    return metric in DIRECTIONS


def direction(metric: str) -> Direction:
    """``lower``, ``higher`` or ``neutral`` (also for a name not in the registry)."""
    return DIRECTIONS.get(metric, "neutral")


def effect(metric: str, low: float, high: float) -> Effect:
    """What a difference (new minus old) with interval ``[low, high]`` means for ``metric``.

    ``better`` or ``worse`` when the interval excludes zero and the metric has a direction;
    ``unclear`` when it includes zero (or is missing); ``neutral`` for a metric with no
    better side whose interval excludes zero.
    """
    if not (low > 0.0 or high < 0.0):  # also NaN
        return "unclear"
    way = direction(metric)
    if way == "neutral":
        return "neutral"
    up = low > 0.0
    return "better" if up == (way == "higher") else "worse"
