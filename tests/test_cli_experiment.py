"""The experiment commands from the command line: precision mode, compare, sweep."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from checkoutsim.cli import app

ROOT = Path(__file__).resolve().parents[1]
WEEKDAY = ROOT / "scenarios" / "weekday.yaml"
LEAN = ROOT / "scenarios" / "lean_staffing.yaml"
runner = CliRunner()


def test_run_precision_reports_replications_needed(tmp_path: Path) -> None:
    out = tmp_path / "o"
    args = ["run", str(WEEKDAY), "--precision", "wait_p90_min:0.2", "--max-replications", "30"]
    result = runner.invoke(app, [*args, "--json", "-w", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    precision = payload["precision"]
    assert precision["reached"] and precision["half_width"] <= 0.2
    assert payload["replications"] == precision["replications"] >= 5
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replications"] == precision["replications"]
    assert manifest["precision"]["target"] == "wait_p90_min:0.2"


def test_run_precision_bad_target_exits_2(tmp_path: Path) -> None:
    for bad in ["wait_p90_min", "no_such_metric:1"]:
        args = ["run", str(WEEKDAY), "--precision", bad, "--out", str(tmp_path / "o")]
        result = runner.invoke(app, [*args, "-w", "1"])
        assert result.exit_code == 2
        assert "Traceback" not in result.output
