"""The command line as a planner uses it: files written, clear errors, exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from checkoutsim import load_scenario
from checkoutsim.cli import app

ROOT = Path(__file__).resolve().parents[1]
WEEKDAY = ROOT / "scenarios" / "weekday.yaml"
runner = CliRunner()


def test_run_writes_every_result_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(WEEKDAY), "-n", "2", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Queue wait, p90" in result.output  # "(min)" may wrap onto the next line at 80
    names = {p.name for p in out.iterdir()}
    assert {
        "customers.parquet",
        "assists.parquet",
        "timeseries.parquet",
        "summary.csv",
        "summary_by_hour.csv",
        "metrics_by_rep.csv",
        "scenario.yaml",
        "manifest.json",
    } <= names
    assert not [n for n in names if n.endswith(".tmp")]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3 and manifest["replications"] == 2
    assert set(manifest["files"]) >= {"customers.parquet", "summary.csv"}
    customers = pd.read_parquet(out / "customers.parquet")
    assert sorted(customers["rep"].unique()) == [0, 1]
    assert list(customers.columns[:3]) == ["scenario", "rep", "seed"]
    # The resolved scenario written out loads back to the same scenario.
    assert load_scenario(out / "scenario.yaml") == load_scenario(WEEKDAY)


def test_run_json_prints_summary(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["run", str(WEEKDAY), "-n", "2", "--json", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["replications"] == 2
    metrics = {(row["scope"], row["metric"]) for row in payload["summary"]}
    assert ("all", "wait_p90_min") in metrics and ("kiosk", "served") in metrics


def test_validate_ok_and_bad(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["validate", str(WEEKDAY)])
    assert ok.exit_code == 0 and "ok" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(WEEKDAY.read_text().replace("  count: 8\n", "  cuont: 8\n"))
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "kiosks.cuont" in result.output and "unknown key" in result.output


@pytest.mark.parametrize("command", ["run", "validate"])
def test_user_mistakes_exit_2_without_traceback(tmp_path: Path, command: str) -> None:
    """Run as a real process, to see exactly what a user sees."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nstore: [1, 2\n")
    proc = subprocess.run(
        [sys.executable, "-m", "checkoutsim", command, str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert f"{bad}:" in proc.stderr and "malformed YAML" in proc.stderr


def test_missing_file_exits_2() -> None:
    result = runner.invoke(app, ["run", "no/such/file.yaml"])
    assert result.exit_code == 2
    assert "file not found" in result.output


def test_schema_is_json_schema_with_every_section() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert {"store", "arrivals", "customers", "cashiers", "kiosks", "staffing"} <= set(
        schema["properties"]
    )
    assert schema.get("additionalProperties") is False


def test_init_writes_a_valid_starter_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "starter.yaml"
    first = runner.invoke(app, ["init", str(target)])
    assert first.exit_code == 0, first.output
    assert load_scenario(target).name == "my_store"
    second = runner.invoke(app, ["init", str(target)])
    assert second.exit_code == 2 and "already exists" in second.output


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "optimize"])
def test_help_shows_every_stated_default(command: str) -> None:
    """Help text in square brackets is read as rich markup and vanishes; defaults must show."""
    res = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "(default:" in res.output


def test_results_that_cannot_be_written_are_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    out = blocker / "results"  # under a file: every write fails with an OSError
    scenario = str(Path(__file__).resolve().parents[1] / "scenarios" / "validation" / "mmc.yaml")
    res = CliRunner().invoke(app, ["run", scenario, "-n", "2", "-w", "1", "-o", str(out)])
    assert res.exit_code == 2, res.output
    assert f"cannot create the results folder {out}" in " ".join(res.output.split())
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_a_day_that_never_drains_is_a_user_error_naming_the_file(tmp_path: Path) -> None:
    # Four kiosks, day-long services and endless patience: the queue outlives the drain limit.
    text = (ROOT / "scenarios" / "validation" / "mmc.yaml").read_text()
    text = text.replace(
        "fixed_min: {kind: fixed, value: 0}\n  confusion",
        "fixed_min: {kind: fixed, value: 1440}\n  confusion",
    )
    assert "value: 1440" in text
    path = tmp_path / "jammed.yaml"
    path.write_text(text)
    res = runner.invoke(app, ["run", str(path), "-n", "1", "-w", "1", "-o", str(tmp_path / "o")])
    output = " ".join(res.output.split())
    assert res.exit_code == 2, output
    assert f"error: {path}:" in output and "kiosk" in output and "Traceback" not in output
    assert not (tmp_path / "o" / "manifest.json").exists()


