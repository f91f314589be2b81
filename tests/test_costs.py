"""Money lines come from the staffing plan and the scenario's prices, exactly."""

from __future__ import annotations

import pandas as pd
import pytest

from checkoutsim import Scenario, simulate
from checkoutsim.experience.costs import (
    money_hourly_metrics,
    money_metrics,
    scheduled_hours,
    scheduled_hours_by_clock_hour,
)
from checkoutsim.experience.pipeline import add_experience


def _money(scenario: Scenario, seed: int = 4, reps: int = 2) -> pd.DataFrame:
    result = simulate(scenario, replications=reps, seed=seed)
    customers, _ = add_experience(scenario, result.customers, result.assists)
    m = money_metrics(scenario, customers)
    return m.pivot(index="rep", columns="metric", values="value")


def test_scheduled_hours_follow_the_plan(weekday: Scenario, lean: Scenario) -> None:
    # weekday.yaml by hand: cashiers (regular + express) x hours per block:
    # 2x2 + 4x1 + 5x3 + 4x2 + 6x3 + 2x2 = 53; attendants 1x2 + 1x1 + 2x3 + 1x2 + 2x3 + 1x2 = 19.
    assert scheduled_hours(weekday) == {"cashier": 53.0, "attendant": 19.0}
    assert scheduled_hours(lean) == {"cashier": 13.0, "attendant": 13.0}
    by_hour = scheduled_hours_by_clock_hour(weekday)
    assert by_hour["cashier"].sum() == pytest.approx(53.0)
    assert by_hour["attendant"].sum() == pytest.approx(19.0)
    assert by_hour.set_index("hour").loc["17:00", "cashier"] == pytest.approx(6.0)


def test_half_hour_blocks_split_across_clock_hours(lean: Scenario) -> None:
    s = lean.with_overrides(
        {
            "staffing": [
                {"start": "08:00", "end": "09:30", "cashiers": 1, "attendants": 1},
                {"start": "09:30", "end": "21:00", "cashiers": 3, "attendants": 2},
            ]
        }
    )
    by_hour = scheduled_hours_by_clock_hour(s).set_index("hour")
    assert by_hour.loc["09:00", "cashier"] == pytest.approx(0.5 * 1 + 0.5 * 3)
    assert scheduled_hours(s)["cashier"] == pytest.approx(1.5 + 11.5 * 3)


@pytest.mark.parametrize("role", ["cashier", "attendant"])
def test_a_wage_change_moves_labour_by_hours_times_delta(weekday: Scenario, role: str) -> None:
    delta = 1.75
    key = f"{role}_wage_per_hour"
    base = _money(weekday)
    wage = getattr(weekday.costs, key)
    dearer = _money(weekday.with_overrides({"costs": {key: wage + delta}}))
    hours = scheduled_hours(weekday)[role]
    moved = dearer[f"labour_{role}_cost"] - base[f"labour_{role}_cost"]
    assert moved.tolist() == pytest.approx([hours * delta] * len(moved), rel=1e-12)
    assert (dearer["operating_cost"] - base["operating_cost"]).tolist() == pytest.approx(
        moved.tolist()
    )
    # Nothing that does not depend on wages moves.
    for line in ("lost_sales", "kiosk_cost", "revenue_at_risk", "coupon_cost"):
        pd.testing.assert_series_equal(dearer[line], base[line])


def test_kiosk_lost_sales_and_revenue_at_risk_lines(lean: Scenario) -> None:
    s = lean.with_overrides(
        {
            "costs": {
                "kiosk_cost_per_hour": 3.0,
                "spend_per_item": 2.0,
                "gross_margin_pct": 30.0,
                "detractor_churn_pct": 10.0,
                "customer_value_per_year": 500.0,
            }
        }
    )
    result = simulate(s, replications=1, seed=9)
    customers, books = add_experience(s, result.customers, result.assists)
    m = money_metrics(s, customers).set_index("metric")["value"]
    assert m["kiosk_cost"] == pytest.approx(12 * 13 * 3.0)
    lost_items = customers.loc[customers["outcome"] != "served", "basket_items"].sum()
    assert lost_items > 0
    assert m["lost_sales"] == pytest.approx(lost_items * 2.0)
    assert m["lost_margin"] == pytest.approx(lost_items * 2.0 * 0.30)
    # Revenue at risk: each detractor (a distinct person) defects once a year with the churn
    # chance and takes a year's spend; over the open days that is one visit's spend a day.
    detractors = (customers["nps_class"] == "detractor").sum()
    visit = customers["basket_items"].mean() * 2.0
    assert m["revenue_at_risk"] == pytest.approx(detractors * 0.10 * visit)
    assert m["revenue_at_risk_per_year"] == pytest.approx(detractors * 0.10 * visit * 360)
    assert m["visits_per_year"] == pytest.approx(500.0 / visit)
    made = (
        (customers["nps_class"] == "detractor") & (customers["nps_class_baseline"] != "detractor")
    ).sum()
    assert 0 < made <= detractors
    assert m["revenue_at_risk_checkout"] == pytest.approx(made * 0.10 * visit)
    assert m["margin_at_risk_checkout"] == pytest.approx(made * 0.10 * visit * 0.30)
    value = s.service_recovery.coupon_value if s.service_recovery else 0.0
    assert m["coupon_cost"] == pytest.approx(books["used"].sum() * value if len(books) else 0.0)
    served = (customers["outcome"] == "served").sum()
    assert m["cost_per_customer_served"] == pytest.approx(m["operating_cost"] / served)


