"""The run's tables by hour (``checkoutsim run --by-hour``): staff, waits, losses, experience.

Every figure is a mean over days with its 95% interval, cut at the metric's range
(:mod:`checkoutsim.report.numbers`). What used to be one ten-column table of bare means is two
tables (service, then lost customers and busy staff) that fit 80 columns; each falls back to
intervals under their means when the terminal is narrower still.
"""

from __future__ import annotations

import math

import pandas as pd
from rich.console import Group
from rich.table import Table

from checkoutsim.report.layout import Fitted, stack
from checkoutsim.report.numbers import format_estimate
from checkoutsim.results.tables import SimulationResult
from checkoutsim.scenario.schema import Scenario, parse_time_of_day

__all__ = [
    "hourly_channels_table",
    "hourly_experience_table",
    "hourly_losses_table",
    "hourly_table",
    "staff_on_duty",
]


def staff_on_duty(scenario: Scenario, hours: list[str]) -> dict[str, str]:
    """Cashiers (regular + express), kiosks switched on and attendants in each clock hour.

    ``"4/8/2"``; a count that changes within the hour is written as its range (``"3-5/8/1"``);
    ``"-"`` for an hour no staffing block covers (the drain after closing).
    """
    blocks = [
        (
            parse_time_of_day(b.start),
            parse_time_of_day(b.end),
            (
                b.cashiers + b.express_cashiers,
                b.kiosks if b.kiosks is not None else scenario.kiosks.count,
                b.attendants,
            ),
        )
        for b in scenario.staffing
    ]
    out = {}
    for hour in hours:
        lo = int(hour[:2]) * 60
        counts = [c for start, end, c in blocks if start < lo + 60 and end > lo]
        if not counts:
            out[hour] = "-"
            continue
        parts = []
        for role in range(3):
            values = sorted({c[role] for c in counts})
            parts.append(str(values[0]) if len(values) == 1 else f"{values[0]}-{values[-1]}")
        out[hour] = "/".join(parts)
    return out


