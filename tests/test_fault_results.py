"""Kiosk faults in the results: the faults table, its per-day metrics and its file."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from checkoutsim.experiments.simulate import simulate
from checkoutsim.model.store import run_replication
from checkoutsim.results.run_files import write_results
from checkoutsim.results.tables import SimulationResult, faults_frame
from checkoutsim.scenario.loader import load_scenario
from checkoutsim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]
WEEKDAY = ROOT / "scenarios" / "weekday.yaml"
FAULT_METRICS = ("kiosk_outages", "kiosk_out_of_order_min", "attendant_repair_min")
SEED = 8


@cache
def _scenario() -> Scenario:
    """weekday.yaml with kiosks breaking down often (both kinds of repair)."""
    d = load_scenario(WEEKDAY).to_dict()
    d["kiosks"]["faults"] = [
        {
            "name": "paper_or_cash",
            "per_kiosk_hour": 0.3,
            "repair_min": {"kind": "lognormal", "mean": 2.0, "sd": 1.0},
            "cleared_by": "attendant",
        },
        {
            "name": "hardware",
            "per_kiosk_hour": 0.03,
            "repair_min": {"kind": "fixed", "value": 30.0},
            "cleared_by": "technician",
        },
    ]
    return Scenario.model_validate(d)


@cache
def _result() -> SimulationResult:
    return simulate(_scenario(), 2, SEED, workers=1, progress=False)


def test_the_faults_table_holds_every_recorded_outage() -> None:
    s, result = _scenario(), _result()
    f = result.faults
    assert list(f.columns[:3]) == ["scenario", "rep", "seed"]
    assert list(f["kind"].cat.categories) == ["paper_or_cash", "hardware"]
    for rep in (0, 1):
        recorded = run_replication(s, rep, SEED).faults
        day = f[f["rep"] == rep]
        assert len(day) == recorded["kind"].size > 10
        np.testing.assert_array_equal(day["kind"].cat.codes, recorded["kind"])
        np.testing.assert_array_equal(day["kiosk"], recorded["kiosk"])
        np.testing.assert_array_equal(day["repaired_min"], recorded["repaired_min"])
    assert set(f["kind"]) == {"paper_or_cash", "hardware"}
    np.testing.assert_allclose(f["out_of_order_min"], f["repaired_min"] - f["down_min"])
    tech = f["kind"] == "hardware"
    assert (f.loc[tech, "attendant"] == -1).all()
    assert (f.loc[tech, "repair_attendant_min"] == 0).all()
    np.testing.assert_allclose(f.loc[tech, "out_of_order_min"], 30.0)
    own = f[~tech]
    assert (own["attendant"] >= 0).all()
    assert (own["attendant_arrived_min"] >= own["assigned_min"]).all()
    np.testing.assert_allclose(
        own["repair_attendant_min"], own["repaired_min"] - own["assigned_min"]
    )
    # The hour label is the clock hour the kiosk went down in.
    hour = (s.store.open_min + f["down_min"]) // 60
    assert [int(h[:2]) for h in f["down_hour"].astype(str)] == hour.astype(int).tolist()


def test_fault_metrics_add_up_per_day() -> None:
    result = _result()
    m = result.metrics()
    f = result.faults
    for rep in (0, 1):
        day = m[(m["rep"] == rep) & (m["scope"] == "all")].set_index("metric")["value"]
        mine = f[f["rep"] == rep]
        assert day["kiosk_outages"] == len(mine)
        assert day["kiosk_out_of_order_min"] == pytest.approx(mine["out_of_order_min"].sum())
        assert day["attendant_repair_min"] == pytest.approx(
            mine.loc[mine["attendant"] >= 0, "repaired_min"].sum()
            - mine.loc[mine["attendant"] >= 0, "assigned_min"].sum()
        )
        # Repairs are part of the attendants' busy time in the time series.
        ts = result.timeseries[result.timeseries["rep"] == rep]
        width = np.diff(ts["time_min"].to_numpy(), prepend=0.0)
        busy = float(np.dot(ts["attendants_busy_avg"].to_numpy(), width))
        assert 0 < day["attendant_repair_min"] < busy
    summary = result.summary()
    assert set(FAULT_METRICS) <= set(summary.loc[summary["scope"] == "all", "metric"])
    assert not set(FAULT_METRICS) & set(summary.loc[summary["scope"] != "all", "metric"])


def test_a_scenario_without_faults_keeps_its_metrics_and_an_empty_table() -> None:
    d = _scenario().to_dict()
    d["kiosks"]["faults"] = []
    result = simulate(Scenario.model_validate(d), 1, SEED, workers=1, progress=False)
    assert result.faults.empty
    assert list(result.faults.columns) == list(_result().faults.columns)
    assert not set(FAULT_METRICS) & set(result.metrics()["metric"])
    # Built without a faults table (old code paths): empty, with the columns.
    old = SimulationResult(
        result.scenario, SEED, 1, result.customers, result.assists, result.timeseries
    )
    assert old.faults.empty and list(old.faults.columns) == list(result.faults.columns)


def test_faults_frame_of_days_recorded_without_faults() -> None:
    s = _scenario()
    columns = run_replication(s, 0, SEED)
    bare = replace(columns, faults={})
    frame = faults_frame(s, SEED, [(0, bare), (1, columns)])
    assert (frame["rep"] == 1).all() and len(frame) == columns.faults["kind"].size


def test_write_results_writes_the_faults_beside_the_assists(tmp_path: Path) -> None:
    result = _result()
    out = tmp_path / "out"
    write_results(result, out, command="test")
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert "faults.parquet" in manifest["files"]
    back = pd.read_parquet(out / "faults.parquet")
    pd.testing.assert_frame_equal(back, result.faults, check_dtype=False)
