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
    detractors = (customers["nps_class"] == "detractor").sum()
    assert m["revenue_at_risk"] == pytest.approx(detractors * 0.10 * 500.0)
    made = (
        (customers["nps_class"] == "detractor") & (customers["nps_class_baseline"] != "detractor")
    ).sum()
    assert 0 < made <= detractors
    assert m["revenue_at_risk_checkout"] == pytest.approx(made * 0.10 * 500.0)
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
