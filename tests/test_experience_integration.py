"""The experience layer inside results, the CLI and the written files; lean versus weekday."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st
from typer.testing import CliRunner

from checkoutsim import Scenario, SimulationResult, simulate
from checkoutsim.cli import app
from checkoutsim.experience.pipeline import EXPERIENCE_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
SIMULATED = [
    "arrival_min",
    "basket_items",
    "channel",
    "lane",
    "outcome",
    "queue_wait_min",
    "service_start_min",
    "departure_min",
    "assists",
    "assist_total_min",
]


def test_result_customers_carry_the_experience_columns(lean: Scenario) -> None:
    result = simulate(lean, replications=2, seed=8)
    for column in EXPERIENCE_COLUMNS:
        assert column in result.customers.columns
    c = result.customers
    assert c["satisfaction"].between(1.0, 5.0).all()
    assert c["effort"].between(1.0, 7.0).all()
    assert set(c["nps_class"].unique()) <= {"detractor", "passive", "promoter"}
    assert (c["perceived_wait_min"] >= 0).all()
    assert result.coupons is not None and len(result.coupons) == 2 * 2  # 2 days x 2 shifts


def test_experience_settings_never_change_the_simulation(lean: Scenario) -> None:
    """Satisfaction, coupons and money are post-processing: the simulated day is identical."""
    other = lean.with_overrides(
        {
            "satisfaction": {"perceived_wait": {"queue_weight": 3.0}, "csat": {"shape": 4.0}},
            "service_recovery": {"coupons_per_shift": 500, "frustration_threshold_felt_min": 0.0},
            "costs": {"cashier_wage_per_hour": 99.0},
        }
    )
    a = simulate(lean, replications=2, seed=21)
    b = simulate(other, replications=2, seed=21)
    pd.testing.assert_frame_equal(a.customers[SIMULATED], b.customers[SIMULATED])
    pd.testing.assert_frame_equal(a.assists, b.assists)
    assert not np.allclose(a.customers["satisfaction"], b.customers["satisfaction"])


def test_a_result_built_without_the_columns_gets_them(weekday: Scenario) -> None:
    result = simulate(weekday, replications=1, seed=2)
    bare = result.customers.drop(columns=list(EXPERIENCE_COLUMNS))
    rebuilt = SimulationResult(weekday, result.seed, 1, bare, result.assists, result.timeseries)
    pd.testing.assert_frame_equal(rebuilt.customers, result.customers)


def test_metrics_hourly_root_causes_and_costs(lean: Scenario) -> None:
    result = simulate(lean, replications=3, seed=4)
    m = result.metrics()
    for metric in ("csat_mean", "satisfied_pct", "ces_mean", "nps", "coupons_used"):
        per_rep = m[(m["metric"] == metric) & (m["scope"] == "all")]
        assert len(per_rep) == 3
    assert set(m[m["metric"] == "csat_mean"]["scope"]) == {"all", "cashier", "kiosk"}
    s = result.summary()
    row = s[(s["scope"] == "all") & (s["metric"] == "nps")].iloc[0]
    assert row["ci_low"] <= row["mean"] <= row["ci_high"]
    hourly = result.summary_by_hour()
    assert {"csat_mean", "nps", "labour_cost", "lost_sales"} <= set(hourly["metric"])
    rc = result.root_causes()
    assert rc["rank"].tolist() == list(range(1, len(rc) + 1))
    costs = result.costs()
    assert "labour_cost" in costs["line"].tolist()
    labour = costs.set_index("line").loc["labour_cost", "mean"]
    assert labour == pytest.approx(13 * 15.0 + 13 * 15.0)


def test_cli_run_shows_and_writes_experience_and_money(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "lean"
    res = runner.invoke(
        app,
        [
            "run",
            str(ROOT / "scenarios" / "lean_staffing.yaml"),
            "-n",
            "2",
            "-w",
            "1",
            "-o",
            str(out),
        ],
        env={"COLUMNS": "160"},
    )
    assert res.exit_code == 0, res.output
    for words in (
        "Experience",
        "CSAT",
        "NPS",
        "Customer Effort Score",
        "Money",
        "Labour",
        "Lost sales",
        "root causes",
        "Cashier queue",
    ):
        assert words in res.output
    for name in ("root_causes.csv", "root_causes_by_hour.csv", "costs.csv", "coupons.csv"):
        assert (out / name).exists()
        assert name in json.loads((out / "manifest.json").read_text())["files"]
    coupons = pd.read_csv(out / "coupons.csv")
    assert len(coupons) == 4
    assert (coupons["used"] + coupons["left"] == coupons["coupons"]).all()
    res = runner.invoke(
        app,
        [
            "run",
            str(ROOT / "scenarios" / "weekday.yaml"),
            "-n",
            "2",
            "-w",
            "1",
            "-o",
            str(tmp_path / "wd"),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    assert payload["root_causes"][0]["cause"] == "cashier_queue"
    assert {r["line"] for r in payload["costs"]} >= {"labour_cost", "lost_sales", "revenue_at_risk"}
    assert "csat_mean" in {r["metric"] for r in payload["summary"]}
    assert pd.read_csv(tmp_path / "wd" / "coupons.csv").empty  # no coupon book in weekday


def _per_rep(result: SimulationResult, metric: str, scope: str = "all") -> np.ndarray:
    m = result.metrics()
    return m[(m["metric"] == metric) & (m["scope"] == scope)].sort_values("rep")["value"].to_numpy()


def _ci(values: np.ndarray, level: float = 0.99) -> tuple[float, float]:
    half = st.t.ppf(0.5 + level / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return float(values.mean() - half), float(values.mean() + half)


@pytest.mark.validation
def test_lean_plan_is_worse_for_customers_and_for_the_business(
    weekday: Scenario, lean: Scenario
) -> None:
    """The lean story: one cashier's line grows, its customers sour, sales walk out."""
    reps, seed = 8, 20261122
    wd = simulate(weekday, replications=reps, seed=seed)
    ln = simulate(lean, replications=reps, seed=seed)
    # Worse on every experience figure, with 99% intervals over days that do not overlap.
    for metric in ("csat_mean", "satisfied_pct", "ces_mean", "nps"):
        lean_lo, lean_hi = _ci(_per_rep(ln, metric))
        wd_lo, wd_hi = _ci(_per_rep(wd, metric))
        assert lean_hi < wd_lo, (metric, (lean_lo, lean_hi), (wd_lo, wd_hi))
    # Where it hurts: lean's cashier customers, not its kiosk customers.
    assert _ci(_per_rep(ln, "csat_mean", "cashier"))[1] < _ci(_per_rep(ln, "csat_mean", "kiosk"))[0]
    # Money: the cut saves labour, but (paired by common random numbers) loses more margin
    # than it saves.
    saving = _per_rep(wd, "operating_cost") - _per_rep(ln, "operating_cost")
    assert saving.min() > 0
    extra_lost_margin = _per_rep(ln, "lost_margin") - _per_rep(wd, "lost_margin")
    assert _ci(extra_lost_margin - saving)[0] > 0
    assert (
        _ci(_per_rep(ln, "revenue_at_risk_checkout") - _per_rep(wd, "revenue_at_risk_checkout"))[0]
        > 0
    )
