"""Issue 18, inputs: every problem of a file in one run, and no unvalidated scenario by copy.

Each test here fails on the code before the fix.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from checkoutsim import ScenarioError, load_scenario
from checkoutsim.cli import app

ROOT = Path(__file__).resolve().parents[1]
WEEKDAY_FILE = ROOT / "scenarios" / "weekday.yaml"
WEEKDAY = WEEKDAY_FILE.read_text()
runner = CliRunner()


def _edits(*pairs: tuple[str, str]) -> str:
    text = WEEKDAY
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# Four different mistakes: a bad value in cashiers, an unknown key in kiosks, a gap in the
# staffing, and more staffed lanes than exist. Before, the first two hid the last (the lane
# check needs cashiers, which did not validate as a whole), so it took two rounds.
FOUR_MISTAKES = _edits(
    (
        "fixed_min: {kind: gamma, mean: 0.40, sd: 0.15}",
        "fixed_min: {kind: gamma, mean: 0.40}",
    ),
    ("  count: 8\n", "  count: 8\n  colour: red\n"),
    (
        '{start: "10:00", end: "11:00", cashiers: 3,',
        '{start: "10:30", end: "11:00", cashiers: 3,',
    ),
    (
        '{start: "11:00", end: "14:00", cashiers: 4,',
        '{start: "11:00", end: "14:00", cashiers: 25,',
    ),
)


def test_four_mistakes_are_all_reported_in_one_run(tmp_path: Path) -> None:
    path = tmp_path / "four.yaml"
    path.write_text(FOUR_MISTAKES)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    found = {(p.key_path, p.line) for p in info.value.problems}
    text = FOUR_MISTAKES
    assert ("cashiers.fixed_min.sd", _line_of(text, "mean: 0.40}")) in found
    assert ("kiosks.colour", _line_of(text, "colour: red")) in found
    assert ("staffing[1].start", _line_of(text, '"10:30"')) in found
    assert ("staffing[2].cashiers", _line_of(text, "cashiers: 25")) in found
    assert len(info.value.problems) == 4, [str(p) for p in info.value.problems]
    assert all(p.source == str(path) for p in info.value.problems)


def test_four_mistakes_on_the_command_line_exit_2_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "four.yaml"
    path.write_text(FOUR_MISTAKES)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    output = result.output
    assert "Traceback" not in output
    for fragment in ("cashiers.fixed_min.sd", "kiosks.colour", "staffing[1].start"):
        assert fragment in output
    assert "25 staffed lanes but only 10 exist" in output


def test_an_unknown_run_key_does_not_hide_the_capacity_guard(tmp_path: Path) -> None:
    # 13 hours at 10,000 customers an hour: about 130,000 customers, 200 MB; budget 64 MB.
    text = _edits(("  replications: 10\n", "  replication: 10\n  memory_budget_mb: 64\n"))
    text = re.sub(r"customers_per_hour: \d+", "customers_per_hour: 10000", text)
    path = tmp_path / "big.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    paths = [p.key_path for p in info.value.problems]
    assert "run.replication" in paths
    assert any("too large to simulate" in p.message for p in info.value.problems), paths


def test_an_invalid_field_a_check_reads_skips_that_check_not_guesses(tmp_path: Path) -> None:
    # cashiers.lanes itself is invalid: the lane check cannot judge, so it says nothing more.
    text = _edits(("  lanes: 10\n", "  lanes: ten\n"))
    path = tmp_path / "lanes.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [p.key_path for p in info.value.problems] == ["cashiers.lanes"]


# -- model_copy(update=...) validates -----------------------------------------------------------


def test_model_copy_cannot_put_25_cashiers_on_10_lanes_silently() -> None:
    weekday = load_scenario(WEEKDAY_FILE)
    blocks = [b.model_copy(update={"cashiers": 25}) for b in weekday.staffing]
    with pytest.raises(ValidationError) as info:
        weekday.model_copy(update={"staffing": blocks})
    assert "staffing[0].cashiers: 25 staffed lanes but only 10 exist" in str(info.value)


def test_model_copy_of_a_part_checks_its_ranges_and_keys() -> None:
    weekday = load_scenario(WEEKDAY_FILE)
    with pytest.raises(ValidationError):
        weekday.staffing[0].model_copy(update={"cashiers": -1})
    with pytest.raises(ValidationError):
        weekday.run.model_copy(update={"sample_interval_min": 1e-6})
    with pytest.raises(ValidationError):
        weekday.customers.basket_items.model_copy(update={"sd": -1.0})
    with pytest.raises(ValidationError, match="casheirs"):
        weekday.model_copy(update={"casheirs": 3})


def test_model_copy_with_valid_updates_still_works() -> None:
    weekday = load_scenario(WEEKDAY_FILE)
    run = weekday.run.model_copy(update={"replications": 3})
    kiosks = weekday.kiosks.model_copy(update={"count": 6})
    first = {"start": "08:00", "end": "10:00", "cashiers": 3, "attendants": 1}  # plain data
    copy = weekday.model_copy(
        update={
            "run": run,
            "name": "three",
            "kiosks": kiosks,
            "staffing": [first, *weekday.staffing[1:]],
        }
    )
    assert (copy.run.replications, copy.name, copy.kiosks.count) == (3, "three", 6)
    assert copy.staffing[0].cashiers == 3
    assert copy.kiosks.confusion == weekday.kiosks.confusion
    assert weekday.model_copy() == weekday


# -- simulate() shows progress where someone is watching ----------------------------------------


def _two_days(progress: object = None) -> None:
    from checkoutsim import simulate

    simulate(load_scenario(WEEKDAY_FILE), 2, 1, workers=1, progress=progress)  # type: ignore[arg-type]


def test_simulate_in_a_script_shows_no_bar(capfd: pytest.CaptureFixture[str]) -> None:
    _two_days()
    assert capfd.readouterr().err == ""


def test_simulate_at_an_interactive_prompt_shows_a_bar(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "ps1", ">>> ", raising=False)
    _two_days()
    err = capfd.readouterr().err
    assert "simulating weekday" in err
    assert "2/2" in err


def test_simulate_progress_true_and_false(capfd: pytest.CaptureFixture[str]) -> None:
    _two_days(True)
    assert "2/2" in capfd.readouterr().err
    _two_days(False)
    assert capfd.readouterr().err == ""
    calls: list[tuple[int, int]] = []
    _two_days(lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]


@pytest.mark.notebook
def test_simulate_in_a_notebook_shows_a_bar_by_default() -> None:
    import nbformat
    from nbclient import NotebookClient

    book = nbformat.v4.new_notebook()
    book.cells = [
        nbformat.v4.new_code_cell(
            "from checkoutsim import load_scenario, simulate\n"
            f"result = simulate(load_scenario({str(WEEKDAY_FILE)!r}), 2, 1, workers=1)"
        )
    ]
    NotebookClient(book, timeout=300, kernel_name="python3").execute()
    html = [
        output["data"]["text/html"]
        for output in book.cells[0].outputs
        if "text/html" in output.get("data", {})
    ]
    assert html, book.cells[0].outputs
    assert "<progress" in html[0]
    assert "simulating weekday" in html[0]
    assert "2/2 days" in html[0]  # updated in place to the end


# -- --xlsx: one workbook for planners ----------------------------------------------------------


def _sheets(path: Path) -> dict[str, list[list[object]]]:
    from openpyxl import load_workbook

    book = load_workbook(path)
    return {
        name: [[c.value for c in row] for row in book[name].iter_rows()] for name in book.sheetnames
    }


def test_run_xlsx_writes_summary_hourly_and_staffing(tmp_path: Path) -> None:
    book = tmp_path / "weekday.xlsx"
    args = ["run", str(WEEKDAY_FILE), "-n", "2", "-w", "1", "-o", str(tmp_path / "out")]
    result = runner.invoke(app, [*args, "--xlsx", str(book)])
    assert result.exit_code == 0, result.output
    sheets = _sheets(book)
    assert list(sheets) == ["summary", "hourly", "staffing"]
    header = sheets["summary"][0]
    assert {"Unit", "Mean (unit)", "95% CI low (unit)", "95% CI high (unit)"} <= set(header)
    rows = {r[header.index("Metric key")]: r for r in sheets["summary"][1:] if r[1] == "all"}
    assert rows["wait_p90_min"][header.index("Unit")] == "min"
    assert rows["labour_cost"][header.index("Unit")] == "USD per day"
    hourly = sheets["hourly"]
    assert hourly[1][hourly[0].index("Unit")] == "customers per hour"
    for row in sheets["summary"][1:] + hourly[1:]:
        for value in row:
            if isinstance(value, float):
                assert value == round(value, 4)  # rounded, never 15 digits
                assert abs(value) < 0.01 or value == round(value, 2)
    staffing = sheets["staffing"]
    assert staffing[0][:4] == ["Plan", "Start (HH:MM)", "End (HH:MM)", "Cashiers (lanes staffed)"]
    weekday = load_scenario(WEEKDAY_FILE)
    assert [r[3] for r in staffing[1:]] == [b.cashiers for b in weekday.staffing]
    # Run again: its own workbook is replaced.
    result = runner.invoke(app, [*args, "--xlsx", str(book)])
    assert result.exit_code == 0, result.output


def test_xlsx_never_overwrites_a_planners_own_file(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = tmp_path / "roster.xlsx"
    own = Workbook()
    own.active["A1"] = "my roster"
    own.save(book)
    before = book.read_bytes()
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["run", str(WEEKDAY_FILE), "-n", "2", "-o", str(out), "--xlsx", str(book)]
    )
    assert result.exit_code == 2
    assert "not written by checkoutsim" in result.output
    assert "Traceback" not in result.output
    assert book.read_bytes() == before
    assert not out.exists()  # refused before simulating


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("table.csv", "must end in .xlsx"), ("missing/dir/book.xlsx", "does not exist")],
)
def test_xlsx_bad_paths_are_refused_before_simulating(
    tmp_path: Path, name: str, fragment: str
) -> None:
    out = tmp_path / "o"
    result = runner.invoke(
        app, ["run", str(WEEKDAY_FILE), "-o", str(out), "--xlsx", str(tmp_path / name)]
    )
    assert result.exit_code == 2
    assert fragment in result.output
    assert not out.exists()


def test_compare_xlsx_has_the_paired_differences(tmp_path: Path) -> None:
    book = tmp_path / "compare.xlsx"
    lean = ROOT / "scenarios" / "lean_staffing.yaml"
    result = runner.invoke(
        app, ["compare", str(WEEKDAY_FILE), str(lean), "-n", "2", "-w", "1", "--xlsx", str(book)]
    )
    assert result.exit_code == 0, result.output
    sheets = _sheets(book)
    assert list(sheets) == ["summary", "staffing", "differences"]
    header = sheets["differences"][0]
    assert "Difference, plan - base (unit)" in header
    assert {r[0] for r in sheets["staffing"][1:]} == {"weekday", "lean_staffing"}
