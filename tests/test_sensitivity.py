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


def _flip_row(page: str, assumption: str, criterion: str) -> str:
    """The flips-table row of ``assumption`` and ``criterion`` (its cells' text, joined)."""
    import re

    table = page.split('id="flips-table"', 1)[1].split("</table>", 1)[0]
    for row in re.findall(r"<tr>(.*?)</tr>", table):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        if cells[:2] == [assumption, criterion]:
            return " | ".join(cells)
    raise AssertionError(f"no row for {assumption}, {criterion}")


def test_report_names_the_flipping_assumption_its_value_and_the_ranges(lean: Scenario) -> None:
    """Issue 14: the tornado in a self-contained report, with the flips and the ranges."""
    from checkoutsim.planning.sensitivity_report import sensitivity_report

    wage = Assumption("costs.cashier_wage_per_hour", 0.0, 600.0, "a wide test range")
    csat = Assumption("satisfaction.csat.half_score_felt_min", 4.0, 16.0, "x0.5-x2")
    r = sensitivity(_plans(lean), replications=2, seed=5, samples=3, assumptions=[wage, csat])
    page = sensitivity_report(r, command="checkoutsim sensitivity plans.yaml --report")
    assert page.startswith("<!DOCTYPE html>")
    # Self-contained: one embedded tornado per criterion, nothing fetched from elsewhere.
    assert page.count('<img src="data:image/png;base64,') == 3
    assert "fig-tornado-total_cost" in page and "fig-tornado-nps" in page
    assert "http://" not in page and "https://" not in page and "<link" not in page
    one = r.one_at_a_time.set_index(["assumption", "criterion"])
    row = one.loc[(wage.path, "total_cost")]
    cells = _flip_row(page, wage.path, "Total cost per day")
    if row["flips_best"]:
        assert f"| {row['best_flip_value']:,.4g} | {row['new_best']} |" in cells
        assert wage.path in page.split('id="deciding"', 1)[1].split("</p>", 1)[0]
    else:
        assert "| no |" in cells
    # The ranges used, with the scenario's own value and the reason.
    ranges = page.split('id="ranges-table"', 1)[1].split("</table>", 1)[0]
    assert "a wide test range" in ranges
    assert f"<td>{lean.costs.cashier_wage_per_hour:,.4g}</td>" in ranges
    assert list(r.ranges["assumption"]) == [wage.path, csat.path]
    assert "Base scenario and assumptions" in page


def test_cli_sensitivity_report_goes_through_the_results_folder(tmp_path: Path) -> None:
    plan = tmp_path / "two.yaml"
    plan.write_text(
        f"base: {ROOT / 'scenarios' / 'lean_staffing.yaml'}\nreplications: 2\n"
        "variants:\n  more_kiosks: {kiosks: {count: 10}}\n"
    )
    out = tmp_path / "out"
    res = CliRunner().invoke(
        app, ["sensitivity", str(plan), "--samples", "2", "-w", "1", "--report", "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    import json

    manifest = json.loads((out / "manifest.json").read_text())
    assert {"report.html", "tornado.png", "ranges.csv", "sensitivity.csv"} <= set(manifest["files"])
    assert manifest["files"]["report.html"] == (out / "report.html").stat().st_size
    page = (out / "report.html").read_text()
    assert 'id="flips-table"' in page and 'id="ranges-table"' in page
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*.tmp"))  # written atomically


def test_rescoring_shortcuts_equal_the_full_computation(lean: Scenario) -> None:
    """The re-ranking reuses the base's overtakes and adds the change in coupon cost to the
    base total; both must give what scoring from scratch gives."""
    import numpy as np

    from checkoutsim.experience.pipeline import add_experience
    from checkoutsim.planning import sensitivity as s

    queue = Assumption("satisfaction.perceived_wait.queue_weight", 1.0, 2.5, "test")
    assert lean.service_recovery is not None
    plans = s._simulate(_plans(lean), 3, 7, 1)
    at_base = s._evaluate(plans, {})
    override = queue.override(2.5)
    fast = s._evaluate(plans, override, at_base)
    full: dict[str, dict[str, float]] = {}
    coupons = {}
    for name, plan in plans.items():
        scenario = plan.scenario.with_overrides(override)
        customers, _ = add_experience(scenario, plan.base, plan.assists)  # overtakes recounted
        full[name] = s._criteria(plan, scenario, customers)
        coupons[name] = (customers["coupon"].sum(), plan.customers["coupon"].sum())
    assert any(new != old for new, old in coupons.values())  # the coupon term is exercised
    for name in plans:
        for criterion in ("total_cost", "csat_mean", "nps"):
            assert fast[name][criterion] == pytest.approx(full[name][criterion], rel=1e-12)
    assert not np.isnan([v["total_cost"] for v in fast.values()]).any()
