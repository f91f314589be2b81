"""Writing and showing a roster: files (atomic, manifest last), rich tables, a Gantt figure."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
from rich.table import Table

from checkoutsim.planning.roster import RosterResult
from checkoutsim.report.numbers import format_estimate
from checkoutsim.results.folder import ResultsFolder, writing_into, written_by

__all__ = [
    "check_table",
    "cost_table",
    "gantt_figure",
    "roster_report",
    "roster_yaml",
    "shift_table",
    "write_roster",
]

_ROLE_COLOURS = {"cashier": "#0072B2", "attendant": "#009E73", "floater": "#CC79A7"}
"""Cashiers blue and attendants green as in every other figure (Okabe-Ito); floaters purple."""

_VERDICT_STYLE = {"met": "green", "borderline": "yellow", "missed": "bold red", "n/a": "dim"}


def roster_yaml(result: RosterResult) -> str:
    """The roster as YAML: per day type, one mapping a shift (role, start, end, break)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Quoted

    # Times quoted, as in scenario files: a YAML 1.1 reader turns a bare 08:00 into 480.
    doc: dict[str, Any] = {"roster": {}}
    for day in result.week.days:
        rows = result.shifts[result.shifts["day"] == day]
        doc["roster"][day] = [
            {
                "role": r.role,
                "start": Quoted(r.start),
                "end": Quoted(r.end),
                "break": (Quoted(f"{r.break_start}-{r.break_end}") if r.break_start else None),
                "paid_break": bool(r.paid_break),
            }
            for r in rows.itertuples(index=False)
        ]
    yaml = YAML()
    yaml.default_flow_style = None
    yaml.width = 200
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    return buffer.getvalue()


def staffing_yaml(result: RosterResult) -> str:
    """Each day type's ``staffing:`` (staff on shift) and ``breaks:`` as the roster is worked
    (times quoted)."""
    lines = []
    for day, rows in result.staffing.items():
        lines.append(f"{day}:")
        lines.append("  staffing:")
        for r in rows:
            kiosks = "null" if r["kiosks"] is None else str(r["kiosks"])
            lines.append(
                f'    - {{start: "{r["start"]}", end: "{r["end"]}", cashiers: {r["cashiers"]}, '
                f"express_cashiers: {r['express_cashiers']}, attendants: {r['attendants']}, "
                f"kiosks: {kiosks}}}"
            )
        day_breaks = result.breaks.get(day, [])
        if day_breaks:
            lines.append("  breaks:")
        for b in day_breaks:
            lane = f"lane: {b['lane']}, " if "lane" in b else ""
            lines.append(
                f'    - {{role: {b["role"]}, {lane}start: "{b["start"]}", '
                f"length_min: {b['length_min']}, paid: {str(b['paid']).lower()}}}"
            )
    return "\n".join(lines) + "\n"


def write_roster(
    result: RosterResult,
    out: Path | ResultsFolder,
    *,
    command: str | None = None,
    figure: bool = True,
) -> list[Path]:
    """Write the roster and its tables; describe them in the manifest (written last).

    Files: ``roster.csv`` and ``roster.yaml`` (one shift a row: role, day, start, end, break),
    ``costs.csv`` (by day and role), ``requirement.csv`` (per block per day type, with what
    the as-worked rounds raised), ``check.csv`` (fresh check per block and target, with CIs),
    ``staffing.yaml`` (each day type's staffing as worked) and ``gantt.png``.
    """
    with writing_into(out, command) as folder:
        folder.write_text("roster.csv", result.shifts.to_csv(index=False))
        folder.write_text("roster.yaml", roster_yaml(result))
        folder.write_text("costs.csv", result.costs.to_csv(index=False))
        folder.write_text("requirement.csv", result.requirement.to_csv(index=False))
        folder.write_text("check.csv", result.check.to_csv(index=False))
        folder.write_text("staffing.yaml", staffing_yaml(result))
        if figure and len(result.shifts):
            fig = gantt_figure(result)
            folder.write("gantt.png", lambda handle: fig.savefig(handle, format="png", dpi=110))
        folder.describe(
            command_name="roster",
            week=result.week.name,
            day_types=list(result.week.days),
            targets=[str(t) for t in result.targets],
            seeds=result.seeds,
            replications=result.replications,
            check_replications=result.check_replications,
            roster_cost=round(result.roster_cost, 2),
            block_cost=round(result.block_cost, 2),
            ip_gap=result.ip_gap,
            rounds=result.rounds,
            holds=result.holds,
            elapsed_s=round(result.elapsed_s, 2),
        )
    return written_by(folder, out)


