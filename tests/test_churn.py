"""Churn counted once per person a year: revenue at risk is bounded by annual sales."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checkoutsim import Scenario, simulate
from checkoutsim.experience.churn import yearly_churn

_counts = st.floats(min_value=0.0, max_value=1e6, allow_nan=False)


@given(
    n=_counts,
    share=st.floats(min_value=0.0, max_value=1.0),
    spend=st.floats(min_value=0.0, max_value=1e5),
    churn=st.floats(min_value=0.0, max_value=100.0),
    days=st.integers(min_value=1, max_value=366),
    visits=st.one_of(st.none(), st.floats(min_value=1.0, max_value=1_000.0)),
    value=st.floats(min_value=0.0, max_value=1e7),
    margin=st.floats(min_value=0.0, max_value=100.0),
)
def test_annual_revenue_at_risk_never_exceeds_annual_sales(
    n: float,
    share: float,
    spend: float,
    churn: float,
    days: int,
    visits: float | None,
    value: float,
    margin: float,
) -> None:
    e = yearly_churn(
        n,
        share * n,
        spend,
        churn,
        open_days_per_year=days,
        gross_margin_pct=margin,
        visits_per_year=visits,
        customer_value_per_year=value,
    )
    assert 0.0 <= e.revenue_at_risk_per_year <= e.annual_sales * (1 + 1e-12)
    assert e.annual_sales == pytest.approx(n * days * spend)
    assert e.share_of_sales_pct <= churn + 1e-9  # never more than the churn chance itself
    assert 0.0 <= e.defectors_per_year <= e.population * (1 + 1e-12)
    # Per day is the year over the open days: nobody counted on each visit.
    assert e.revenue_at_risk_per_day * days == pytest.approx(e.revenue_at_risk_per_year)
    assert e.margin_at_risk_per_year <= e.revenue_at_risk_per_year * (1 + 1e-12)


def test_visits_a_year_change_the_head_count_not_the_money() -> None:
    args = {"open_days_per_year": 360, "gross_margin_pct": 25.0}
    weekly = yearly_churn(3000, 300, 40.0, 5.0, visits_per_year=52, **args)
    monthly = yearly_churn(3000, 300, 40.0, 5.0, visits_per_year=12, **args)
    assert monthly.population == pytest.approx(weekly.population * 52 / 12)
    assert monthly.defectors_per_year == pytest.approx(weekly.defectors_per_year * 52 / 12)
    assert monthly.revenue_at_risk_per_year == pytest.approx(weekly.revenue_at_risk_per_year)
    # 10% detractors x 5% churn: 0.5% of annual sales.
    assert weekly.share_of_sales_pct == pytest.approx(0.5)


@pytest.mark.parametrize(("name", "low", "high"), [("weekday", 0.2, 2.0), ("lean", 0.5, 5.0)])
def test_shipped_scenarios_put_a_plausible_share_of_sales_at_risk(
    name: str, low: float, high: float, weekday: Scenario, lean: Scenario
) -> None:
    """All detractors x 5% churn, once a year: a few tenths of a percent to a few percent of
    annual sales (the old per-visit arithmetic gave 15% and 34%)."""
    scenario = {"weekday": weekday, "lean": lean}[name]
    m = simulate(scenario, replications=2, seed=11).metrics()
    share = m[(m["scope"] == "all") & (m["metric"] == "revenue_at_risk_share_pct")]["value"]
    assert share.between(low, high).all()
