"""Writing and showing an optimisation: files in ``--out`` (atomic, manifest last), rich tables."""

from __future__ import annotations

import math
from pathlib import Path

from rich.table import Table

from checkoutsim.planning.blocks import ALL
from checkoutsim.planning.optimizer import CHOSEN, CURRENT, OptimizationResult
from checkoutsim.planning.plan import ROLES
from checkoutsim.report.comparison_tables import metric_label
from checkoutsim.report.layout import Fitted
from checkoutsim.report.numbers import format_estimate
from checkoutsim.results.folder import ResultsFolder, writing_into, written_by
from checkoutsim.scenario.loader import dump_scenario_yaml

__all__ = [
    "check_table",
    "comparison_table",
    "curve_table",
    "staffing_table",
    "write_optimization",
]

_VERDICT_STYLE = {"met": "green", "borderline": "yellow", "missed": "bold red", "n/a": "dim"}


def write_optimization(
    result: OptimizationResult, out: Path | ResultsFolder, *, command: str | None = None
) -> list[Path]:
    """Write the chosen plan and the tables; describe them in the manifest (written last).

    Files: ``plan.yaml`` (the ``staffing:`` block to paste), ``scenario.yaml`` (the whole
    scenario with the chosen plan), ``staffing.csv``, ``costs.csv``, ``check.csv`` (fresh
    check per unit, customer group and target), ``comparison.csv`` (day metrics, chosen vs
    current, paired),
    ``curve.csv`` (cost vs the first target) and ``search_log.csv``. Simulated days stay in
    ``runs/`` (written during the search). ``out`` is an open folder or a path (opened and
    finished here; the manifest is then the last path returned).
    """
    with writing_into(out, command) as folder:
        folder.write_text("plan.yaml", result.staffing_yaml)
        folder.write_text("scenario.yaml", dump_scenario_yaml(result.chosen_scenario))
        for name, frame in [
            ("staffing.csv", result.staffing),
            ("costs.csv", result.costs),
            ("check.csv", result.check),
            ("comparison.csv", result.comparison),
            ("curve.csv", result.curve),
            ("search_log.csv", result.log),
        ]:
            folder.write_text(name, frame.to_csv(index=False))
        folder.describe(
            command_name="optimize",
            scenario=result.scenario.name,
            targets=[str(t) for t in result.targets],
            by=result.by,
            judge=result.judge,
            seed=result.seed,
            check_seed=result.check_seed,
            replications=result.replications,
            check_replications=result.check_replications,
            level=result.level,
            meets_targets=result.meets_targets,
            holds_on_check=result.holds_on_check,
            labour_cost={CURRENT: result.cost(CURRENT), CHOSEN: result.cost(CHOSEN)},
            objective=result.objective,
            total_cost={CURRENT: result.total(CURRENT), CHOSEN: result.total(CHOSEN)},
            evaluations=result.evaluations,
            days_simulated=result.days_simulated,
            days_reused=result.days_reused,
            elapsed_s=round(result.elapsed_s, 2),
        )
    return written_by(folder, out)


def staffing_table(result: OptimizationResult) -> Table:
    """Current and chosen counts per block, and the labour cost of each plan."""
    currency = result.scenario.costs.currency
    table = Table(
        title=(
            f"{result.scenario.name}: staffing, current -> chosen (labour "
            f"{result.cost(CURRENT):,.2f} -> {result.cost(CHOSEN):,.2f}, total cost "
            f"{result.total(CURRENT):,.0f} -> {result.total(CHOSEN):,.0f} {currency} per day)"
        ),
        title_justify="left",
    )
    table.add_column("Block", no_wrap=True)
    s = result.staffing
    # Kiosks only when they change somewhere (searched with --kiosks or set per block).
    roles = [r for r in ROLES if r != "kiosks" or s["kiosks"].nunique() > 1]
    for role in roles:
        table.add_column(role.replace("_", " "), justify="right", no_wrap=True)
    cur = s[s["plan"] == CURRENT].reset_index(drop=True)
    new = s[s["plan"] == CHOSEN].reset_index(drop=True)
    for i in range(len(cur)):
        cells = [f"{cur.loc[i, 'start']}-{cur.loc[i, 'end']}"]
        for role in roles:
            a, b = int(cur.loc[i, role]), int(new.loc[i, role])
            cells.append(f"{a} -> [bold]{b}[/]" if a != b else str(a))
        table.add_row(*cells)
    return table


