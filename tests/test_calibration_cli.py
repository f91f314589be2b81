"""`checkoutsim calibrate` and `checkoutsim export-logs` on the command line (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checkoutsim.cli import app
from checkoutsim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASE = str(ROOT / "scenarios/weekday.yaml")


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("cal") / "store.yaml"
    result = CliRunner().invoke(
        app, ["calibrate", str(ROOT / "scenarios/data"), "--base", BASE, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out, result.output


def test_calibrate_writes_a_valid_scenario_and_a_report(calibrated) -> None:
    out, output = calibrated
    scenario = load_scenario(out)
    assert scenario.name == "calibrated"
    assert "# fitted: n=" in out.read_text()
    page = out.with_suffix(".html").read_text()
    for section in ("checks", "arrivals", "basket", "service", "channels", "kiosk", "scenario"):
        assert f'<section id="{section}">' in page
    assert len(re.findall(r'<img src="data:image/png;base64,', page)) == 4
    assert "Next: checkoutsim run" in output


def test_calibrate_refuses_a_log_with_a_missing_column(tmp_path: Path) -> None:
    for path in (ROOT / "scenarios/data").iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    lines = (tmp_path / "transactions.csv").read_text().splitlines()
    header = lines[0].split(",")
    keep = [i for i, name in enumerate(header) if name != "items"]
    text = "\n".join(",".join(row.split(",")[i] for i in keep) for row in lines[:50])
    (tmp_path / "transactions.csv").write_text(text + "\n")
    result = CliRunner().invoke(
        app, ["calibrate", str(tmp_path), "--base", BASE, "--out", str(tmp_path / "x.yaml")]
    )
    assert result.exit_code == 2
    assert "missing column(s) items" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.yaml").exists()


def test_calibrate_refuses_a_folder_without_logs(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["calibrate", str(tmp_path), "--base", BASE, "--out", str(tmp_path / "x.yaml")]
    )
    assert result.exit_code == 2
    assert "no transactions.csv or transactions.parquet" in result.output


def test_export_logs_writes_parquet_and_refuses_a_bad_format(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(
        app, ["export-logs", BASE, "--out", str(tmp_path), "--days", "1", "--format", "parquet"]
    )
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cause_codes.parquet",
        "kiosk_events.parquet",
        "staffing.parquet",
        "transactions.parquet",
    ]
    bad = runner.invoke(app, ["export-logs", BASE, "--out", str(tmp_path), "--format", "xls"])
    assert bad.exit_code == 2
    assert "--format must be csv or parquet" in bad.output


def test_calibrate_one_weekday(tmp_path: Path) -> None:
    from checkoutsim.calibration.export import export_logs, write_logs
    from checkoutsim.calibration.formats import LogDataError
    from checkoutsim.calibration.pipeline import calibrate

    base = load_scenario(BASE)
    write_logs(export_logs(base, 3, 4), tmp_path)  # Mon 2 March to Wed 4 March 2026
    done = calibrate(tmp_path, base, weekdays=["tue"])
    assert done.calibration.days == 1
    assert list(done.calibration.weekday_totals.index) == ["Tue"]
    everything = calibrate(tmp_path, base)
    assert list(everything.calibration.weekday_totals.index) == ["Mon", "Tue", "Wed"]
    with pytest.raises(LogDataError, match="unknown weekday"):
        calibrate(tmp_path, base, weekdays=["Funday"])
    with pytest.raises(LogDataError, match="no transactions on Sat"):
        calibrate(tmp_path, base, weekdays=["Sat"])
