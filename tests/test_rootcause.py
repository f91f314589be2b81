"""Root causes: every customer-minute of delay, felt minute and CSAT point lands on one cause."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from checkoutsim import Scenario, simulate
from checkoutsim.experience.pipeline import add_experience
from checkoutsim.experience.rootcause import attribute_delay, cause_names, pareto

REPS = 3


@pytest.fixture(scope="module", params=["weekday", "lean"])
def case(request: pytest.FixtureRequest) -> tuple[Scenario, pd.DataFrame, pd.DataFrame]:
    scenario: Scenario = request.getfixturevalue(request.param)
    scenario = scenario.with_overrides({"service_recovery": {"coupons_per_shift": 15}})
    result = simulate(scenario, replications=REPS, seed=3)
    customers, _ = add_experience(scenario, result.customers, result.assists)
    return scenario, customers, result.assists


def test_delay_parts_sum_to_total_delay(case: tuple) -> None:
    scenario, customers, assists = case
    att = attribute_delay(scenario, customers, assists)
    by_rep = att.groupby("rep")["delay_min"].sum()
    total = customers.groupby("rep")[["queue_wait_min", "assist_total_min"]].sum().sum(axis=1)
    np.testing.assert_allclose(by_rep.to_numpy(), total.to_numpy(), rtol=1e-10)
    # And the total is not trivially zero.
    assert total.min() > 0


def test_felt_minutes_and_csat_points_sum_to_their_totals(case: tuple) -> None:
    scenario, customers, assists = case
    att = attribute_delay(scenario, customers, assists)
    felt = att.groupby("rep")["felt_min"].sum().to_numpy()
    np.testing.assert_allclose(
        felt, customers.groupby("rep")["perceived_wait_min"].sum().to_numpy(), rtol=1e-10
    )
    top = scenario.satisfaction.csat.no_wait_score
    lost = (top - customers["satisfaction"]).groupby(customers["rep"]).sum().to_numpy()
    np.testing.assert_allclose(att.groupby("rep")["csat_points_lost"].sum().to_numpy(), lost)


def test_help_delay_per_cause_matches_the_assists_table(case: tuple) -> None:
    scenario, customers, assists = case
    att = attribute_delay(scenario, customers, assists)
    for c in scenario.kiosks.confusion:
        got = att[att["cause"] == f"help:{c.name}"]["delay_min"].sum()
        want = assists[assists["cause"] == c.name]["frozen_min"].sum()
        assert got == pytest.approx(want, rel=1e-10)
    lost = att[att["cause"].isin(["abandoned", "balked"])]["lost_baskets"].sum()
    assert lost == (customers["outcome"] != "served").sum()


def test_pareto_is_sorted_complete_and_adds_up(case: tuple) -> None:
    scenario, customers, assists = case
    att = attribute_delay(scenario, customers, assists)
    table = pareto(att, scenario, REPS)
    assert sorted(table["cause"]) == sorted(cause_names(scenario))
    delays = table["delay_min_per_day"].to_numpy()
    assert np.all(np.diff(delays) <= 1e-12)
    assert table["delay_cum_pct"].iloc[-1] == pytest.approx(100.0)
    per_day = att["delay_min"].sum() / REPS
    assert delays.sum() == pytest.approx(per_day)
    # By hour: the hourly tables add up to the overall one, cause by cause.
    hourly = pareto(att, scenario, REPS, by_hour=True)
    summed = hourly.groupby("cause")["delay_min_per_day"].sum()
    overall = table.set_index("cause")["delay_min_per_day"]
    for cause, value in summed.items():
        assert value == pytest.approx(overall[cause], abs=1e-9)
    for _, frame in hourly.groupby("hour"):
        assert np.all(np.diff(frame["delay_min_per_day"].to_numpy()) <= 1e-12)


def test_lean_story_cashier_queue_leads_and_kiosk_help_follows(lean: Scenario) -> None:
    """The single cashier's line is the largest delay; customers pushed off it to the kiosks
    (switching after 5 minutes) make help at a frozen kiosk the next, with abandonment close."""
    result = simulate(lean, replications=2, seed=5)
    customers, _ = add_experience(lean, result.customers, result.assists)
    table = pareto(attribute_delay(lean, customers, result.assists), lean, 2)
    causes = list(table["cause"])
    assert causes[0] == "cashier_queue"
    assert causes[1].startswith("help:")
    assert "abandoned" in causes[:4]


def test_cost_column_adds_up_to_the_money_lines(lean: Scenario) -> None:
    """Lost margin, coupons, shrink and rescans in the root-cause table are the costs.csv lines."""
    s = lean.with_overrides({"costs": {"rescan_pct": 5.0}})
    result = simulate(s, replications=3, seed=12)
    rc = result.root_causes().set_index("cause")["cost_per_day"]
    money = result.costs().set_index("line")["mean"]
    assert rc["abandoned"] + rc["balked"] == pytest.approx(money["lost_margin"])
    assert rc["coupon_recovery"] == pytest.approx(money["coupon_cost"])
    assert rc["shrink"] == pytest.approx(money["shrink_cost"]) and rc["shrink"] > 0
    assert rc["rescan"] == pytest.approx(money["rescan_cost"]) and rc["rescan"] > 0
    parts = ["lost_margin", "coupon_cost", "shrink_cost", "rescan_cost"]
    assert rc.sum() == pytest.approx(sum(money[p] for p in parts))