def _wide(result: SimulationResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    s = result.summary_by_hour()
    mean = s.pivot_table(index="hour", columns="metric", values="mean", observed=True)
    half = s.pivot_table(index="hour", columns="metric", values="half_width", observed=True)
    return mean, half.reindex_like(mean)


def _cells(
    mean: pd.DataFrame, half: pd.DataFrame, hour: object, metrics: list[str], stacked: bool
) -> list[str]:
    cells = [format_estimate(float(mean.at[hour, m]), float(half.at[hour, m]), m) for m in metrics]
    return stack(cells) if stacked else cells


def _hourly(
    result: SimulationResult,
    title: str,
    columns: list[tuple[str, str]],
    staff: bool = False,
    caption: str | None = None,
) -> Fitted:
    mean, half = _wide(result)
    if staff and "arrivals" in mean.columns:  # the drain after closing has no arrivals
        mean = mean[mean["arrivals"].notna()]
    present = [(m, label) for m, label in columns if m in mean.columns]
    on_duty = staff_on_duty(result.scenario, [str(h) for h in mean.index]) if staff else {}

    def build(stacked: bool) -> Table:
        table = Table(title=title, title_justify="left", caption=caption, caption_justify="left")
        table.add_column("Hour", no_wrap=True)
        if staff:
            table.add_column("On duty\nC/K/A", justify="right", no_wrap=True)
        for _, label in present:
            table.add_column(label, justify="right", no_wrap=True)
        for hour in mean.index:
            lead = [str(hour)] + ([on_duty[str(hour)]] if staff else [])
            table.add_row(*lead, *_cells(mean, half, hour, [m for m, _ in present], stacked))
        return table

    return Fitted(lambda: build(False), lambda: build(True))


def hourly_table(result: SimulationResult) -> Fitted:
    """Staff on duty, arrivals, waits and the share served within target, by hour of arrival."""
    return _hourly(
        result,
        f"{result.scenario.name} by hour: staff and service (mean ± 95% CI half-width)",
        [
            ("arrivals", "Arrivals"),
            ("wait_mean_min", "Wait mean\nmin"),
            ("wait_p90_min", "Wait p90\nmin"),
            ("within_target_pct", f"Within\n{result.target_wait_min:g} min %"),
        ],
        staff=True,
        caption="On duty: cashiers (regular + express) / kiosks switched on / attendants, from "
        "the staffing plan; a range when it changes within the hour. Utilisation after closing "
        "is the drain of the last queues.",
    )


def hourly_losses_table(result: SimulationResult) -> Fitted:
    """Customers lost and staff utilisation by hour (utilisation by the hour it happens)."""
    return _hourly(
        result,
        f"{result.scenario.name} by hour: lost customers and busy staff (mean ± 95% CI)",
        [
            ("balked", "Balked"),
            ("reneged", "Reneged"),
            ("cashiers_utilisation_pct", "Cashiers\nbusy %"),
            ("kiosks_utilisation_pct", "Kiosks\nbusy %"),
            ("attendants_utilisation_pct", "Attendants\nbusy %"),
        ],
    )


def hourly_experience_table(result: SimulationResult) -> Fitted:
    """Experience, lost sales and the largest cause of delay by hour (means per day)."""
    mean, half = _wide(result)
    columns = [
        ("perceived_wait_mean_min", "Felt wait\nmin"),
        ("csat_mean", "CSAT\n1-5"),
        ("satisfied_pct", "Satisfied\n%"),
        ("ces_mean", "CES\n1-7"),
        ("nps", "NPS"),
        ("lost_sales", f"Lost sales\n{result.scenario.costs.currency}"),
    ]
    present = [(m, label) for m, label in columns if m in mean.columns]
    rc = result.root_causes(by_hour=True)
    rc = rc[(rc["rank"] == 1) & (rc["delay_min_per_day"] > 0)]
    top = {
        str(r.hour): (
            str(r.label),
            format_estimate(r.delay_min_per_day, r.delay_min_half_width, "delay_min"),
        )
        for r in rc.itertuples(index=False)
    }
    hours = [
        h
        for h in mean.index
        # an hour with no arrivals (the drain after closing) has no experience
        if "csat_mean" not in mean.columns or not math.isnan(float(mean.at[h, "csat_mean"]))
    ]
    title = f"{result.scenario.name}: experience by hour of arrival (mean ± 95% CI half-width)"

    def build(stacked: bool, cause: bool) -> Table:
        table = Table(title=title, title_justify="left", caption_justify="left")
        table.add_column("Hour", no_wrap=True)
        for _, label in present:
            table.add_column(label, justify="right", no_wrap=True)
        if cause:
            table.add_column("Largest delay\ncustomer-min", overflow="fold")
        for hour in hours:
            cells = _cells(mean, half, hour, [m for m, _ in present], stacked)
            label, minutes = top.get(str(hour), ("", ""))
            extra = [f"{label} {minutes}" if label else ""] if cause else []
            table.add_row(str(hour), *cells, *extra)
        return table

    def causes() -> Table:
        table = Table(
            title=f"{result.scenario.name}: largest cause of delay by hour of arrival",
            title_justify="left",
        )
        table.add_column("Hour", no_wrap=True)
        table.add_column("Cause", overflow="fold")
        table.add_column("Customer-min per day", justify="right", no_wrap=True)
        for hour in hours:
            label, minutes = top.get(str(hour), ("", ""))
            table.add_row(str(hour), label, minutes)
        return table

    return Fitted(
        lambda: build(False, True),
        lambda: Group(build(False, False), causes()),
        lambda: Group(build(True, False), causes()),
    )


_CHANNEL_COLUMNS = [
    ("cashier", "wait_p90_min", "Cashier\nwait p90"),
    ("kiosk", "wait_p90_min", "Kiosk\nwait p90"),
    ("all", "attendant_response_p90_min", "Help wait\np90"),
    ("all", "attendants_utilisation_pct", "Attendants\nbusy %"),
    ("cashier", "csat_mean", "Cashier\nCSAT"),
    ("kiosk", "csat_mean", "Kiosk\nCSAT"),
]
"""(customers, metric, label): the channel split by hour; ``all`` rows come from the hourly
table (the help wait by the hour the kiosk froze, utilisation by the hour it happens)."""


def hourly_channels_table(result: SimulationResult) -> Fitted:
    """The cashier's and the kiosks' customers apart, and the help they waited for, by hour.

    The hour-by-hour view of the verdict's per-channel split: a store-wide hour can look fine
    while one cashier's line or the kiosk bank and its attendant are strained.
    """
    by_channel = result.summary_by_hour_and_channel()
    store = result.summary_by_hour().assign(customers="all")
    both = pd.concat([by_channel, store], ignore_index=True)
    both["key"] = both["customers"].astype(str) + ":" + both["metric"].astype(str)
    mean = both.pivot_table(index="hour", columns="key", values="mean", observed=True)
    half = both.pivot_table(index="hour", columns="key", values="half_width", observed=True)
    half = half.reindex_like(mean)
    present = [(f"{g}:{m}", m, label) for g, m, label in _CHANNEL_COLUMNS if f"{g}:{m}" in mean]
    # the drain after closing has no arrivals, so no row
    opened = set(store.loc[store["metric"] == "arrivals", "hour"].astype(str))
    hours = [h for h in mean.index if str(h) in opened]
    title = (
        f"{result.scenario.name} by hour: the cashier's and the kiosks' customers "
        "(mean ± 95% CI half-width)"
    )
    caption = (
        "Waits in minutes, for the customers served who arrived in the hour and chose that "
        "channel; help wait: freeze to the attendant's arrival, by the hour the kiosk froze "
        "(blank: no freeze)."
    )

    def build(stacked: bool) -> Table:
        table = Table(title=title, title_justify="left", caption=caption, caption_justify="left")
        table.add_column("Hour", no_wrap=True)
        for _, _, label in present:
            table.add_column(label, justify="right", no_wrap=True)
        for hour in hours:
            cells = [
                ""
                if math.isnan(float(mean.at[hour, key]))
                else format_estimate(float(mean.at[hour, key]), float(half.at[hour, key]), m)
                for key, m, _ in present
            ]
            table.add_row(str(hour), *(stack(cells) if stacked else cells))
        return table

    return Fitted(lambda: build(False), lambda: build(True))