def shift_table(result: RosterResult) -> Table:
    """Shifts per day type and role: how many, and their start times."""
    table = Table(title="Roster: shifts by day type and role", title_justify="left")
    for name in ("Day", "Role", "Shifts", "Hours", "Starts"):
        table.add_column(name, justify="right" if name in ("Shifts", "Hours") else "left")
    for (day, role), g in result.shifts.groupby(["day", "role"], sort=False):
        starts = ", ".join(f"{s}x{n}" for s, n in g["start"].value_counts().sort_index().items())
        table.add_row(str(day), str(role), str(len(g)), f"{g['paid_hours'].sum():g}", starts)
    return table


def cost_table(result: RosterResult) -> Table:
    """Cost by day type and role, with the week's total."""
    wide = result.costs.pivot_table(
        index="day", columns="role", values="cost", aggfunc="sum", fill_value=0.0, sort=False
    )
    table = Table(title="Cost by day type and role", title_justify="left")
    table.add_column("Day")
    for role in wide.columns:
        table.add_column(str(role), justify="right")
    table.add_column("Total", justify="right")
    for day, row in wide.iterrows():
        table.add_row(str(day), *(f"{v:,.2f}" for v in row), f"{row.sum():,.2f}")
    table.add_row(
        "[bold]All[/]", *(f"{v:,.2f}" for v in wide.sum()), f"{wide.to_numpy().sum():,.2f}"
    )
    return table


def check_table(result: RosterResult) -> Table:
    """The fresh check: every target in every block of every day type, mean ± CI."""
    table = Table(
        title=f"Fresh check: {result.check_replications} new days per day type (mean ± 95% CI)",
        title_justify="left",
    )
    for name in ("Day", "Block", "Customers", "Target", "Value", "Verdict"):
        table.add_column(name, justify="right" if name == "Value" else "left", no_wrap=True)
    for r in result.check.itertuples(index=False):
        half = (r.ci_high - r.ci_low) / 2
        style = _VERDICT_STYLE.get(str(r.verdict), "")
        table.add_row(
            str(r.day),
            str(r.block),
            str(r.customers),
            str(r.target),
            format_estimate(r.mean, half, str(r.metric)),
            f"[{style}]{r.verdict}[/]",
        )
    return table


