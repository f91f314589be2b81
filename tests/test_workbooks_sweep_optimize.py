"""Issue 18: the ``--xlsx`` workbooks of ``sweep`` and ``optimize``, built on small cases.

Before, their sheet builders had never run: the sweep's ``plans`` sheet was the raw results
table (``wait_p90_min_mean`` headers, no unit, counts with intervals below zero, a True/False
Pareto column beside the status), and optimize's ``targets`` sheet had raw lower-case headers
and a ``unit`` column holding time blocks. Every header now says its unit, figures are rounded,
and intervals stop where a metric ends, as in the run and compare workbooks.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checkoutsim.cli import app
from checkoutsim.report.numbers import metric_range

ROOT = Path(__file__).resolve().parents[1]
WEEKDAY = (ROOT / "scenarios" / "weekday.yaml").read_text()
runner = CliRunner()

UNIT_IN_HEADER = re.compile(r"\(([^()]+)\)$")


def _sheets(path: Path) -> dict[str, list[list[object]]]:
    from openpyxl import load_workbook

    book = load_workbook(path)
    return {
        name: [[c.value for c in row] for row in book[name].iter_rows()] for name in book.sheetnames
    }


def _check_rounded(sheets: dict[str, list[list[object]]]) -> None:
    for name, rows in sheets.items():
        for row in rows[1:]:
            for value in row:
                if isinstance(value, float):
                    assert value == round(value, 4), (name, value)
                    assert abs(value) < 0.01 or value == round(value, 2), (name, value)


def _check_interval_ends(rows: list[list[object]], key_column: str) -> int:
    """Every CI end of a row lies in its metric's range; returns the number of ends checked."""
    header = [str(h) for h in rows[0]]
    key = header.index(key_column)
    ends = [
        j
        for j, h in enumerate(header)
        if ("CI low" in h or "CI high" in h) and not h.startswith("Difference")
    ]
    checked = 0
    for row in rows[1:]:
        bounds = metric_range(str(row[key]))
        if bounds is None:
            continue
        for j in ends:
            value = row[j]
            if isinstance(value, int | float):
                assert bounds[0] <= value <= bounds[1], (row[key], header[j], value)
                checked += 1
    return checked


@pytest.fixture(scope="module")
def sweep_book(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[list[object]]]:
    folder = tmp_path_factory.mktemp("sweep")
    (folder / "base.yaml").write_text(WEEKDAY)
    (folder / "small.yaml").write_text(
        "base: base.yaml\nreplications: 2\n"
        "grid:\n  staffing[start=16:00].cashiers: [4, 6]\n  kiosks.count: [6, 8]\n"
    )
    book = folder / "sweep.xlsx"
    result = runner.invoke(
        app,
        [
            "sweep",
            str(folder / "small.yaml"),
            "-o",
            str(folder / "out"),
            "-w",
            "1",
            "--xlsx",
            str(book),
        ],
    )
    assert result.exit_code == 0, result.output
    return _sheets(book)


def test_sweep_workbook_has_plans_summary_and_staffing(
    sweep_book: dict[str, list[list[object]]],
) -> None:
    assert list(sweep_book) == ["plans", "summary", "staffing"]
    plans = sweep_book["plans"]
    assert [r[0] for r in plans[1:]] == ["p01", "p02", "p03", "p04"]
    staffing = sweep_book["staffing"]
    assert len(staffing) - 1 == 4 * 6  # six weekday blocks a plan
    assert {r[0] for r in staffing[1:]} == {"p01", "p02", "p03", "p04"}


def test_sweep_plans_sheet_says_the_unit_of_every_column(
    sweep_book: dict[str, list[list[object]]],
) -> None:
    header = [str(h) for h in sweep_book["plans"][0]]
    for name in header[1:]:
        assert UNIT_IN_HEADER.search(name), name
        assert not re.fullmatch(r"[a-z0-9_]+", name), name  # no raw column names
    assert "staffing[start=16:00].cashiers (lanes staffed)" in header
    assert "kiosks.count (kiosks)" in header
    assert "Queue wait, p90: mean (min)" in header
    assert "Balked (left on seeing the line): 95% CI low (customers per day)" in header
    rows = sweep_book["plans"][1:]
    column = header.index("staffing[start=16:00].cashiers (lanes staffed)")
    assert [r[column] for r in rows] == [4, 4, 6, 6]
    status = header.index("Pareto (front / not distinguishable / dominated)")
    assert {r[status] for r in rows} <= {"front", "not distinguishable", "dominated"}
    assert "front" in {r[status] for r in rows}


