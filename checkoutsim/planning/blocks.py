"""Metrics per staffing block, for targets that must hold "in every block".

A block's metric on one simulated day is the metric computed over the customers who **arrived**
during the block (``start <= arrival < end``), wherever and whenever they were then served: the
same functions as the hourly table (:func:`checkoutsim.results.tables.hourly_metrics` and
:func:`checkoutsim.experience.pipeline.experience_hourly_metrics`) applied to blocks instead of
clock hours. So ``wait_p90_min`` of the 16:00-19:00 block is the 90th percentile of the queue waits
of the customers served who arrived from 16:00 to 19:00 that day, and ``csat_mean`` is their
mean estimated satisfaction (balked and reneged customers included, as in the day's figure).
Time-series metrics (utilisation) and money are not per customer, so they are day targets only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from checkoutsim.experience.pipeline import experience_hourly_metrics
from checkoutsim.results.tables import SimulationResult, hourly_metrics
from checkoutsim.scenario.schema import Scenario

__all__ = ["DAY", "block_labels", "block_metrics", "day_metrics"]

DAY = "day"
"""The unit label of whole-day metrics."""


def block_labels(scenario: Scenario) -> list[str]:
    """``"HH:MM-HH:MM"`` of each staffing block, in order."""
    return [f"{b.start}-{b.end}" for b in scenario.staffing]


def block_metrics(result: SimulationResult) -> pd.DataFrame:
    """Per-replication metrics of the customers arriving in each staffing block.

    Returns
    -------
    DataFrame
        ``rep, unit, metric, value`` (``unit`` is the block label, see :func:`block_labels`).
    """
    scenario = result.scenario
    labels = block_labels(scenario)
    starts = np.array([scenario.minutes_after_open(b.start) for b in scenario.staffing])
    customers = result.customers.copy()
    index = np.searchsorted(starts, customers["arrival_min"].to_numpy(), side="right") - 1
    # The hourly functions group by ``arrival_hour``; relabel it with the arrival block.
    customers["arrival_hour"] = pd.Categorical.from_codes(
        np.clip(index, 0, len(labels) - 1).astype(np.int16), categories=labels, ordered=True
    )
    no_series = result.timeseries.iloc[0:0]
    base = hourly_metrics(customers, no_series, result.target_wait_min)
    experience = experience_hourly_metrics(scenario, customers)
    both = pd.concat([base, experience], ignore_index=True)
    return both.rename(columns={"hour": "unit"})[["rep", "unit", "metric", "value"]]


def day_metrics(result: SimulationResult) -> pd.DataFrame:
    """Per-replication whole-day metrics (scope ``all``) as ``rep, unit, metric, value``."""
    m = result.metrics()
    m = m[m["scope"] == "all"]
    return m.assign(unit=DAY)[["rep", "unit", "metric", "value"]].reset_index(drop=True)
