"""Rich tables of a result for the terminal."""

from __future__ import annotations

import math

from rich.table import Table

from checkoutsim.experience.costs import CHURN_METRICS, MONEY_METRICS
from checkoutsim.report.direction import DIRECTION_NOTE, directed
from checkoutsim.report.numbers import format_estimate
from checkoutsim.results.tables import SimulationResult

__all__ = [
    "EXPERIENCE_METRICS",
    "HEADLINE_METRICS",
    "format_estimate",
    "metric_label",
    "root_cause_table",
    "summary_sections",
    "summary_table",
]

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
    ("cashier_break_min", "Cashiers on break (staff-min, off duty)"),
    ("attendant_break_min", "Attendants on break (staff-min, off duty)"),
    ("kiosk_outages", "Kiosk outages (faults)"),
    ("kiosk_out_of_order_min", "Kiosks out of order (kiosk-min)"),
    ("attendant_repair_min", "Attendant time on faults (min)"),
]


EXPERIENCE_METRICS: list[tuple[str, str]] = [
    ("perceived_wait_mean_min", "Perceived wait, mean (felt min)"),
    ("overtaken_per_customer", "Overtaken in line (per customer)"),
    ("switched_pct", "Pushed to the other channel (%)"),
    ("csat_mean", "CSAT, mean (1-5, estimate)"),
    ("satisfied_pct", "Satisfied, CSAT 4-5 (%)"),
    ("ces_mean", "Customer Effort Score, mean (1-7, 7 = easy)"),
    ("nps", "NPS (% promoters - % detractors)"),
    ("promoters_pct", "Promoters (%)"),
    ("detractors_pct", "Detractors (%)"),
    ("coupons_used", "Coupons handed out"),
    ("coupon_csat_effect", "Coupon effect on mean CSAT (points)"),
    ("coupon_nps_effect", "Coupon effect on NPS (points)"),
]
"""Experience metrics of the summary table (``docs/satisfaction.md``)."""

_LABELS = {
    **dict(HEADLINE_METRICS),
    **dict(EXPERIENCE_METRICS),
    **dict(MONEY_METRICS),
    **dict(CHURN_METRICS),
    "staff_hours": "Scheduled staff hours (h per day)",
    "floater_hours": "Floater hours on a lane (h per day)",
    "lost_customers": "Customers lost (balked + reneged)",
}
_MONEY = frozenset(name for name, _ in MONEY_METRICS)


def metric_label(metric: str, currency: str | None = None) -> str:
    """A readable label, with unit, for a metric name (the name itself when unknown).

    Money metrics get the currency (per day) when it is given.
    """
    label = _LABELS.get(metric, metric)
    if currency and metric in _MONEY:
        label = f"{label} ({currency} per day)"
    return label


CUT_NOTE = "mean \\[low, high]: an interval cut where the metric ends (no count below 0)."

SCOPES = ("all", "cashier", "kiosk")
"""Columns of the summary: all customers, then by channel."""

SummaryRow = tuple[str, str, str, str]


def summary_sections(result: SimulationResult) -> list[tuple[str, list[SummaryRow]]]:
    """The run summary as ``(section, rows)``, shared by the terminal table and the HTML report.

    Sections are ``"headline"``, ``"experience"`` and ``"money"``; each row is a label and
    ``mean ± 95% CI half-width`` for all customers, cashier and kiosk (blank where a metric has
    no per-channel figure). Rows with no figure at all are left out.
    """
    s = result.summary()
    lookup = {(r.scope, r.metric): (r.mean, r.half_width) for r in s.itertuples(index=False)}

    def rows(metrics: list[tuple[str, str]], scopes: tuple[str, ...]) -> list[SummaryRow]:
        out: list[SummaryRow] = []
        for metric, label in metrics:
            a, c, k = (
                format_estimate(*lookup.get((scope, metric), (math.nan, math.nan)), metric)
                if scope in scopes
                else ""
                for scope in SCOPES
            )
            if {a, c, k} <= {"-", ""}:
                continue
            out.append((directed(label, metric), a, c, k))
        return out

    return [
        ("headline", rows(HEADLINE_METRICS, SCOPES)),
        ("experience", rows(EXPERIENCE_METRICS, SCOPES)),
        ("money", rows(MONEY_METRICS, ("all",))),
    ]


def summary_table(result: SimulationResult) -> Table:
    """Headline metrics overall and by channel, mean ± 95% CI half-width over replications."""
    table = Table(
        title=(
            f"{result.scenario.name}: {result.replications} simulated day(s), seed {result.seed}"
            f" (mean ± 95% CI half-width; target wait {result.target_wait_min:g} min)"
        ),
        title_justify="left",
    )
    table.add_column("Metric", overflow="fold")
    for scope in SCOPES:
        # Figures never wrap (an interval split over lines loses its end at 80 columns); the
        # labels wrap instead.
        label = scope.capitalize() if scope != "all" else "All"
        table.add_column(label, justify="right", no_wrap=True)
    headings = {
        "experience": "[bold]Experience[/] (estimates)",
        "money": f"[bold]Money[/] ({result.scenario.costs.currency} per day)",
    }
    for section, rows in summary_sections(result):
        if section in headings:
            table.add_section()
            table.add_row(headings[section], "", "", "")
        for row in rows:
            table.add_row(*row)
    table.caption = (
        f"{DIRECTION_NOTE}. Experience figures are estimates from assumed curves; * at risk: "
        "share of detractors x churn % x annual sales (each shopper counted once a year), per "
        "open day; † operating cost + lost margin + shrink + rescans. See docs/satisfaction.md. "
        + CUT_NOTE
    )
    table.caption_justify = "left"
    return table


def root_cause_table(result: SimulationResult, top: int = 8) -> Table:
    """The largest causes of delay and dissatisfaction (per simulated day, Pareto order)."""
    rc = result.root_causes()
    rc = rc[(rc["delay_min_per_day"] > 0) | (rc["csat_points_lost_per_day"] != 0)].head(top)
    currency = result.scenario.costs.currency
    table = Table(
        title=f"{result.scenario.name}: root causes of friction, per day (largest delay first)",
        title_justify="left",
    )
    # Short two-line headers and figures that never wrap: at 80 columns the cause is the only
    # column that wraps, onto two lines at most.
    table.add_column("Cause", overflow="fold")
    for name in ("Delay\nmin", "\n%", "Cum\n%", "Felt\nmin", "CSAT\npts lost", f"Lost\n{currency}"):
        table.add_column(name, justify="right", no_wrap=True)
    for r in rc.itertuples(index=False):
        lost = r.lost_sales_per_day
        table.add_row(
            str(r.label),
            format_estimate(r.delay_min_per_day, r.delay_min_half_width, "delay_min")
            if r.delay_min_per_day > 0
            else "0",
            format_estimate(r.delay_pct),
            format_estimate(r.delay_cum_pct),
            format_estimate(r.felt_min_per_day),
            format_estimate(r.csat_points_lost_per_day),
            format_estimate(lost) if lost > 0 else "",
        )
    return table