@pytest.mark.parametrize(
    "args",
    [["run"], ["compare", "MMC"], ["optimize", "-t", "wait_p90_min<=4"]],
    ids=["run", "compare", "optimize"],
)
def test_a_seed_of_2_to_the_63_is_refused_on_the_command_line(args: list[str]) -> None:
    mmc = str(ROOT / "scenarios" / "validation" / "mmc.yaml")
    command, *rest = args
    rest = [mmc if a == "MMC" else a for a in rest]
    res = runner.invoke(app, [command, mmc, *rest, "--seed", str(2**63)])
    assert res.exit_code == 2, res.output
    assert "--seed" in res.output and str(2**63 - 1) in res.output


def _closed_store(tmp_path: Path) -> Path:
    text = WEEKDAY.read_text()
    for rate in ("110", "170", "230", "260", "270", "210", "250", "300", "320", "160", "100"):
        text = text.replace(f"customers_per_hour: {rate}}}", "customers_per_hour: 0}")
    assert "customers_per_hour: 1" not in text and "customers_per_hour: 2" not in text
    path = tmp_path / "closed.yaml"
    path.write_text(text)
    return path


def test_a_closed_store_is_a_legitimate_run(tmp_path: Path) -> None:
    # Issue 19: a run in which no day has a customer failed; a closed day is an answer.
    path = _closed_store(tmp_path)
    out = tmp_path / "o"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nor a warning from an empty figure
        res = runner.invoke(
            app, ["run", str(path), "-n", "2", "-w", "1", "--report", "-o", str(out)]
        )
    assert res.exit_code == 0, (res.output, res.exception)
    summary = pd.read_csv(out / "summary.csv").set_index(["scope", "metric"])
    assert summary.loc[("all", "arrivals"), "mean"] == 0
    costs = pd.read_csv(out / "costs.csv").set_index("line")
    assert costs.loc["labour_cost", "mean"] > 0  # the staff on the plan are still paid
    assert pd.read_csv(out / "root_causes_by_hour.csv").empty
    assert "report.html" in json.loads((out / "manifest.json").read_text())["files"]


def test_a_closed_store_compares_sweeps_and_is_refused_by_optimize(tmp_path: Path) -> None:
    path = _closed_store(tmp_path)
    res = runner.invoke(
        app, ["compare", str(path), str(WEEKDAY), "-n", "2", "-w", "1", "-o", str(tmp_path / "c")]
    )
    assert res.exit_code == 0, (res.output, res.exception)
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"base: {path}\nreplications: 2\ngrid: {{kiosks.count: [6, 10]}}\n")
    res = runner.invoke(
        app, ["sweep", str(sweep), "-w", "1", "--report", "-o", str(tmp_path / "s")]
    )
    assert res.exit_code == 0, (res.output, res.exception)
    assert "no customer on any day" in (tmp_path / "s" / "report.html").read_text()
    res = runner.invoke(
        app,
        [
            "optimize",
            str(path),
            "-t",
            "wait_p90_min<=4",
            "-n",
            "2",
            "-w",
            "1",
            "--curve",
            "none",
            "-o",
            str(tmp_path / "o"),
        ],
    )
    assert res.exit_code == 2, (res.output, res.exception)
    assert "no customer came on any simulated day" in " ".join(res.output.split())


def test_validate_recognises_plan_and_sweep_files(tmp_path: Path) -> None:
    # Issue 18: validate on a plan or sweep file printed bogus "required key is missing" errors.
    plan = ROOT / "scenarios" / "plans" / "weekday_variants.yaml"
    res = runner.invoke(app, ["validate", str(plan)])
    assert res.exit_code == 0, res.output
    assert "plan file, base scenario 'weekday' and 3 variant(s)" in " ".join(res.output.split())
    sweep = ROOT / "scenarios" / "sweeps" / "weekday_grid.yaml"
    res = runner.invoke(app, ["validate", str(sweep)])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "sweep file 'weekday_grid', 18 plan(s) over staffing[start=16:00].cashiers" in text
    bad = tmp_path / "bad_plan.yaml"
    bad.write_text(f"base: {WEEKDAY}\nvariants:\n  a: {{kiosks: {{count: 9999}}}}\n")
    res = runner.invoke(app, ["validate", str(bad)])
    assert res.exit_code == 2
    assert "bad_plan.yaml:3: variants.a.kiosks.count" in " ".join(res.output.split())
    assert "required key is missing" not in res.output


def test_json_by_hour_includes_the_hourly_summary(tmp_path: Path) -> None:
    # Issue 18: --json --by-hour silently dropped the hourly data.
    mmc = ROOT / "scenarios" / "validation" / "mmc.yaml"
    args = ["run", str(mmc), "-n", "2", "-w", "1", "--json", "--by-hour", "-o", str(tmp_path)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    hourly = json.loads(res.stdout)["summary_by_hour"]
    expected = pd.read_csv(tmp_path / "summary_by_hour.csv")
    assert len(hourly) == len(expected) and {"hour", "metric", "mean"} <= set(hourly[0])