def _minutes(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def gantt_figure(result: RosterResult) -> Any:
    """One bar a shift, grouped by day type, coloured by role; breaks left white."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    shifts = result.shifts
    days = list(result.week.days)
    height = max(2.5, 0.16 * len(shifts) + 0.4 * len(days))
    fig = Figure(figsize=(9, min(height, 40)))
    ax = fig.add_subplot()
    y = 0
    ticks, labels = [], []
    for day in days:
        rows = shifts[shifts["day"] == day].sort_values(["role", "start"], kind="stable")
        first = y
        for r in rows.itertuples(index=False):
            start, end = _minutes(r.start) / 60, _minutes(r.end) / 60
            colour = _ROLE_COLOURS.get(str(r.role), "grey")
            if r.break_start:
                b0, b1 = _minutes(r.break_start) / 60, _minutes(r.break_end) / 60
                ax.broken_barh([(start, b0 - start), (b1, end - b1)], (y, 0.8), color=colour)
            else:
                ax.broken_barh([(start, end - start)], (y, 0.8), color=colour)
            y += 1
        if y > first:
            ticks.append((first + y) / 2)
            labels.append(day)
            ax.axhline(y + 0.5, color="0.8", linewidth=0.6)
        y += 1
    ax.set_yticks(ticks, labels)
    ax.invert_yaxis()
    ax.set_xlabel("time of day (h)")
    ax.set_title(f"Roster {result.week.name}: one bar a shift (gaps are breaks)")
    ax.legend(
        handles=[Patch(color=c, label=r) for r, c in _ROLE_COLOURS.items()],
        loc="upper right",
        fontsize="small",
    )
    fig.tight_layout()
    return fig


def requirement_frame(result: RosterResult) -> pd.DataFrame:
    """The requirement table with the week's labels (for notebooks)."""
    return result.requirement.copy()


def roster_report(result: RosterResult, *, command: str | None = None) -> str:
    """The roster as one self-contained HTML page: summary, Gantt chart, cost, check, shifts."""
    from checkoutsim.report.html import (
        figure_html,
        page_html,
        scenario_html,
        section_html,
        table_html,
    )

    summary = "".join(f"<p>{_esc(line)}</p>" for line in result.summary_lines())
    wide = result.costs.pivot_table(
        index="day", columns="role", values="cost", aggfunc="sum", fill_value=0.0, sort=False
    )
    cost_rows = [
        (str(day), *(f"{v:,.2f}" for v in row), f"{row.sum():,.2f}") for day, row in wide.iterrows()
    ]
    check_rows = [
        (
            r.day,
            r.block,
            r.customers,
            r.target,
            format_estimate(r.mean, (r.ci_high - r.ci_low) / 2, str(r.metric)),
            r.verdict,
        )
        for r in result.check.itertuples(index=False)
    ]
    shift_rows = [
        (
            r.day,
            r.role,
            r.start,
            r.end,
            f"{r.break_start}-{r.break_end}" if r.break_start else "",
            f"{r.paid_hours:g}",
            f"{r.cost:,.2f}",
        )
        for r in result.shifts.itertuples(index=False)
    ]
    sections = [
        section_html("Summary", summary, "summary"),
        section_html(
            "Roster",
            figure_html(
                gantt_figure(result),
                "One bar a shift by day type, coloured by role; gaps are breaks.",
                "fig-gantt",
            )
            if len(result.shifts)
            else "<p>No shift.</p>",
            "gantt",
        ),
        section_html(
            "Cost by day type and role",
            table_html(["Day", *map(str, wide.columns), "Total"], cost_rows, table_id="cost-table"),
            "cost",
        ),
        section_html(
            "Fresh check",
            table_html(
                ["Day", "Block", "Customers", "Target", "Mean ± 95% CI", "Verdict"],
                check_rows,
                table_id="check-table",
                caption=f"{result.check_replications} new days per day type; met = the whole "
                "interval meets the target, borderline = the mean does, missed = it does not.",
            ),
            "check",
        ),
        section_html(
            "Shifts",
            table_html(
                ["Day", "Role", "Start", "End", "Break", "Paid hours", "Cost"],
                shift_rows,
                table_id="shift-table",
                text=True,
            ),
            "shifts",
        ),
        section_html(
            "Day types",
            "".join(scenario_html(day, heading=name) for name, day in result.week.days.items()),
            "day-types",
        ),
    ]
    return page_html(
        f"checkoutsim roster: {result.week.name}",
        f"{len(result.week.days)} day type(s), targets "
        + ", ".join(str(t) for t in result.targets)
        + f"; {result.replications} days per candidate plan, {result.check_replications} fresh "
        "days per day type in the check.",
        sections,
        {"seeds": result.seeds, "command": command},
    )


def _esc(value: object) -> str:
    import html

    return html.escape(str(value), quote=True)
