"""``checkoutsim roster`` from the command line: files, tables and user errors (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml
from typer.testing import CliRunner

from checkoutsim.cli import app

ROOT = Path(__file__).resolve().parents[1]
WEEKDAY = ROOT / "scenarios" / "weekday.yaml"
runner = CliRunner()

MORNING = {
    "store": {"open": "08:00", "close": "12:00"},
    "arrivals": {
        "profile": [
            {"start": "08:00", "end": "10:00", "customers_per_hour": 100},
            {"start": "10:00", "end": "12:00", "customers_per_hour": 200},
        ]
    },
    "staffing": [
        {"start": "08:00", "end": "10:00", "cashiers": 2, "attendants": 1},
        {"start": "10:00", "end": "12:00", "cashiers": 3, "attendants": 1},
    ],
}


def _week(tmp_path: Path) -> Path:
    path = tmp_path / "mini_week.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "base": str(WEEKDAY),
                "days": {"monday": MORNING, "saturday": MORNING},
                "shifts": {
                    "slot_min": 60,
                    "roles": {"cashier": {"lengths_h": [2, 4]}, "attendant": {"lengths_h": [4]}},
                    "breaks": [],
                },
            },
            sort_keys=False,
        )
    )
    return path


def test_roster_writes_csv_yaml_and_gantt(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["roster", str(_week(tmp_path)), "-t", "wait_p90_min<=4", "-n", "2", "-w", "1"]
    book = tmp_path / "roster.xlsx"
    result = runner.invoke(app, [*args, "--report", "--out", str(out), "--xlsx", str(book)])
    assert result.exit_code == 0, result.output
    sheets = pd.read_excel(book, sheet_name=None)
    assert set(sheets) == {"shifts", "costs", "requirement", "check"}
    assert len(sheets["shifts"]) == len(pd.read_csv(out / "roster.csv"))
    assert any(c.endswith("(USD)") for c in sheets["costs"].columns)  # units in the headers
    page = (out / "report.html").read_text()
    assert 'id="fig-gantt"' in page and 'id="check-table"' in page and "monday" in page
    assert "Fresh check" in result.output and "Cost by day type" in result.output
    files = {p.name for p in out.iterdir()}
    assert {"roster.csv", "roster.yaml", "costs.csv", "check.csv", "gantt.png"} <= files
    shifts = pd.read_csv(out / "roster.csv")
    assert list(shifts.columns[:4]) == ["role", "day", "start", "end"]
    assert set(shifts["day"]) == {"monday", "saturday"}
    doc = yaml.safe_load((out / "roster.yaml").read_text())  # PyYAML: YAML 1.1 rules
    assert sum(len(v) for v in doc["roster"].values()) == len(shifts)
    first = doc["roster"]["monday"][0]
    assert isinstance(first["start"], str) and ":" in first["start"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command_name"] == "roster"
    assert {"roster.csv", "gantt.png"} <= set(manifest["files"])


def test_roster_user_mistakes_exit_2(tmp_path: Path) -> None:
    week = _week(tmp_path)
    no_target = runner.invoke(app, ["roster", str(week), "--out", str(tmp_path / "a")])
    assert no_target.exit_code == 2 and "--target" in no_target.output
    bad = runner.invoke(
        app, ["roster", str(week), "-t", "nonsense<=1", "-n", "2", "--out", str(tmp_path / "b")]
    )
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    objective = runner.invoke(
        app,
        [
            "roster",
            str(week),
            "-t",
            "wait_p90_min<=4",
            "--objective",
            "cheapest",
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert objective.exit_code == 2 and "--objective" in objective.output
    data = yaml.safe_load(week.read_text())
    data["shifts"]["roles"]["cashier"]["lengths_h"] = [2.5]
    week.write_text(yaml.safe_dump(data))
    rules = runner.invoke(
        app, ["roster", str(week), "-t", "wait_p90_min<=4", "--out", str(tmp_path / "c")]
    )
    assert rules.exit_code == 2 and "lengths_h" in rules.output


def test_validate_knows_week_files() -> None:
    result = runner.invoke(app, ["validate", str(ROOT / "scenarios" / "week.yaml")])
    assert result.exit_code == 0, result.output
    assert "week file, 7 day type(s)" in result.output


def test_roster_json_is_clean_json_on_a_real_stdout(tmp_path: Path) -> None:
    """A subprocess, so HiGHS's native output (fd 1) would show if it leaked into --json."""
    import subprocess
    import sys

    args = ["roster", str(_week(tmp_path)), "-t", "wait_p90_min<=4", "-n", "2", "-w", "1"]
    done = subprocess.run(
        [sys.executable, "-m", "checkoutsim", *args, "--json", "--out", str(tmp_path / "j")],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["holds"] in (True, False) and len(payload["shifts"]) > 0
    assert payload["roster_cost"] >= payload["block_cost"]
