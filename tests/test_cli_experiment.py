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


def test_sweep_cli_runs_then_resumes(tmp_path: Path) -> None:
    sweep = tmp_path / "grid.yaml"
    sweep.write_text(
        f"base: {WEEKDAY}\nreplications: 2\ngrid:\n"
        "  staffing[start=16:00].cashiers: [4, 6]\n  kiosks.count: [6, 10]\n"
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(sweep), "--out", str(out), "-w", "1"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Pareto front: p" in text and "Simulated 8 day(s), reused 0 stored" in text
    names = {p.name for p in out.iterdir()}
    assert {"results.csv", "summary.csv", "metrics_by_rep.csv", "points.csv", "manifest.json"} <= (
        names
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["points"] == 4 and manifest["pareto"]["front"]
    again = runner.invoke(app, ["sweep", str(sweep), "--out", str(out), "--json", "-w", "1"])
    assert again.exit_code == 0, again.output
    payload = json.loads(again.stdout)
    assert payload["replications_run"] == 0 and payload["replications_reused"] == 8
    rows = payload["results"]
    assert [r["point"] for r in rows] == ["p01", "p02", "p03", "p04"]
    assert {"staff_hours", "wait_p90_min_mean", "wait_p90_min_ci_low", "pareto"} <= set(rows[0])


def test_sweep_cli_mistakes_exit_2(tmp_path: Path) -> None:
    sweep = tmp_path / "grid.yaml"
    sweep.write_text(f"base: {WEEKDAY}\ngrid:\n  kiosks.count: [6, -2]\n")
    result = runner.invoke(app, ["sweep", str(sweep), "--out", str(tmp_path / "o"), "-w", "1"])
    assert result.exit_code == 2
    assert f"{sweep}:3: grid.kiosks.count[1]" in " ".join(result.output.split())


def test_sweep_refuses_a_folder_another_sweep_holds(tmp_path: Path) -> None:
    from checkoutsim.experiments.run_store import RunStore

    sweep = tmp_path / "grid.yaml"
    sweep.write_text(f"base: {WEEKDAY}\nreplications: 2\ngrid:\n  kiosks.count: [6]\n")
    out = tmp_path / "out"
    with RunStore(out / "runs").lock():
        result = runner.invoke(app, ["sweep", str(sweep), "--out", str(out), "-w", "1"])
    assert result.exit_code == 2
    assert "another process is writing" in " ".join(result.output.split())


def test_sweep_table_shows_factor_paths_verbatim(tmp_path: Path) -> None:
    from rich.console import Console

    from checkoutsim.experiments.run_store import RunStore
    from checkoutsim.experiments.sweep import load_sweep, run_sweep
    from checkoutsim.report.comparison_tables import sweep_table

    sweep = tmp_path / "grid.yaml"
    sweep.write_text(
        f"base: {WEEKDAY}\nreplications: 2\ngrid:\n  staffing[start=16:00].cashiers: [4]\n"
    )
    result = run_sweep(load_sweep(sweep), RunStore(tmp_path / "runs"))
    console = Console(width=200, record=True)
    console.print(sweep_table(result, ["wait_p90_min"]))
    assert "staffing[start=16:00].cashiers" in console.export_text()  # not eaten as markup


def test_sweep_objective_option(tmp_path: Path) -> None:
    # Issue 14: total cost is the default cost axis; --objective labour keeps the old one.
    sweep = tmp_path / "grid.yaml"
    sweep.write_text(f"base: {WEEKDAY}\nreplications: 2\ngrid:\n  kiosks.count: [6, 10]\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(sweep), "--out", str(out), "-w", "1"])
    assert result.exit_code == 0, result.output
    pareto = json.loads((out / "manifest.json").read_text())["pareto"]
    assert pareto["minimise"][0] == "total_cost" and "total_cost" in pareto["noisy"]
    assert "vary from day to day (total_cost" in " ".join(result.output.split())
    labour = runner.invoke(
        app, ["sweep", str(sweep), "--out", str(out), "-w", "1", "--objective", "labour"]
    )
    assert labour.exit_code == 0, labour.output
    pareto = json.loads((out / "manifest.json").read_text())["pareto"]
    assert pareto["minimise"][0] == "operating_cost" and "operating_cost" not in pareto["noisy"]
    bad = runner.invoke(app, ["sweep", str(sweep), "--out", str(out), "--objective", "margin"])
    assert bad.exit_code == 2 and "must be 'total' or 'labour'" in bad.output
    named = tmp_path / "named.yaml"
    named.write_text(sweep.read_text() + "pareto: {minimise: [staff_hours]}\n")
    clash = runner.invoke(
        app, ["sweep", str(named), "--out", str(tmp_path / "o2"), "--objective", "labour"]
    )
    assert clash.exit_code == 2 and "names its Pareto objectives" in " ".join(clash.output.split())
    assert "Traceback" not in clash.output