def test_hourly_money_adds_up_to_the_day(lean: Scenario) -> None:
    s = lean.with_overrides({"service_recovery": {"coupons_per_shift": 12}})
    result = simulate(s, replications=2, seed=2)
    customers, _ = add_experience(s, result.customers, result.assists)
    day = money_metrics(s, customers).pivot(index="rep", columns="metric", values="value")
    hourly = money_hourly_metrics(s, customers)
    per_rep = hourly.groupby(["rep", "metric"])["value"].sum().unstack()
    for line in ("labour_cost", "lost_sales", "coupon_cost"):
        assert per_rep[line].tolist() == pytest.approx(day[line].tolist())
    assert day["coupon_cost"].min() > 0


# -- total cost, shrink and rescans (issue 14) --------------------------------------------------


def _kiosk_sales(s: Scenario, customers: pd.DataFrame) -> pd.Series:
    kiosk = (customers["outcome"] == "served") & (customers["channel"] == "kiosk")
    return (
        (customers["basket_items"] * s.costs.spend_per_item)
        .where(kiosk, 0.0)
        .groupby(customers["rep"])
        .sum()
    )


def test_total_cost_is_the_sum_of_its_parts(lean: Scenario) -> None:
    s = lean.with_overrides({"costs": {"rescan_pct": 3.0, "rescan_min": 1.5}})
    day = _money(s, reps=2)
    parts = (
        day["labour_cost"]
        + day["kiosk_cost"]
        + day["coupon_cost"]
        + day["lost_margin"]
        + day["shrink_cost"]
        + day["rescan_cost"]
    )
    assert day["total_cost"].tolist() == pytest.approx(parts.tolist(), rel=1e-12)
    assert (day["shrink_cost"] > 0).all() and (day["rescan_cost"] > 0).all()
    # Lost margin, not lost revenue, enters the total.
    assert (day["lost_margin"] < day["lost_sales"]).all()


def test_shrink_is_basis_points_of_kiosk_sales_at_the_reference_ratio(weekday: Scenario) -> None:
    s = weekday.with_overrides(
        {"costs": {"shrink_ratio_elasticity": 0.0, "shrink_bp_of_kiosk_sales": 80.0}}
    )
    result = simulate(s, replications=2, seed=3)
    customers, _ = add_experience(s, result.customers, result.assists)
    day = money_metrics(s, customers).pivot(index="rep", columns="metric", values="value")
    expected = _kiosk_sales(s, customers) * 80.0 / 10_000.0
    assert day["shrink_cost"].tolist() == pytest.approx(expected.tolist(), rel=1e-12)


def test_shrink_falls_with_fewer_kiosks_per_attendant_and_rescans_cost_attendant_time(
    weekday: Scenario,
) -> None:
    # The same customers (attendants do not change who arrives or what they buy); an extra
    # attendant in every block lowers the kiosks each one watches, hence the shrink rate.
    staffing = [{**b.model_dump(), "attendants": 3} for b in weekday.staffing]
    more = {"staffing": staffing, "costs": {"rescan_pct": 2.0, "rescan_min": 2.0}}
    base = weekday.with_overrides({"costs": {"rescan_pct": 2.0, "rescan_min": 2.0}})
    few, many = _money(base, seed=5), _money(weekday.with_overrides(more), seed=5)
    assert (many["shrink_cost"] < few["shrink_cost"]).all()
    # Rescans: kiosk transactions x rescan share x minutes at the attendant wage.
    result = simulate(base, replications=2, seed=5)
    served_kiosk = (result.customers["outcome"] == "served") & (
        result.customers["channel"] == "kiosk"
    )
    n = served_kiosk.groupby(result.customers["rep"]).sum()
    wage = base.costs.attendant_wage_per_hour
    assert few["rescan_cost"].tolist() == pytest.approx((n * 0.02 * 2.0 / 60 * wage).tolist())
