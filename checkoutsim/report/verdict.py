"""The verdict block that opens a run's summary, for the terminal and as HTML table rows.

The judging is :func:`checkoutsim.results.verdict.run_verdict`; this module only words it: one
line per target (met, breached, cannot tell), the hours that breach it or cannot be told, the
worst hour with its figure, and the day's figure. Hours are written as spans
(``16:00-19:00`` = the hours of arrival 16, 17 and 18).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text

from checkoutsim.report.direction import STATUS_STYLES, Styled, css_class
from checkoutsim.report.tables import format_estimate
from checkoutsim.results.verdict import Status, TargetCheck, UnitCheck, Verdict

__all__ = [
    "hour_spans",
    "verdict_headline",
    "verdict_hour_rows",
    "verdict_rows",
    "verdict_table",
]

_SYMBOLS: dict[str, str] = {"met": "✓", "breached": "✗", "cannot tell": "?", "no data": "-"}

_SOURCES = {
    "--target": "",
    "scenario": "",
    "default": " (default: run.target_wait_min; set targets: in the scenario or --target)",
}

RULE = (
    "met / breached: the whole {level:.0%} interval over days is on that side of the target; "
    "cannot tell: it straddles the target (more days would decide). The day and each hour of "
    "arrival are judged on their own."
)


def hour_spans(hours: Sequence[str]) -> str:
    """``["16:00", "17:00", "19:00"]`` -> ``"16:00-18:00, 19:00-20:00"`` (end exclusive)."""
    numbers = sorted(int(h[:2]) for h in hours)
    spans: list[tuple[int, int]] = []
    for h in numbers:
        if spans and spans[-1][1] == h:
            spans[-1] = (spans[-1][0], h + 1)
        else:
            spans.append((h, h + 1))
    return ", ".join(f"{a:02d}:00-{b:02d}:00" for a, b in spans)


def _figure(unit: UnitCheck, nbsp: bool = False) -> str:
    text = format_estimate(unit.mean, unit.half_width)
    # In the terminal a figure never breaks over two lines.
    return text.replace(" ± ", "\u00a0±\u00a0") if nbsp else text


def verdict_headline(verdict: Verdict) -> str:
    """``"1 of 2 targets breached, 1 cannot tell"`` (or ``"all 2 targets are met"``)."""
    total = len(verdict.checks)
    counts = {s: sum(c.status == s for c in verdict.checks) for s in _SYMBOLS}
    if counts["met"] == total:
        return f"{'the target is' if total == 1 else f'all {total} targets are'} met"
    present = [s for s in ("breached", "cannot tell", "met", "no data") if counts[s]]
    first, rest = present[0], present[1:]
    parts = [f"{counts[first]} of {total} target{'s' if total > 1 else ''} {first}"]
    parts += [f"{counts[s]} {s}" for s in rest]
    return ", ".join(parts)


def _detail(check: TargetCheck) -> list[str]:
    """The day, the worst hour and the hours behind a target's status, one line each."""
    worst = check.worst_hour
    first = f"day {_figure(check.day, True)} {check.day.status}"
    if worst is not None:
        first += f"; worst hour {worst.unit}: {_figure(worst, True)} {worst.status}"
    lines = [first]
    n_hours = sum(h.status != "no data" for h in check.hours)
    for status in ("breached", "cannot tell"):
        hours = check.hours_with(status)
        if hours:
            spans = hour_spans([h.unit for h in hours])
            lines.append(f"{status} in {len(hours)} of {n_hours} hours: {spans}")
    met = [h.unit for h in check.hours_with("met")]
    if n_hours and len(met) == n_hours:
        lines.append(f"met in all {n_hours} hours")
    elif met:
        lines.append(f"met in {len(met)} of {n_hours} hours: {hour_spans(met)}")
    return lines


def verdict_table(verdict: Verdict) -> Group:
    """The verdict for the terminal: a headline, one line per target, the decision rule."""
    status = verdict.status
    head = Text.assemble(
        ("Verdict: ", "bold"),
        (verdict_headline(verdict), STATUS_STYLES[status]),
        f" ({verdict.scenario}, {verdict.replications} simulated day(s); mean ± "
        f"{verdict.level:.0%} CI half-width)",
    )
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for check in verdict.checks:
        style = STATUS_STYLES[check.status]
        line = Text.assemble(
            (f"{check.target.metric} {check.target.op} {check.target.value:g}", "bold"),
            ": ",
            (check.status, style),
            _SOURCES[check.source],
            *(f"\n{line}" for line in _detail(check)),
        )
        grid.add_row(Text(_SYMBOLS[check.status], style=style), line)
    rule = Text(RULE.format(level=verdict.level), style="dim")
    return Group(head, grid, rule, Text(""))


def _status_cell(status: Status, text: str | None = None) -> Styled:
    return Styled(text if text is not None else status, css_class(status))


def verdict_rows(verdict: Verdict) -> tuple[list[str], list[tuple[object, ...]]]:
    """Headers and rows of the HTML verdict table: one row per target."""
    headers = ["Target", "Verdict", "Day", "Hours breached", "Hours cannot tell", "Worst hour"]
    rows: list[tuple[object, ...]] = []
    for check in verdict.checks:
        worst = check.worst_hour
        rows.append(
            (
                f"{check.target.metric} {check.target.op} {check.target.value:g}"
                + (" (default)" if check.source == "default" else ""),
                _status_cell(check.status, f"{_SYMBOLS[check.status]} {check.status}"),
                _status_cell(check.day.status, f"{_figure(check.day)} {check.day.status}"),
                hour_spans([h.unit for h in check.hours_with("breached")]) or "none",
                hour_spans([h.unit for h in check.hours_with("cannot tell")]) or "none",
                _status_cell(worst.status, f"{worst.unit}: {_figure(worst)}")
                if worst is not None
                else "-",
            )
        )
    return headers, rows


def verdict_hour_rows(verdict: Verdict) -> tuple[list[str], list[tuple[object, ...]]]:
    """Headers and rows of the HTML hour-by-target table: each cell coloured by its status."""
    headers = ["Hour", *(str(c.target) for c in verdict.checks)]
    hours = sorted({h.unit for c in verdict.checks for h in c.hours})
    lookup = {(i, h.unit): h for i, c in enumerate(verdict.checks) for h in c.hours}
    rows: list[tuple[object, ...]] = []
    for hour in hours:
        cells: list[object] = [hour]
        for i in range(len(verdict.checks)):
            unit = lookup.get((i, hour))
            if unit is None or math.isnan(unit.mean):
                cells.append("-")
            else:
                cells.append(_status_cell(unit.status, f"{_figure(unit)} {_SYMBOLS[unit.status]}"))
        rows.append(tuple(cells))
    return headers, rows