def test_sweep_figures_are_rounded_and_intervals_stop_where_metrics_end(
    sweep_book: dict[str, list[list[object]]],
) -> None:
    _check_rounded(sweep_book)
    assert _check_interval_ends(sweep_book["summary"], "Metric key") > 100
    header = [str(h) for h in sweep_book["plans"][0]]
    low = header.index("Balked (left on seeing the line): 95% CI low (customers per day)")
    # Two days of a few balking customers: the raw interval runs below zero.
    assert all(isinstance(r[low], int | float) and r[low] >= 0 for r in sweep_book["plans"][1:])
    waits = [j for j, h in enumerate(header) if h.startswith("Queue wait") and "CI low" in h]
    assert waits
    assert all(r[j] >= 0 for r in sweep_book["plans"][1:] for j in waits)  # type: ignore[operator]


SHORT = (
    WEEKDAY.replace('close: "21:00"', 'close: "10:00"')
    .replace(
        WEEKDAY[WEEKDAY.index("arrivals:") : WEEKDAY.index("customers:")],
        "arrivals:\n  profile:\n"
        '    - {start: "08:00", end: "09:00", customers_per_hour: 110}\n'
        '    - {start: "09:00", end: "10:00", customers_per_hour: 170}\n\n',
    )
    .replace(
        WEEKDAY[WEEKDAY.index("staffing:  ") : WEEKDAY.index("\nrun:")],
        "staffing:\n"
        '  - {start: "08:00", end: "09:00", cashiers: 2, express_cashiers: 0, attendants: 1}\n'
        '  - {start: "09:00", end: "10:00", cashiers: 3, express_cashiers: 1, attendants: 1}\n',
    )
)


@pytest.fixture(scope="module")
def optimize_book(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[list[object]]]:
    folder = tmp_path_factory.mktemp("optimize")
    (folder / "short.yaml").write_text(SHORT)
    book = folder / "optimize.xlsx"
    result = runner.invoke(
        app,
        [
            "optimize",
            str(folder / "short.yaml"),
            "--target",
            "wait_p90_min<=4",
            "--target",
            "balked<=5",
            "-n",
            "2",
            "-w",
            "1",
            "-o",
            str(folder / "out"),
            "--xlsx",
            str(book),
        ],
    )
    assert result.exit_code == 0, result.output
    return _sheets(book)


def test_optimize_workbook_has_its_four_sheets(
    optimize_book: dict[str, list[list[object]]],
) -> None:
    assert list(optimize_book) == ["summary", "staffing", "targets", "costs"]
    staffing = optimize_book["staffing"]
    assert [(r[0], r[1]) for r in staffing[1:]] == [
        ("current", "08:00"),
        ("current", "09:00"),
        ("chosen", "08:00"),
        ("chosen", "09:00"),
    ]


def test_optimize_targets_sheet_says_units_and_verdicts(
    optimize_book: dict[str, list[list[object]]],
) -> None:
    targets = optimize_book["targets"]
    header = [str(h) for h in targets[0]]
    for name in header:
        assert name in {"Plan", "Target", "Metric", "Unit", "Metric key"} or UNIT_IN_HEADER.search(
            name
        ), name
    assert "Checked over (block HH:MM-HH:MM, or day)" in header
    rows = [dict(zip(header, r, strict=True)) for r in targets[1:]]
    assert {r["Plan"] for r in rows} == {"current", "chosen"}
    assert {r["Checked over (block HH:MM-HH:MM, or day)"] for r in rows} == {
        "08:00-09:00",
        "09:00-10:00",
    }
    assert {r["Verdict (met / borderline / missed)"] for r in rows} <= {
        "met",
        "borderline",
        "missed",
    }
    units = {(r["Metric key"], r["Unit"]) for r in rows}
    assert units == {("wait_p90_min", "min"), ("balked", "customers per block")}


def test_optimize_figures_are_rounded_and_intervals_stop_where_metrics_end(
    optimize_book: dict[str, list[list[object]]],
) -> None:
    _check_rounded(optimize_book)
    assert _check_interval_ends(optimize_book["summary"], "Metric key") > 10
    assert _check_interval_ends(optimize_book["targets"], "Metric key") >= 8
    costs = optimize_book["costs"]
    assert costs[0][1] == "Labour cost (USD per day)"
    assert all(not math.isnan(v) for r in costs[1:] for v in r[1:])  # type: ignore[arg-type]
