"""Rich tables of a result for the terminal."""

from __future__ import annotations

import math

from rich.table import Table

from checkoutsim.results import SimulationResult

__all__ = ["HEADLINE_METRICS", "format_estimate", "hourly_table", "summary_table"]

HEADLINE_METRICS: list[tuple[str, str]] = [
    ("arrivals", "Customers arriving"),
    ("served", "Served"),
    ("balked", "Balked (left on seeing the line)"),
    ("reneged", "Reneged (abandoned the cart)"),
    ("abandoned_items", "Items in abandoned baskets"),
    ("wait_mean_min", "Queue wait, mean (min)"),
    ("wait_p50_min", "Queue wait, median (min)"),
    ("wait_p90_min", "Queue wait, p90 (min)"),
    ("wait_p95_min", "Queue wait, p95 (min)"),
    ("wait_max_min", "Queue wait, max (min)"),
    ("within_target_pct", "Served within target (%)"),
    ("assisted_pct", "Kiosk visits needing help (%)"),
    ("assists_per_customer", "Assists per served customer"),
    ("attendant_response_mean_min", "Wait for attendant, mean (min)"),
    ("attendant_response_p90_min", "Wait for attendant, p90 (min)"),
    ("cashiers_utilisation_pct", "Cashier utilisation (%)"),
    ("kiosks_utilisation_pct", "Kiosk utilisation (%)"),
    ("attendants_utilisation_pct", "Attendant utilisation (%)"),
]


def format_estimate(mean: float, half_width: float) -> str:
    """``mean ± half-width`` with sensible precision; blank for a missing value."""
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "-"
    digits = 0 if abs(mean) >= 100 else (1 if abs(mean) >= 10 else 2)
    text = f"{mean:,.{digits}f}"
    if half_width is not None and not math.isnan(half_width):
        text += f" ± {half_width:,.{digits}f}"
    return text


def summary_table(result: SimulationResult) -> Table:
    """Headline metrics overall and by channel, mean ± 95% CI half-width over replications."""
    s = result.summary()
    table = Table(
        title=(
            f"{result.scenario.name}: {result.replications} simulated day(s), seed {result.seed}"
            f" (mean ± 95% CI half-width; target wait {result.target_wait_min:g} min)"
        ),
        title_justify="left",
    )
    table.add_column("Metric")
    for scope in ("all", "cashier", "kiosk"):
        table.add_column(scope.capitalize() if scope != "all" else "All", justify="right")
    lookup = {(r.scope, r.metric): (r.mean, r.half_width) for r in s.itertuples(index=False)}
    for metric, label in HEADLINE_METRICS:
        cells = []
        for scope in ("all", "cashier", "kiosk"):
            mean, hw = lookup.get((scope, metric), (math.nan, math.nan))
            cells.append(format_estimate(mean, hw))
        if all(c == "-" for c in cells):
            continue
        table.add_row(label, *cells)
    return table


def hourly_table(result: SimulationResult) -> Table:
    """Main metrics by hour of arrival (means over replications)."""
    s = result.summary_by_hour()
    wide = s.pivot_table(index="hour", columns="metric", values="mean", observed=True)
    columns = [
        ("arrivals", "Arrivals"),
        ("wait_mean_min", "Wait mean"),
        ("wait_p90_min", "Wait p90"),
        ("within_target_pct", "In target %"),
        ("reneged", "Reneged"),
        ("balked", "Balked"),
        ("cashiers_utilisation_pct", "Cashier util %"),
        ("kiosks_utilisation_pct", "Kiosk util %"),
        ("attendants_utilisation_pct", "Attendant util %"),
    ]
    table = Table(title=f"{result.scenario.name} by hour (means)", title_justify="left")
    table.add_column("Hour")
    present = [(m, label) for m, label in columns if m in wide.columns]
    for _, label in present:
        table.add_column(label, justify="right")
    for hour, row in wide.iterrows():
        table.add_row(str(hour), *(format_estimate(row[m], math.nan) for m, _ in present))
    return table
