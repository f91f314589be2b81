"""export-logs: simulated days written in the documented log formats, and read back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from checkoutsim.calibration.export import export_logs, write_logs
from checkoutsim.calibration.formats import TABLES
from checkoutsim.calibration.reading import read_logs
from checkoutsim.experiments.simulate import simulate
from checkoutsim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def weekday():
    return load_scenario(ROOT / "scenarios/weekday.yaml")


def test_exported_tables_use_only_documented_columns(weekday) -> None:
    tables = export_logs(weekday, 1, 3)
    for fmt, (stem, table) in zip(TABLES, tables.items(), strict=True):
        assert stem == fmt.file_stem
        assert set(fmt.required) <= set(table.columns) <= set(fmt.names)


def test_export_matches_the_simulated_days(weekday) -> None:
    tables = export_logs(weekday, 2, 5)
    result = simulate(weekday, replications=2, seed=5, workers=1)
    served = result.customers[result.customers["outcome"] == "served"]
    assert len(tables.transactions) == len(served)
    assert tables.transactions["items"].sum() == served["basket_items"].sum()
    assert len(tables.kiosk_events) == len(result.assists)
    duration = (tables.transactions["end"] - tables.transactions["start"]).dt.total_seconds() / 60
    expected = (served["departure_min"] - served["service_start_min"]).to_numpy()
    assert np.isclose(np.sort(duration.to_numpy()), np.sort(expected), atol=1e-6).all()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_written_logs_read_back_unchanged(weekday, tmp_path: Path, fmt: str) -> None:
    tables = export_logs(weekday, 2, 11)
    write_logs(tables, tmp_path, fmt)
    logs = read_logs(
        tmp_path / f"transactions.{fmt}",
        tmp_path / f"kiosk_events.{fmt}",
        tmp_path / f"cause_codes.{fmt}",
        tmp_path / f"staffing.{fmt}",
        open_min=weekday.store.open_min,
        close_min=weekday.store.open_min + weekday.store.day_length_min,
    )
    assert logs.notes == []
    assert len(logs.transactions) == len(tables.transactions)
    assert len(logs.events) == len(tables.kiosk_events)
    assert len(logs.arrival_days) == 2
    assert logs.transactions["duration_min"].sum() == pytest.approx(
        ((tables.transactions["end"] - tables.transactions["start"]).dt.total_seconds() / 60).sum()
    )


def test_shipped_examples_are_the_documented_export() -> None:
    data = ROOT / "scenarios/data"
    for fmt in TABLES:
        header = (data / f"{fmt.file_stem}.csv").read_text().splitlines()[0].split(",")
        assert set(fmt.required) <= set(header) <= set(fmt.names)
    assert "export-logs" in (ROOT / "docs/calibrate.md").read_text()


def test_shipped_examples_are_reproduced_by_export_logs(weekday, tmp_path: Path) -> None:
    write_logs(export_logs(weekday, 2), tmp_path)  # the scenario's own seed, as documented
    written = sorted(tmp_path.iterdir())
    assert written
    for path in written:  # scenarios/data/ also holds other examples (a staffing CSV)
        assert (ROOT / "scenarios/data" / path.name).read_bytes() == path.read_bytes(), path.name
