"""sensitivity: re-rank plans under other assumptions without simulating again."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from checkoutsim import Scenario
from checkoutsim.cli import app
from checkoutsim.experience.costs import scheduled_hours
from checkoutsim.planning.sensitivity import Assumption, sensitivity

ROOT = Path(__file__).resolve().parents[1]


def _plans(lean: Scenario) -> dict[str, Scenario]:
    staffing = [{**b.model_dump(), "cashiers": b.cashiers + 1} for b in lean.staffing]
    more = lean.with_overrides({"name": "more", "staffing": staffing})
    return {"lean": lean, "more": more}


def test_a_wage_flips_the_cheapest_plan_where_the_totals_cross(lean: Scenario) -> None:
    """Total cost is linear in the cashier wage with slope = cashier hours, so the plans' totals
    cross at a wage known from the baseline; the scan reports the flip on the right side of it."""
    wage = Assumption("costs.cashier_wage_per_hour", 0.0, 600.0, "test")
    csat = Assumption("satisfaction.csat.half_score_felt_min", 4.0, 16.0, "test")
    plans = _plans(lean)
    r = sensitivity(plans, replications=2, seed=5, samples=4, assumptions=[wage, csat])
    base = r.baseline.set_index("plan")["total_cost"]
    extra_hours = scheduled_hours(plans["more"])["cashier"] - scheduled_hours(lean)["cashier"]
    w0 = lean.costs.cashier_wage_per_hour
    crossing = w0 - (base["more"] - base["lean"]) / extra_hours
    row = r.one_at_a_time.set_index(["assumption", "criterion"]).loc[(wage.path, "total_cost")]
    best = base.idxmin()
    assert row["best_at_base"] == best
    if 0.0 < crossing < 600.0:
        assert row["flips_best"] and row["new_best"] == ({"lean", "more"} - {best}).pop()
        flip = row["best_flip_value"]
        assert (flip - w0) * (crossing - w0) > 0 and abs(flip - w0) >= abs(crossing - w0)
    else:
        assert not row["flips_best"]
    # Scanned totals move by exactly hours x wage change (no re-simulation: same days).
    grid = r.grid[r.grid["assumption"] == wage.path].set_index(["plan", "value"])["total_cost"]
    for plan, s in plans.items():
        hours = scheduled_hours(s)["cashier"]
        assert grid[(plan, 600.0)] - grid[(plan, 0.0)] == pytest.approx(600.0 * hours)
    # A satisfaction curve changes CSAT, not money (no coupons or churn in the total here).
    g = r.grid[r.grid["assumption"] == csat.path]
    assert g.groupby("plan")["total_cost"].nunique().max() == 1
    assert g.groupby("plan")["csat_mean"].nunique().min() > 1
    assert set(r.hypercube["criterion"]) == {"total_cost", "csat_mean", "nps"}


def test_cli_sensitivity_needs_two_plans(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["sensitivity", str(ROOT / "scenarios" / "weekday.yaml")])
    assert res.exit_code == 2
    assert "plan" in res.output and "Traceback" not in res.output
