"""Every table the CLI prints stays readable at 80 columns (issue 18).

Each table is rendered as the terminal would show it (rich, 80 columns, no colour) and read
back as text: no cut header or figure (``…``), every interval with both ends, every ``*``
of significance kept, and no row taller than two lines. Small runs (2-3 days) are the hard
case: their intervals are wide, so many are cut at 0 and written ``mean [low, high]``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from rich.console import Console, RenderableType

from checkoutsim import Scenario, compare, optimize, simulate
from checkoutsim.experiments.run_store import RunStore
from checkoutsim.experiments.sweep import load_sweep, run_sweep
from checkoutsim.planning.output import check_table, comparison_table, curve_table, staffing_table
from checkoutsim.report.comparison_tables import comparison_overview, difference_table, sweep_table
from checkoutsim.report.hourly_tables import (
    hourly_channels_table,
    hourly_experience_table,
    hourly_losses_table,
    hourly_table,
    staff_on_duty,
)
from checkoutsim.report.numbers import format_difference, format_estimate, metric_range
from checkoutsim.report.tables import (
    EXPERIENCE_METRICS,
    HEADLINE_METRICS,
    root_cause_table,
    summary_sections,
    summary_table,
)

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
WIDTH = 80
NUMBER = re.compile(r"^[+\-]?(\d[\d,]*(\.\d+)?|<0\.001)( s)?$")
FIGURE_START = re.compile(r"^([+\-]?[\d<]|-$)")


def render(renderable: RenderableType, width: int = WIDTH) -> str:
    console = Console(width=width, record=True, color_system=None, soft_wrap=False)
    console.print(renderable)
    return console.export_text()


def body_rows(text: str) -> list[list[str]]:
    """The body of every table in ``text``, as rows of lines (each line a list of cells).

    A row starts on a line with a figure in some column after the first (figures never wrap,
    so a row's first line holds them); a label's continuation lines and an interval stacked
    under its mean (``± 0.5``, ``[0, 4.5]``) belong to the row above.
    """
    rows: list[list[str]] = []
    in_body = False
    for line in text.splitlines():
        if line.startswith(("┡", "├")):
            in_body = True
            rows.append([])
            continue
        if line.startswith("└"):
            in_body = False
            continue
        if not in_body or not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if any(FIGURE_START.match(c) for c in cells[1:]) or not rows:
            rows.append([])
        rows[-1].append(line)
    return [r for r in rows if r]


def assert_readable(text: str, max_row_lines: int = 2) -> None:
    assert "…" not in text, text
    for line in text.splitlines():
        assert line.count("[") == line.count("]"), line
        for m in re.finditer(r"±", line if line.startswith("│") else ""):
            assert re.match(r"± [\d,.]+", line[m.start() :]), line
        for m in re.finditer(r"\[([^\]]*)\]", line):
            if "," in m.group(1) and not m.group(1).startswith(("low", "1/", "2/")):
                ends = m.group(1).split(", ")
                assert len(ends) == 2 and all(NUMBER.match(e) for e in ends), line
    tallest = max(len(r) for r in body_rows(text))
    assert tallest <= max_row_lines, text


# -- runs --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def runs(weekday: Scenario, lean: Scenario) -> dict[str, object]:
    return {
        "weekday": simulate(weekday, 3, 20261122, workers=1),
        "lean": simulate(lean, 3, 20261122, workers=1),
    }


@pytest.mark.parametrize("name", ["weekday", "lean"])
def test_run_summary_and_root_causes_fit_80_columns(runs: dict, name: str) -> None:
    result = runs[name]
    assert_readable(render(summary_table(result)))
    text = render(root_cause_table(result))
    assert_readable(text)
    assert "Arri…" not in text and "Cause" in text


@pytest.mark.parametrize("name", ["weekday", "lean"])
def test_by_hour_tables_fit_80_columns_with_intervals_and_staff(runs: dict, name: str) -> None:
    result = runs[name]
    for build in (
        hourly_table,
        hourly_losses_table,
        hourly_channels_table,
        hourly_experience_table,
    ):
        text = render(build(result))
        assert_readable(text)
        for row in body_rows(text):
            cells = [c.strip() for c in row[0].split("│")[1:-1]]
            figures = [c for c in cells[1:] if FIGURE_START.match(c) and "/" not in c]
            # every figure (but a missing one) has an interval, on its line or the next
            joined = " ".join(row)
            assert figures and joined.count("±") + joined.count("[") >= len(
                [f for f in figures if f != "-"]
            ), joined
    text = render(hourly_table(result))
    assert "On duty" in text
    on_duty = staff_on_duty(result.scenario, ["17:00"])["17:00"]
    assert re.search(rf"│ 17:00 │\s+{re.escape(on_duty)} │", text), text


def test_staff_on_duty_counts_cashiers_kiosks_attendants_and_ranges(weekday: Scenario) -> None:
    data = weekday.to_dict()
    data["staffing"] = [
        {"start": "08:00", "end": "16:30", "cashiers": 3, "express_cashiers": 1, "attendants": 1},
        {"start": "16:30", "end": "21:00", "cashiers": 5, "attendants": 2, "kiosks": 4},
    ]
    s = Scenario.model_validate(data)
    duty = staff_on_duty(s, ["08:00", "16:00", "17:00", "21:00"])
    kiosks = s.kiosks.count
    assert duty == {
        "08:00": f"4/{kiosks}/1",
        "16:00": f"4-5/4-{kiosks}/1-2",
        "17:00": "5/4/2",
        "21:00": "-",
    }


def test_an_interval_of_a_count_never_runs_below_zero(runs: dict) -> None:
    ranges = {label: metric_range(m) for m, label in HEADLINE_METRICS + EXPERIENCE_METRICS}
    seen_cut = 0
    for result in runs.values():
        for _, rows in summary_sections(result):
            for label, *cells in rows:
                low_end = (ranges.get(label) or (-math.inf, math.inf))[0]
                for cell in cells:
                    if " ± " in cell:
                        mean, half = (float(x.replace(",", "")) for x in cell.split(" ± "))
                        assert mean - half >= low_end, (label, cell)
                    elif " [" in cell:
                        seen_cut += 1
                        low = float(cell.split("[")[1].split(",")[0].replace(",", ""))
                        assert low >= low_end, (label, cell)
    assert seen_cut  # three days of lean staffing: kiosk balking is 9 ± 11, shown [0, 20]
    assert format_estimate(2.0, 2.48, "balked") == "2.0 [0, 4.5]"
    assert format_estimate(99.9, 0.5, "within_target_pct") == "99.9 [99.4, 100]"
    assert format_estimate(0.35, 0.40, "coupon_nps_effect") == "0.35 ± 0.40"  # unbounded


def test_tiny_effects_print_in_sensible_units() -> None:
    # The difference of mean waits seen in issue 18: [-1.18e-05, +0.000296] minutes.
    diff, interval = format_difference(0.000142, -1.18e-05, 0.000296, "wait_mean_min")
    assert "e-" not in diff + interval and interval.endswith(" s")
    assert (diff, interval) == ("+0.01 s", "[-0.00, +0.02] s")
    assert format_difference(-0.024, -0.054, 0.006, "wait_mean_min") == ("-1.4 s", "[-3.2, +0.4] s")
    assert format_difference(-0.0031, -0.0100, 0.0038, "csat_mean") == (
        "-0.003",
        "[-0.010, +0.004]",
    )
    assert format_difference(0.99, 0.49, 1.48, "wait_p90_min") == ("+0.99", "[+0.49, +1.48]")
    assert format_difference(-90.0, -90.0, -90.0, "labour_cost", scale=1080.0) == (
        "-90",
        "[-90, -90]",
    )


# -- compare and sweep -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def comparison() -> object:
    return compare(SCENARIOS / "plans" / "weekday_variants.yaml", replications=2, seed=20261122)


def test_compare_tables_fit_80_columns_and_keep_every_mark(comparison) -> None:
    from checkoutsim.experiments.compare import headline_metrics

    summary = comparison.summary
    metrics = headline_metrics([str(m) for m in summary.loc[summary["scope"] == "all", "metric"]])
    text = render(comparison_overview(comparison, metrics, "all"))
    assert_readable(text)
    header = " ".join(line for line in text.splitlines() if line.startswith("┃"))
    for plan in comparison.plans:  # every plan's name, whole (perhaps over two lines)
        assert all(part in header for part in plan.split("_")), plan
    d = comparison.differences
    for plan in comparison.plans[1:]:
        text = render(difference_table(comparison, plan, metrics, "all"))
        assert_readable(text)
        shown = d[(d["scenario"] == plan) & (d["scope"] == "all") & d["metric"].isin(metrics)]
        stars = sum(row[0].rstrip(" │").endswith("*") for row in body_rows(text))
        assert stars == int(shown["significant"].sum()) > 0


def test_sweep_tables_fit_80_columns(weekday: Scenario, tmp_path: Path) -> None:
    sweep = tmp_path / "grid.yaml"
    sweep.write_text(
        f"base: {SCENARIOS / 'weekday.yaml'}\nreplications: 2\ngrid:\n"
        "  staffing[start=16:00].cashiers: [4, 6]\n  kiosks.count: [6]\n"
        "  staffing[*].attendants: [1, 2]\n"
    )
    result = run_sweep(load_sweep(sweep), RunStore(tmp_path / "runs"))
    metrics = ["wait_p90_min", "reneged", "operating_cost", "csat_mean"]
    text = render(sweep_table(result, metrics))
    assert_readable(text)
    assert "staffing[start=16:00].cashiers" in text  # the full path, in the key
    assert text.count("●") == int(result.results["pareto"].sum()) + 1  # + the caption's
    wide = render(sweep_table(result, metrics), width=200)
    assert "staffing[start=16:00].cashiers" in wide and "…" not in wide


# -- optimize ----------------------------------------------------------------------------------


def test_optimize_tables_fit_80_columns(weekday: Scenario) -> None:
    # The labour objective: the tables and their columns are the same for either objective,
    # and the total-cost search simulates about twice as many days (25 s of CPU against 9).
    # The whole weekday (its figures as large as ever) in two staffing blocks: widths do not
    # depend on the number of rows, and each search step tries a third of the plans of six
    # blocks (2 s against 8 s).
    halves = [("08:00", "14:00", 3, 1), ("14:00", "21:00", 4, 2)]
    staffing = [
        {"start": a, "end": b, "cashiers": c, "express_cashiers": 1, "attendants": n}
        for a, b, c, n in halves
    ]
    result = optimize(
        weekday.with_overrides({"staffing": staffing}),
        ["wait_p90_min<=4", "csat>=4.0"],
        by="block",
        replications=2,
        curve=[3, 5],
        objective="labour",
    )
    for table in (staffing_table, check_table, comparison_table, curve_table):
        assert_readable(render(table(result)))
