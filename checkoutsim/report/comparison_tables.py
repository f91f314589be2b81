"""Rich tables for comparisons and sweeps (terminal output of ``compare`` and ``sweep``)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from rich.markup import escape
from rich.table import Table

from checkoutsim.experiments.compare import ComparisonResult
from checkoutsim.experiments.sweep import STAFF_HOURS, SweepResult
from checkoutsim.report.direction import DIRECTION_NOTE, EFFECT_STYLES, directed, effect
from checkoutsim.report.tables import format_estimate, metric_label

__all__ = [
    "comparison_overview",
    "difference_table",
    "format_p",
    "metric_label",
    "sweep_table",
]


def _digits(value: float) -> int:
    a = abs(value)
    return 0 if a >= 100 else (1 if a >= 10 else 2)


def _signed(value: float, digits: int) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{value:+,.{digits}f}"


def _diff_digits(row: pd.Series) -> int:
    """Decimals for a difference: enough for two significant figures of its half-width."""
    scale = max(abs(float(row["base_mean"])), abs(float(row["plan_mean"])))
    digits = _digits(scale) if not math.isnan(scale) else 2
    half = float(row["half_width"])
    if math.isfinite(half) and half > 0:
        digits = max(digits, min(4, 1 - math.floor(math.log10(half))))
    return digits


def format_p(p: float) -> str:
    """A p-value for a table: ``<0.001``, or three decimals."""
    if p is None or math.isnan(p):
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def comparison_overview(result: ComparisonResult, metrics: Sequence[str], scope: str) -> Table:
    """Every plan side by side: mean ± CI half-width per metric."""
    table = Table(
        title=(
            f"{len(result.plans)} plans, {result.replications} simulated days each; "
            f"{result.customers_note()} (scope: {scope}; mean ± {result.level:.0%} CI "
            "half-width)"
        ),
        title_justify="left",
    )
    table.add_column("Metric")
    for plan in result.plans:
        table.add_column(plan + (" (base)" if plan == result.base else ""), justify="right")
    s = result.summary[result.summary["scope"] == scope]
    lookup = {(r.scenario, r.metric): (r.mean, r.half_width) for r in s.itertuples(index=False)}
    for metric in metrics:
        cells = [
            format_estimate(*lookup.get((p, metric), (math.nan, math.nan))) for p in result.plans
        ]
        table.add_row(directed(metric_label(metric), metric), *cells)
    table.caption = DIRECTION_NOTE + "."
    table.caption_justify = "left"
    return table


def difference_table(
    result: ComparisonResult, plan: str, metrics: Sequence[str], scope: str
) -> Table:
    """One plan against the base: paired difference, its interval, p-value, significance."""
    d = result.differences
    d = d[(d["scenario"] == plan) & (d["scope"] == scope)].set_index("metric")
    level_adj = float(d["level_adjusted"].iloc[0]) if len(d) else result.level
    table = Table(
        title=f"{plan} − {result.base} (paired over {result.replications} days, scope {scope})",
        caption=(
            f"Plan minus base; {level_adj:.1%} intervals (Bonferroni for "
            f"{result.comparisons} comparison(s) with the base: {result.level:.0%} together); "
            f"* the interval excludes 0: green better, red worse ({DIRECTION_NOTE})."
        ),
        title_justify="left",
        caption_justify="left",
    )
    table.add_column("Metric", no_wrap=True)
    table.add_column("Difference", justify="right", no_wrap=True)
    table.add_column(f"{level_adj:.1%} interval", justify="right", no_wrap=True)
    table.add_column("p", justify="right", no_wrap=True)
    for metric in metrics:
        if metric not in d.index:
            continue
        row = d.loc[metric]
        digits = _diff_digits(row)
        interval = (
            f"[{_signed(row['diff_low'], digits)}, {_signed(row['diff_high'], digits)}]"
            if not pd.isna(row["diff_low"])
            else "-"
        )
        style = EFFECT_STYLES[effect(metric, float(row["diff_low"]), float(row["diff_high"]))]
        table.add_row(
            directed(metric_label(metric), metric),
            _styled(_signed(float(row["diff_mean"]), digits), style),
            _styled(interval, style),
            format_p(float(row["p_value"])) + (" [bold]*[/]" if bool(row["significant"]) else "  "),
        )
    return table


def sweep_table(result: SweepResult, metrics: Sequence[str]) -> Table:
    """A sweep's points: factor values, staff hours, metric means ± half-widths, Pareto mark."""
    sweep = result.sweep
    r = result.results
    objectives = ", ".join(
        [f"min {m}" for m in result.minimise] + [f"max {m}" for m in result.maximise]
    )
    table = Table(
        title=(
            f"{sweep.name}: {len(sweep.points)} plans x {sweep.replications} days, seed "
            f"{sweep.seed} (mean ± 95% CI half-width)"
        ),
        caption=f"● Pareto-efficient on {objectives} (means).",
        title_justify="left",
        caption_justify="left",
    )
    table.add_column("Plan", no_wrap=True)
    for factor in sweep.factors:
        table.add_column(escape(factor), justify="right", overflow="fold")
    table.add_column("Staff hours", justify="right")
    for metric in metrics:
        table.add_column(metric, justify="right", overflow="fold")
    table.add_column("Pareto", justify="center")
    for i in range(len(r)):
        row = r.iloc[i]
        cells = [str(row["point"])]
        cells += [escape(_value(row[f])) for f in sweep.factors]
        cells.append(f"{float(row[STAFF_HOURS]):g}")
        for metric in metrics:
            mean = float(row.get(f"{metric}_mean", math.nan))
            low = float(row.get(f"{metric}_ci_low", math.nan))
            cells.append(format_estimate(mean, mean - low))
        cells.append("[bold green]●[/]" if bool(row["pareto"]) else "")
        table.add_row(*cells)
    return table


def _styled(text: str, style: str) -> str:
    """``text`` in rich markup ``style`` (unchanged when the style is empty)."""
    return f"[{style}]{text}[/]" if style else text


def _value(value: object) -> str:
    if isinstance(value, float):
        return "-" if math.isnan(value) else f"{value:g}"
    return "-" if value is None else str(value)
