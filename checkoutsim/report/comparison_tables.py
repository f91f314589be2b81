"""Rich tables for comparisons and sweeps (terminal output of ``compare`` and ``sweep``)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table

from checkoutsim.experiments.compare import ComparisonResult
from checkoutsim.experiments.sweep import STAFF_HOURS, SweepResult
from checkoutsim.report.direction import DIRECTION_NOTE, EFFECT_STYLES, directed, effect
from checkoutsim.report.layout import Fitted, stack
from checkoutsim.report.numbers import format_difference, format_estimate
from checkoutsim.report.tables import metric_label

__all__ = [
    "comparison_overview",
    "difference_table",
    "format_p",
    "metric_label",
    "sweep_front_caption",
    "sweep_table",
]


def format_p(p: float) -> str:
    """A p-value for a table: ``<0.001``, or three decimals."""
    if p is None or math.isnan(p):
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def comparison_overview(result: ComparisonResult, metrics: Sequence[str], scope: str) -> Fitted:
    """Every plan side by side: mean ± CI half-width per metric (intervals under the means
    when the plans do not fit side by side on one line)."""
    title = (
        f"{len(result.plans)} plans, {result.replications} simulated days each; "
        f"{result.customers_note()} (scope: {scope}; mean ± {result.level:.0%} CI "
        "half-width)"
    )
    s = result.summary[result.summary["scope"] == scope]
    lookup = {(r.scenario, r.metric): (r.mean, r.half_width) for r in s.itertuples(index=False)}
    rows = [
        (
            directed(metric_label(metric), metric),
            [
                format_estimate(*lookup.get((p, metric), (math.nan, math.nan)), metric)
                for p in result.plans
            ],
        )
        for metric in metrics
    ]

    def build(plans: list[str], stacked: bool, part: str = "") -> Table:
        table = Table(
            title=title + part,
            title_justify="left",
            caption=DIRECTION_NOTE + ".",
            caption_justify="left",
        )
        # 22 columns: no label is cut to more than two lines
        table.add_column("Metric", overflow="fold", min_width=22)
        columns = [result.plans.index(p) for p in plans]
        for i, plan in zip(columns, plans, strict=True):
            cells = [stack([c[i]])[0] if stacked else c[i] for _, c in rows]
            width = max(8, *(len(line) for c in cells for line in c.split("\n")))
            name = plan + (" (base)" if plan == result.base else "")
            # A plan's name is broken over lines rather than cut: it is the column's only key.
            table.add_column(escape(_header(name, width)), justify="right", no_wrap=True)
        for label, cells in rows:
            picked = [cells[i] for i in columns]
            table.add_row(label, *(stack(picked) if stacked else picked))
        return table

    def chunked(size: int) -> Group:
        """The base and ``size`` other plans a table, intervals under the means."""
        others = [p for p in result.plans if p != result.base]
        parts = [others[i : i + size] for i in range(0, len(others), size)]
        return Group(
            *(
                build([result.base, *part], True, f" [{n + 1}/{len(parts)}]")
                for n, part in enumerate(parts)
            )
        )

    layouts: list[Callable[[], RenderableType]] = [
        lambda: build(list(result.plans), False),
        lambda: build(list(result.plans), True),
    ]
    layouts += [partial(chunked, k) for k in range(len(result.plans) - 2, 0, -1)]
    return Fitted(*layouts)


def _header(name: str, width: int) -> str:
    """A column title on lines of at most ``width`` characters, broken after ``_ - `` or space
    where it can be."""
    lines = []
    rest = name
    while len(rest) > width:
        cut = max(rest.rfind(ch, 0, width) for ch in "_- ") + 1
        cut = cut if cut > 0 else width
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    lines.append(rest)
    return "\n".join(lines)


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
            "* the interval excludes 0: green better, red worse "
            f"({DIRECTION_NOTE}); s: a tiny difference of minutes, in seconds."
        ),
        title_justify="left",
        caption_justify="left",
    )
    # The label is the only column that wraps: figures, interval ends and the * never get cut.
    table.add_column("Metric", overflow="fold")
    table.add_column("Difference", justify="right", no_wrap=True)
    table.add_column(f"{level_adj:.1%} interval", justify="right", no_wrap=True)
    table.add_column("p", justify="right", no_wrap=True)
    for metric in metrics:
        if metric not in d.index:
            continue
        row = d.loc[metric]
        diff, interval = format_difference(
            float(row["diff_mean"]),
            float(row["diff_low"]),
            float(row["diff_high"]),
            metric,
            scale=float(row["base_mean"]),
        )
        style = EFFECT_STYLES[effect(metric, float(row["diff_low"]), float(row["diff_high"]))]
        table.add_row(
            directed(metric_label(metric), metric),
            _styled(diff, style),
            _styled(interval, style),
            format_p(float(row["p_value"])) + (" [bold]*[/]" if bool(row["significant"]) else "  "),
        )
    return table


def sweep_table(result: SweepResult, metrics: Sequence[str]) -> Fitted:
    """A sweep's points: factor values, staff hours, metric means ± half-widths, Pareto mark.

    One table when it fits the terminal; otherwise the plans (factor values, staff hours) and
    their results (metrics, Pareto mark) as two tables, intervals under the means if needed.
    """
    sweep = result.sweep
    r = result.results
    title = (
        f"{sweep.name}: {len(sweep.points)} plans x {sweep.replications} days, seed "
        f"{sweep.seed} (mean ± 95% CI half-width)"
    )
    caption = sweep_front_caption(result)
    plans = [str(r.iloc[i]["point"]) for i in range(len(r))]
    factors = [[escape(_value(r.iloc[i][f])) for f in sweep.factors] for i in range(len(r))]
    hours = [f"{float(r.iloc[i][STAFF_HOURS]):g}" for i in range(len(r))]
    values = []
    for i in range(len(r)):
        row = r.iloc[i]
        cells = []
        for metric in metrics:
            mean = float(row.get(f"{metric}_mean", math.nan))
            low = float(row.get(f"{metric}_ci_low", math.nan))
            cells.append(format_estimate(mean, mean - low, metric))
        values.append(cells)
    marks = [_front_mark(r.iloc[i]) for i in range(len(r))]

    def whole() -> Table:
        table = Table(title=title, caption=caption, title_justify="left", caption_justify="left")
        table.add_column("Plan", no_wrap=True)
        for factor in sweep.factors:
            table.add_column(escape(factor), justify="right", overflow="fold")
        table.add_column("Staff hours", justify="right")
        for metric in metrics:
            table.add_column(metric, justify="right", no_wrap=True)
        table.add_column("Pareto", justify="center")
        for i in range(len(r)):
            table.add_row(plans[i], *factors[i], hours[i], *values[i], marks[i])
        return table

    def split(stacked: bool) -> Group:
        short = _short_factor_names(sweep.factors)
        key = "; ".join(
            f"{s} = {escape(f)}" for s, f in zip(short, sweep.factors, strict=True) if s != f
        )
        first = Table(
            title=f"{sweep.name}: {len(sweep.points)} plans",
            caption=f"Factors: {key}." if short != list(sweep.factors) else None,
            title_justify="left",
            caption_justify="left",
        )
        first.add_column("Plan", no_wrap=True)
        for name in short:
            first.add_column(escape(name), justify="right", overflow="fold")
        first.add_column("Staff\nhours", justify="right", no_wrap=True)
        for i in range(len(r)):
            first.add_row(plans[i], *factors[i], hours[i])
        second = Table(title=title, caption=caption, title_justify="left", caption_justify="left")
        second.add_column("Plan", no_wrap=True)
        for metric in metrics:
            second.add_column(metric.replace("_", " "), justify="right", no_wrap=True)
        second.add_column("Pareto", justify="center", no_wrap=True)
        for i in range(len(r)):
            cells = stack(values[i]) if stacked else values[i]
            second.add_row(plans[i], *cells, marks[i])
        return Group(first, second)

    return Fitted(whole, lambda: split(False), lambda: split(True))


def _short_factor_names(factors: Sequence[str]) -> list[str]:
    """``staffing[start=16:00].cashiers`` -> ``cashiers 16:00``; ``kiosks.count`` as is.

    The last key names what changes and the selector which element; the full path when two
    factors would get the same name.
    """
    out = []
    for factor in factors:
        last = re.split(r"[.\]]", factor)[-1] or factor
        selectors = [sel.split("=")[-1] for sel in re.findall(r"\[([^\]]*)\]", factor)]
        out.append(f"{last} {' '.join(selectors)}" if selectors else factor)
    return out if len(set(out)) == len(out) else list(factors)


def _front_mark(row: Any) -> str:
    status = row.get("pareto_status")
    if status == "front":
        return "[bold green]●[/]"
    if status == "not distinguishable":
        return f"≈ {escape(str(row['pareto_reference']))}"
    return ""


def sweep_front_caption(result: SweepResult) -> str:
    """What the Pareto marks mean: the rule, the objectives and the confidence level."""
    objectives = ", ".join(
        [f"min {m}" for m in result.minimise] + [f"max {m}" for m in result.maximise]
    )
    marks = result.marks
    noisy = ", ".join(marks.noisy) or "none"
    return (
        f"● on the Pareto front ({objectives}): no other plan is at least as good on every "
        f"objective and significantly better on one, judged on paired differences (common "
        f"random numbers) at {marks.level:.0%} family-wise confidence (Bonferroni over "
        f"{marks.comparisons:,} comparisons, plan pairs x objectives that vary from day to "
        f"day ({noisy}): each interval at {marks.level_adjusted:.4%}). "
        "≈ pNN: not distinguishable from front plan pNN (every difference inside its interval)."
    )


def _styled(text: str, style: str) -> str:
    """``text`` in rich markup ``style`` (unchanged when the style is empty)."""
    return f"[{style}]{text}[/]" if style else text


def _value(value: object) -> str:
    if isinstance(value, float):
        return "-" if math.isnan(value) else f"{value:g}"
    return "-" if value is None else str(value)
