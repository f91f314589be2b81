"""The experience layer: what the recorded day means to customers and to the books.

Perceived wait, CSAT, Customer Effort Score and NPS, service-recovery coupons, root causes of
delay, and money (labour, kiosks, coupons, lost sales). Vectorised post-processing of the
recorded columns, no SimPy. It imports the scenario and model layers only.
"""

from checkoutsim.experience.costs import MONEY_METRICS, cost_table, scheduled_hours
from checkoutsim.experience.pipeline import (
    EXPERIENCE_COLUMNS,
    add_experience,
    experience_hourly_metrics,
    experience_metrics,
)
from checkoutsim.experience.rootcause import cause_label, pareto

__all__ = [
    "EXPERIENCE_COLUMNS",
    "MONEY_METRICS",
    "add_experience",
    "cause_label",
    "cost_table",
    "experience_hourly_metrics",
    "experience_metrics",
    "pareto",
    "scheduled_hours",
]
