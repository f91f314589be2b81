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


PLAN = ROOT / "scenarios" / "plans" / "weekday_variants.yaml"


def test_compare_two_files_prints_paired_differences(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    args = ["compare", str(WEEKDAY), str(LEAN), "-n", "3", "-w", "1", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "lean_staffing − weekday" in result.output
    assert "Queue wait, p90 (min)" in result.output
    names = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert {
        "summary.csv",
        "differences.csv",
        "metrics_by_rep.csv",
        "scenarios/weekday.yaml",
        "scenarios/lean_staffing.yaml",
        "manifest.json",
    } <= names
    assert not [n for n in names if n.endswith(".tmp")]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["plans"] == ["weekday", "lean_staffing"] and manifest["replications"] == 3


def test_compare_plan_json(tmp_path: Path) -> None:
    args = ["compare", "--plan", str(PLAN), "-n", "2", "-w", "1", "--json", "--seed", "5"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["plans"][0] == "weekday" and len(payload["plans"]) == 4
    assert payload["bonferroni"] == 3 and payload["seed"] == 5
    row = next(
        r
        for r in payload["differences"]
        if r["scenario"] == "evening_cashier" and r["metric"] == "wait_p90_min"
    )
    assert row["scope"] == "all" and row["diff_low"] <= row["diff_mean"] <= row["diff_high"]
    # A plan file also works as the only positional argument.
    again = runner.invoke(app, ["compare", str(PLAN), "-n", "2", "-w", "1", "--json", "-s", "5"])
    assert json.loads(again.stdout)["differences"] == payload["differences"]


def test_compare_user_mistakes_exit_2(tmp_path: Path) -> None:
    bad_plan = tmp_path / "plan.yaml"
    bad_plan.write_text(f"base: {WEEKDAY}\nvariants:\n  a:\n    kiosks.cont: 3\n")
    cases = [
        ["compare", str(WEEKDAY), "--plan", str(PLAN)],
        ["compare"],
        ["compare", str(WEEKDAY)],
        ["compare", str(WEEKDAY), str(LEAN), "-n", "2", "-m", "no_such_metric"],
        ["compare", str(WEEKDAY), str(LEAN), "-n", "2", "--scope", "everyone"],
        ["compare", "--plan", str(bad_plan)],
    ]
    for args in cases:
        result = runner.invoke(app, [*args, "-w", "1"])
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
    result = runner.invoke(app, ["compare", "--plan", str(bad_plan), "-w", "1"])
    text = " ".join(result.output.split())
    assert f"{bad_plan}:4: variants.a.kiosks.cont: no key 'cont' under kiosks" in text
