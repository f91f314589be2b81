"""Issue 18, "where planners live": staffing read from a CSV file or a workbook sheet.

``staffing: {from: staffing.csv}`` (or ``{from: book.xlsx, sheet: NAME}``) reads the blocks from
a table whose columns are the keys of a YAML staffing block; its problems are reported like
YAML's, at the file, row and column, all in one run. Each test fails on the code before it
(where ``staffing`` had to be a list).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checkoutsim import ScenarioError, load_scenario
from checkoutsim.cli import app
from checkoutsim.scenario.loader import LIMITS
from checkoutsim.scenario.plans import load_plan

ROOT = Path(__file__).resolve().parents[1]
WEEKDAY_FILE = ROOT / "scenarios" / "weekday.yaml"
WEEKDAY = WEEKDAY_FILE.read_text()
STAFFING_YAML = WEEKDAY[WEEKDAY.index("staffing:  ") : WEEKDAY.index("\nrun:")]
runner = CliRunner()

GOOD_CSV = """start,end,cashiers,express_cashiers,attendants
08:00,10:00,2,0,1
10:00,11:00,3,1,1
11:00,14:00,4,1,2
14:00,16:00,3,1,1
16:00,19:00,5,1,2
19:00,21:00,2,0,1
"""


def _scenario(folder: Path, reference: str = "{from: staff.csv}") -> Path:
    path = folder / "store.yaml"
    path.write_text(WEEKDAY.replace(STAFFING_YAML, f"staffing: {reference}\n"))
    return path


def _errors(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


def test_the_shipped_csv_example_reads_the_weekday_blocks() -> None:
    weekday = load_scenario(WEEKDAY_FILE)
    from_csv = load_scenario(ROOT / "scenarios" / "weekday_csv_staffing.yaml")
    assert from_csv.staffing == weekday.staffing
    # Nothing else differs: the example is weekday.yaml with its staffing in a file.
    same = from_csv.model_copy(update={"name": weekday.name, "description": weekday.description})
    assert same == weekday


def test_a_csv_file_relative_to_the_scenario_gives_the_same_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "staff.csv").write_text(GOOD_CSV)
    path = _scenario(tmp_path, "{from: data/staff.csv}")
    monkeypatch.chdir(ROOT)  # the path is relative to the scenario file, not the working folder
    assert load_scenario(path).staffing == load_scenario(WEEKDAY_FILE).staffing


def test_columns_in_any_order_case_semicolons_bom_and_defaults(tmp_path: Path) -> None:
    text = (
        "\ufeffAttendants; START ;end;cashiers;kiosks\n"
        "1;08:00;12:00;2;\n"  # empty kiosks: all of them; express_cashiers absent: 0
        "2;12:00;21:00;3;4\n"
    )
    (tmp_path / "staff.csv").write_text(text, encoding="utf-8")
    blocks = load_scenario(_scenario(tmp_path)).staffing
    assert [(b.start, b.end, b.cashiers, b.attendants) for b in blocks] == [
        ("08:00", "12:00", 2, 1),
        ("12:00", "21:00", 3, 2),
    ]
    assert [b.kiosks for b in blocks] == [None, 4]
    assert [b.express_cashiers for b in blocks] == [0, 0]


def test_every_problem_of_the_table_in_one_run_located_at_row_and_column(tmp_path: Path) -> None:
    (tmp_path / "staff.csv").write_text(
        "start,end,casheirs,cashiers,attendants\n"
        "08:00,10:00,1,2,1\n"
        "10:00,11:00,1,-3,1\n"
        "11:00,14:00,1,four,2\n"
        "14:30,16:00,1,3,1,7\n"
        "16:00,19:00,1,50,2\n"
        "19:00,20:00,1,2,1\n"
    )
    errors = _errors(_scenario(tmp_path))
    shown = str(tmp_path / "staff.csv")
    expected = [
        "row 1 (header): unknown column 'casheirs' (did you mean 'cashiers'?)",
        "row 3, column cashiers: input should be greater than or equal to 0, got -3",
        "row 4, column cashiers: expected a whole number, got 'four'",
        "row 5: 6 cells but the header names 5 column(s)",
        "row 5, column start: leaves a gap: expected it to start at 14:00",
        "row 6, column cashiers: 50 staffed lanes but only 10 exist (cashiers.lanes)",
        "row 7, column end: the last block must end at closing time 21:00",
    ]
    for part in expected:
        assert any(e.startswith(f"{shown}: {part}") for e in errors), (part, errors)
    assert len(errors) == len(expected), errors


def test_a_missing_required_column_is_reported_once(tmp_path: Path) -> None:
    (tmp_path / "staff.csv").write_text("start,end,attendants\n08:00,21:00,1\n")
    errors = _errors(_scenario(tmp_path))
    assert errors == [
        f"{tmp_path / 'staff.csv'}: row 1 (header): missing column(s) cashiers (required)"
    ]


def test_other_problems_of_the_scenario_are_reported_with_the_table_s(tmp_path: Path) -> None:
    (tmp_path / "staff.csv").write_text(GOOD_CSV.replace("5,1,2", "5,1,x"))
    path = _scenario(tmp_path)
    path.write_text(path.read_text().replace("  count: 8\n", "  count: 8\n  colour: red\n"))
    errors = _errors(path)
    assert any("kiosks.colour: unknown key" in e for e in errors), errors
    assert any("row 6, column attendants: expected a whole number, got 'x'" in e for e in errors)


@pytest.mark.parametrize(
    ("make", "reference", "message"),
    [
        (lambda d: None, "{from: staff.csv}", "file not found"),
        (lambda d: (d / "staff.csv").mkdir(), "{from: staff.csv}", "is a folder"),
        (
            lambda d: (d / "staff.csv").write_bytes(b"start\n" * (LIMITS.max_bytes // 6 + 1)),
            "{from: staff.csv}",
            f"larger than {LIMITS.max_bytes:,} bytes",
        ),
        (lambda d: (d / "staff.txt").write_text(GOOD_CSV), "{from: staff.txt}", ".csv file or"),
        (
            lambda d: (d / "staff.csv").write_text(GOOD_CSV),
            "{from: staff.csv, sheet: Mon}",
            "'sheet' is only for an .xlsx",
        ),
        (
            lambda d: (d / "staff.csv").write_text(GOOD_CSV),
            "{from: staff.csv, shet: A}",
            "staffing.shet: unknown key",
        ),
        (lambda d: None, "{sheet: A}", "staffing.from: required key is missing"),
        (
            lambda d: (d / "staff.csv").write_bytes(b"start,end\n\xff\xfe,1\n"),
            "{from: staff.csv}",
            "UTF-8",
        ),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_at_the_reference(
    tmp_path: Path, make: object, reference: str, message: str
) -> None:
    make(tmp_path)  # type: ignore[operator]
    path = _scenario(tmp_path, reference)
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if t.startswith("staff"))
    errors = _errors(path)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{path}:{line}: staffing"), errors
    assert message in errors[0]


def _workbook(path: Path, rows: list[list[object]], sheet: str = "Weekday") -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Notes"
    data = book.create_sheet(sheet)
    for row in rows:
        data.append(row)
    book.save(path)


XLSX_ROWS: list[list[object]] = [
    ["start", "end", "cashiers", "express_cashiers", "attendants"],
    ["08:00", "10:00", 2, 0, 1],
    [dt.time(10, 0), dt.time(11, 0), 3, 1, 1],  # a cell formatted as a time
    ["11:00", "14:00", 4.0, 1, 2],  # Excel stores every number as a float
    ["14:00", "16:00", 3, 1, 1],
    ["16:00", "19:00", 5, 1, 2],
    ["19:00", "21:00", 2, 0, 1],
]


def test_a_workbook_sheet_reads_like_the_csv(tmp_path: Path) -> None:
    _workbook(tmp_path / "rosters.xlsx", XLSX_ROWS)
    path = _scenario(tmp_path, "{from: rosters.xlsx, sheet: Weekday}")
    assert load_scenario(path).staffing == load_scenario(WEEKDAY_FILE).staffing


def test_workbook_problems_name_the_sheet_row_and_column(tmp_path: Path) -> None:
    rows = [list(r) for r in XLSX_ROWS]
    rows[3][2] = 4.5
    rows[2][0] = dt.datetime(2024, 1, 1)
    _workbook(tmp_path / "rosters.xlsx", rows)
    errors = _errors(_scenario(tmp_path, "{from: rosters.xlsx, sheet: Weekday}"))
    where = f"{tmp_path / 'rosters.xlsx'}, sheet Weekday"
    assert f"{where}: row 4, column cashiers: expected a whole number, got 4.5" in errors
    assert any(
        e.startswith(f"{where}: row 3, column start: expected a time of day") for e in errors
    )
    missing = _errors(_scenario(tmp_path, "{from: rosters.xlsx, sheet: Tuesday}"))
    assert "no sheet 'Tuesday' (sheets: Notes, Weekday)" in missing[0]


def test_a_file_that_is_no_workbook_is_refused(tmp_path: Path) -> None:
    (tmp_path / "rosters.xlsx").write_text(GOOD_CSV)
    errors = _errors(_scenario(tmp_path, "{from: rosters.xlsx}"))
    assert "not an .xlsx workbook" in errors[0]


def test_validate_and_run_refuse_a_bad_table_with_exit_2_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "staff.csv").write_text(GOOD_CSV.replace("5,1,2", "5,1,-2"))
    path = _scenario(tmp_path)
    for args in (["validate", str(path)], ["run", str(path), "-n", "1", "--out", str(tmp_path)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert "row 6, column attendants" in result.output


def test_validate_accepts_the_shipped_csv_example() -> None:
    result = runner.invoke(app, ["validate", str(ROOT / "scenarios" / "weekday_csv_staffing.yaml")])
    assert result.exit_code == 0, result.output
    assert "6 staffing blocks" in result.output


def test_the_json_schema_accepts_a_staffing_file_reference() -> None:
    schema = json.loads(runner.invoke(app, ["schema"]).stdout)
    staffing = schema["properties"]["staffing"]
    kinds = {option.get("type") for option in staffing["anyOf"]}
    assert kinds == {"array", "object"}
    reference = next(o for o in staffing["anyOf"] if o.get("type") == "object")
    assert set(reference["properties"]) == {"from", "sheet"}
    assert reference["required"] == ["from"]
    assert reference["additionalProperties"] is False


def test_a_scenario_built_from_data_says_where_files_are_read(weekday: object) -> None:
    from pydantic import ValidationError

    from checkoutsim import Scenario

    data = load_scenario(WEEKDAY_FILE).to_dict()
    data["staffing"] = {"from": "staff.csv"}
    with pytest.raises(ValidationError, match="read when a scenario file is loaded"):
        Scenario.model_validate(data)


# -- plans and sweeps ----------------------------------------------------------------------------


def _plan(folder: Path, variants: str) -> Path:
    base = folder / "base.yaml"
    base.write_text(WEEKDAY)
    plan = folder / "plan.yaml"
    plan.write_text(f"base: base.yaml\nvariants:\n{variants}")
    return plan


def test_a_base_with_a_staffing_file_keeps_plan_paths_working(tmp_path: Path) -> None:
    (tmp_path / "staff.csv").write_text(GOOD_CSV)
    _scenario(tmp_path)
    (tmp_path / "plan.yaml").write_text(
        "base: store.yaml\nvariants:\n"
        "  evening:\n    staffing[start=16:00].cashiers: 6\n"
        "  everyone:\n    staffing[*].attendants: 3\n"
    )
    plan = load_plan(tmp_path / "plan.yaml")
    assert plan.variants["evening"].staffing[4].cashiers == 6
    assert {b.attendants for b in plan.variants["everyone"].staffing} == {3}


def test_a_plan_variant_may_read_its_staffing_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "lean.csv").write_text("start,end,cashiers,attendants\n08:00,21:00,1,1\n")
    plan = load_plan(_plan(tmp_path, "  lean:\n    staffing: {from: lean.csv}\n"))
    blocks = plan.variants["lean"].staffing
    assert [(b.start, b.end, b.cashiers, b.attendants) for b in blocks] == [
        ("08:00", "21:00", 1, 1)
    ]


def test_a_plan_variant_s_bad_file_is_reported_at_its_row_and_with_other_problems(
    tmp_path: Path,
) -> None:
    (tmp_path / "lean.csv").write_text("start,end,cashiers,attendants\n08:00,21:00,11,1\n")
    path = _plan(
        tmp_path,
        "  lean:\n    staffing: {from: lean.csv}\n    kiosks.count: -1\n"
        "  gone:\n    staffing: {from: gone.csv}\n",
    )
    with pytest.raises(ScenarioError) as info:
        load_plan(path)
    errors = [str(p) for p in info.value.problems]
    assert (
        f"{tmp_path / 'lean.csv'}: row 2, column cashiers: 11 staffed lanes but only 10 exist "
        "(cashiers.lanes)" in errors
    ), errors
    assert any(
        re.match(rf"{re.escape(str(path))}:5: variants\.lean\.kiosks\.count", e) for e in errors
    )
    assert any(
        e.startswith(f"{path}:7: variants.gone.staffing.from: staffing file") and "not found" in e
        for e in errors
    ), errors


def test_a_sweep_may_list_staffing_files_as_points(tmp_path: Path) -> None:
    from checkoutsim.experiments.sweep import load_sweep

    (tmp_path / "base.yaml").write_text(WEEKDAY)
    for n in (1, 2):
        (tmp_path / f"s{n}.csv").write_text(f"start,end,cashiers,attendants\n08:00,21:00,{n},1\n")
    (tmp_path / "sweep.yaml").write_text(
        "base: base.yaml\npoints:\n  - staffing: {from: s1.csv}\n  - staffing: {from: s2.csv}\n"
    )
    sweep = load_sweep(tmp_path / "sweep.yaml")
    assert [p.scenario.staffing[0].cashiers for p in sweep.points] == [1, 2]