def check_table(result: OptimizationResult) -> Fitted:
    """Every target per unit on the fresh days: mean ± CI half-width and verdict, both plans.

    Figure and verdict side by side when they fit the terminal, the verdict under the figure
    otherwise (at 80 columns).
    """
    title = (
        f"Fresh check: {result.check_replications} days not used by the search (seed "
        f"{result.check_seed}), {result.level:.0%} CI"
    )
    caption = (
        "met: the whole interval meets the target; borderline: the mean does, the "
        "interval crosses it; missed: the mean does not. A unit alone: all its customers; "
        "'cashier' / 'kiosk': that channel's customers apart."
    )
    c = result.check
    keys = c[["unit", "customers", "target"]].drop_duplicates()
    rows = []
    for unit, group, target in keys.itertuples(index=False):
        cells = []
        for plan in (CURRENT, CHOSEN):
            same = (c["unit"] == unit) & (c["customers"] == group) & (c["target"] == target)
            found = c[(c["plan"] == plan) & same]
            if found.empty:  # nobody used that channel in the block under this plan
                cells.append(("-", ""))
                continue
            row = found.iloc[0]
            half = (float(row["ci_high"]) - float(row["ci_low"])) / 2
            style = _VERDICT_STYLE[str(row["verdict"])]
            figure = format_estimate(float(row["mean"]), half, str(row["metric"]))
            cells.append((figure, f"[{style}]{row['verdict']}[/]"))
        label = str(unit) if group == ALL else f"{unit} {group}"
        rows.append((label, str(target), cells))

    def build(stacked: bool) -> Table:
        table = Table(title=title, caption=caption, title_justify="left", caption_justify="left")
        table.add_column("Unit", no_wrap=True)
        table.add_column("Target", no_wrap=True)
        for plan in (CURRENT, CHOSEN):
            table.add_column(plan, justify="right", no_wrap=True)
            if not stacked:
                table.add_column("", justify="left", no_wrap=True)
        for unit, target, cells in rows:
            if stacked:
                table.add_row(unit, target, *(f"{f}\n{v}" for f, v in cells))
            else:
                table.add_row(unit, target, *(x for pair in cells for x in pair))
        return table

    return Fitted(lambda: build(False), lambda: build(True))


def comparison_table(result: OptimizationResult) -> Table:
    """Whole-day metrics on the fresh days: current, chosen and the paired difference."""
    table = Table(
        title="Whole day on the fresh days (mean ± CI half-width; difference paired)",
        title_justify="left",
    )
    # Figures never wrap (an interval cut at 80 columns loses its end); labels do.
    table.add_column("Metric", overflow="fold")
    table.add_column(CURRENT, justify="right", no_wrap=True)
    table.add_column(CHOSEN, justify="right", no_wrap=True)
    table.add_column("chosen -\ncurrent", justify="right", no_wrap=True)
    for row in result.comparison.itertuples(index=False):
        r = row._asdict()
        cells = [metric_label(str(r["metric"]))]
        for plan in (CURRENT, CHOSEN):
            mean = float(r[f"{plan}_mean"])
            cells.append(format_estimate(mean, mean - float(r[f"{plan}_ci_low"]), str(r["metric"])))
        diff = float(r["diff_mean"])
        half = float(r["diff_high"]) - diff
        cells.append("-" if math.isnan(diff) else format_estimate(diff, half))
        table.add_row(*cells)
    return table


def curve_table(result: OptimizationResult) -> Table:
    """Cheapest labour cost at other values of the first target."""
    first = result.targets[0]
    currency = result.scenario.costs.currency
    table = Table(
        title=f"Cost vs target: {first.metric} {first.op} value (search days, same rule)",
        caption="saving = chosen plan's labour cost minus this one; per unit = per unit the "
        "target is loosened.",
        title_justify="left",
        caption_justify="left",
    )
    names = ["Value", f"Labour ({currency}/day)", f"Total cost ({currency}/day, search days)"]
    for name in (*names, "Meets", "Saving", "Saving per unit"):
        table.add_column(name, justify="right")
    for row in result.curve.itertuples(index=False):
        r = row._asdict()
        per = float(r["saving_per_unit"])
        mark = " (chosen)" if float(r["value"]) == first.value else ""
        table.add_row(
            f"{float(r['value']):g}{mark}",
            f"{float(r['labour_cost']):,.2f}",
            f"{float(r['total_cost']):,.0f}",
            "yes" if r["meets"] else "[bold red]no[/]",
            f"{float(r['saving']):+,.2f}",
            "-" if math.isnan(per) else f"{per:+,.2f}",
        )
    return table
