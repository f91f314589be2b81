"""'On an average day' next to 'on a p90 day': how much a busy day moves the headline figures.

With a day-level demand multiplier (``arrivals.day_to_day_cv > 0``) simulated days differ in
how many customers come, not only in Poisson noise. A planner then needs the figure to expect on
a bad day as well as the mean: the p90 day is the day worse than nine days in ten, i.e. the
90th percentile across simulated days of a metric where lower is better, the 10th where higher
is better (and the 90th for a metric with no better side, such as arrivals).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from rich.table import Table

from checkoutsim.report.numbers import format_estimate
from checkoutsim.results.tables import SimulationResult
from checkoutsim.scenario.metrics import direction

__all__ = [
    "DAY_SPREAD_CAPTION",
    "DAY_SPREAD_METRICS",
    "day_spread",
    "day_spread_rows",
    "day_spread_table",
]

DAY_SPREAD_CAPTION = (
    "p90 day: worse than 9 simulated days in 10 (90th percentile over days; 10th where "
    "higher is better); blank with fewer than 5 days."
)

DAY_SPREAD_METRICS: list[tuple[str, str]] = [
    ("arrivals", "Customers arriving"),
    ("wait_mean_min", "Queue wait, mean (min)"),
    ("wait_p90_min", "Queue wait, p90 (min)"),
    ("within_target_pct", "Served within target (%)"),
    ("balked", "Balked (left on seeing the line)"),
    ("reneged", "Reneged (abandoned the cart)"),
    ("attendant_response_p90_min", "Wait for attendant, p90 (min)"),
    ("csat_mean", "CSAT, mean (1-5, estimate)"),
]
"""The metrics shown for an average and a p90 day (all customers)."""


def day_spread(result: SimulationResult, quantile: float = 0.9) -> pd.DataFrame:
    """Per metric: the mean over days with its CI half-width, and the worse-side quantile day.

    Returns
    -------
    DataFrame
        ``metric, mean, half_width, p90_day, days``; ``p90_day`` is the empirical ``quantile``
        (worse side) of the per-day values, NaN when fewer than 5 days have the metric.
    """
    metrics = result.metrics()
    summary = result.summary()
    rows = []
    for metric, _ in DAY_SPREAD_METRICS:
        values = metrics.loc[
            (metrics["scope"] == "all") & (metrics["metric"] == metric), "value"
        ].to_numpy(dtype=float)
        values = values[~np.isnan(values)]
        hit = summary[(summary["scope"] == "all") & (summary["metric"] == metric)]
        if hit.empty or values.size == 0:
            continue
        q = 1.0 - quantile if direction(metric) == "higher" else quantile
        worse = float(np.quantile(values, q)) if values.size >= 5 else math.nan
        mean, half = float(hit["mean"].iloc[0]), float(hit["half_width"].iloc[0])
        rows.append((metric, mean, half, worse, values.size))
    return pd.DataFrame(rows, columns=["metric", "mean", "half_width", "p90_day", "days"])


def day_spread_rows(result: SimulationResult) -> list[tuple[str, str, str]]:
    """``(label, average day, p90 day)`` per metric, shared by the terminal and HTML."""
    labels = dict(DAY_SPREAD_METRICS)
    return [
        (
            labels[r.metric],
            format_estimate(r.mean, r.half_width, r.metric),
            format_estimate(r.p90_day, math.nan, r.metric),
        )
        for r in day_spread(result).itertuples(index=False)
    ]


def day_spread_table(result: SimulationResult) -> Table:
    """Terminal table: average day (mean ± 95% CI) and p90 day, all customers."""
    cv = result.scenario.arrivals.day_to_day_cv
    table = Table(
        title=f"Average day and p90 day (day-to-day demand CV {cv:g})",
        title_justify="left",
    )
    table.add_column("Metric", overflow="fold")
    table.add_column("Average day", justify="right", no_wrap=True)
    table.add_column("p90 day", justify="right", no_wrap=True)
    for row in day_spread_rows(result):
        table.add_row(*row)
    table.caption = DAY_SPREAD_CAPTION
    table.caption_justify = "left"
    return table
