"""compare(): common random numbers, paired differences, plans in order, any executor."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from checkoutsim import Scenario, run_replication
from checkoutsim.experiments.compare import compare, headline_metrics
from checkoutsim.experiments.crn import common_columns_equal, crn_effect
from checkoutsim.experiments.executors import PoolExecutor
from checkoutsim.results.stats import paired_difference
from checkoutsim.scenario.plans import load_plan

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "scenarios" / "plans" / "weekday_variants.yaml"


def test_staffing_plans_see_the_same_customers_rep_by_rep(weekday: Scenario) -> None:
    plan = load_plan(PLAN)
    for rep in range(3):
        base = run_replication(weekday, rep, 17)
        for variant in plan.variants.values():
            other = run_replication(variant, rep, 17)
            assert common_columns_equal(base, other, ("arrival_min", "basket_items"))
            # ... while what happens to them does change.
        assert not np.array_equal(
            base.customers["queue_wait_min"],
            run_replication(plan.variants["kiosks_for_cashier"], rep, 17).customers[
                "queue_wait_min"
            ],
        )
    # Different replications are different customers.
    assert not common_columns_equal(
        run_replication(weekday, 0, 17), run_replication(weekday, 1, 17)
    )


def test_lean_sees_the_weekday_customers(weekday: Scenario, lean: Scenario) -> None:
    assert common_columns_equal(run_replication(weekday, 2, 5), run_replication(lean, 2, 5))


def test_compare_pairs_each_plan_with_the_base(weekday: Scenario, lean: Scenario) -> None:
    result = compare([weekday, lean], replications=4, seed=8)
    assert result.plans == ["weekday", "lean_staffing"] and result.base == "weekday"
    m = result.metrics
    assert list(m.columns[:3]) == ["scenario", "rep", "seed"]
    assert set(m["seed"]) == {8}

    def values(plan: str, metric: str) -> np.ndarray:
        sel = m[(m["scenario"] == plan) & (m["scope"] == "all") & (m["metric"] == metric)]
        return sel.sort_values("rep")["value"].to_numpy()

    d = result.differences.set_index(["scenario", "scope", "metric"])
    for metric in ["wait_p90_min", "reneged"]:
        expected = paired_difference(values("weekday", metric), values("lean_staffing", metric))
        row = d.loc[("lean_staffing", "all", metric)]
        assert math.isclose(row["diff_mean"], expected.diff)
        assert math.isclose(row["diff_low"], expected.low)
        assert math.isclose(row["p_value"], expected.p_value, rel_tol=1e-9, abs_tol=1e-300)
    # Same customers: the arrival count differs by exactly 0 every day.
    arrivals = d.loc[("lean_staffing", "all", "arrivals")]
    assert arrivals["diff_mean"] == 0 and arrivals["half_width"] == 0
    assert not arrivals["significant"]
    assert d.loc[("lean_staffing", "all", "wait_p90_min")]["significant"]
    s = result.summary.set_index(["scenario", "scope", "metric"])
    assert math.isclose(
        s.loc[("lean_staffing", "all", "wait_p90_min")]["mean"]
        - s.loc[("weekday", "all", "wait_p90_min")]["mean"],
        d.loc[("lean_staffing", "all", "wait_p90_min")]["diff_mean"],
    )


def test_plan_file_bonferroni_over_the_variants() -> None:
    result = compare(PLAN, replications=3, seed=2)
    assert result.plans == ["weekday", "one_attendant", "evening_cashier", "kiosks_for_cashier"]
    assert result.comparisons == 3
    assert np.allclose(result.differences["level_adjusted"], 1 - 0.05 / 3)
    assert list(pd.unique(result.differences["scenario"])) == result.plans[1:]
    assert list(pd.unique(result.summary["scenario"])) == result.plans


def test_identical_plans_differ_by_nothing(weekday: Scenario) -> None:
    result = compare({"a": weekday, "b": weekday}, replications=3, seed=1)
    d = result.differences.dropna(subset=["diff_mean"])
    assert (d["diff_mean"] == 0).all() and not d["significant"].any()


def test_same_result_on_a_pool(weekday: Scenario, lean: Scenario) -> None:
    sequential = compare([weekday, lean], replications=3, seed=4)
    with PoolExecutor(2) as pool:
        parallel = compare([weekday, lean], replications=3, seed=4, executor=pool)
    pd.testing.assert_frame_equal(sequential.metrics, parallel.metrics)
    pd.testing.assert_frame_equal(sequential.differences, parallel.differences)


def test_scenario_files_with_the_same_name_get_unique_names(tmp_path: Path) -> None:
    copy = tmp_path / "weekday_copy.yaml"
    copy.write_text((ROOT / "scenarios" / "weekday.yaml").read_text())
    result = compare([ROOT / "scenarios" / "weekday.yaml", copy], replications=2, seed=1)
    assert result.plans == ["weekday", "weekday_copy"]


def test_compare_needs_two_plans_and_two_replications(weekday: Scenario) -> None:
    with pytest.raises(ValueError, match="two plans"):
        compare([weekday], replications=3)
    with pytest.raises(ValueError, match="2 replications"):
        compare([weekday, weekday], replications=1)


def test_headline_tolerates_missing_metrics() -> None:
    chosen = headline_metrics(["reneged", "wait_p90_min", "csat_mean", "arrivals", "labour_cost"])
    # Arrivals lead: a comparison of plans with different demand must show it (issue 18).
    assert chosen == ["arrivals", "wait_p90_min", "reneged", "csat_mean", "labour_cost"]
    assert headline_metrics([]) == []


def test_crn_narrows_the_interval_of_a_difference(weekday: Scenario) -> None:
    evening = load_plan(PLAN).variants["evening_cashier"]
    effect = crn_effect(
        weekday, evening, ["arrivals", "cashiers_utilisation_pct"], replications=6, seed=3
    ).set_index("metric")
    # The same customers arrive under both plans: no difference at all in arrivals with CRN,
    # while independent runs see different days.
    assert effect.loc["arrivals", "half_width_crn"] == 0
    assert effect.loc["arrivals", "half_width_independent"] > 0
    assert effect.loc["cashiers_utilisation_pct", "correlation_crn"] > 0.5


def test_every_headline_metric_has_a_readable_label() -> None:
    from checkoutsim.experiments.compare import HEADLINE
    from checkoutsim.report.tables import metric_label

    unlabelled = [m for m in HEADLINE if metric_label(m) == m]
    assert unlabelled == []
    assert metric_label("labour_cost", "USD").endswith("(USD per day)")


def test_compare_is_part_of_the_public_api() -> None:
    import checkoutsim

    assert checkoutsim.compare is compare  # docs/experiments.md: checkoutsim.compare(plans, ...)
    assert "compare" in checkoutsim.__all__ and "ComparisonResult" in checkoutsim.__all__


# -- whether the plans saw the same customers (issue 18) --------------------------------------


def _population(scenario: Scenario) -> dict[str, np.ndarray]:
    from checkoutsim.model.population import draw_population
    from checkoutsim.model.streams import Streams

    pop = draw_population(scenario, Streams(11, 0))
    return {k: v for k, v in vars(pop).items() if isinstance(v, np.ndarray)}


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def test_equal_customer_inputs_mean_equal_customers(weekday: Scenario, lean: Scenario) -> None:
    from checkoutsim.model.population import customer_inputs

    variants = list(
        load_plan(ROOT / "scenarios" / "plans" / "weekday_variants.yaml").variants.values()
    )
    data = weekday.to_dict()
    data["customers"]["balking"] = {"midpoint_queue_length": 3, "steepness_per_customer": 2.0}
    data["customers"]["kiosk_item_limit"] = 5
    rules_changed = Scenario.model_validate(data)
    reference = _population(weekday)
    for other in [lean, rules_changed, *variants]:
        assert customer_inputs(other) == customer_inputs(weekday), other.name
        assert _same(_population(other), reference), other.name
    # Each listed input does change the customers when it changes.
    changes = {
        "arrivals": lambda d: d["arrivals"]["profile"][0].update(customers_per_hour=111),
        "customers": lambda d: d["customers"]["channel"].update(never_kiosk_share=0.5),
        "kiosk service times": lambda d: d["kiosks"]["fixed_min"].update(mean=0.31),
        "confusion events": lambda d: d["kiosks"]["confusion"][0].update(probability=0.02),
        # The shipped weekday walks by distance (attendants.geometry): no walk is drawn.
        "attendant notice": lambda d: d["attendants"]["notice_min"].update(mean=0.2),
    }
    for name, change in changes.items():
        data = weekday.to_dict()
        change(data)
        changed = Scenario.model_validate(data)
        assert customer_inputs(changed)[name] != customer_inputs(weekday)[name]
        assert not _same(_population(changed), reference), name


def test_a_comparison_says_when_its_plans_saw_different_customers(
    weekday: Scenario, lean: Scenario
) -> None:
    from rich.console import Console

    from checkoutsim.report.comparison_tables import comparison_overview

    peak = Scenario.model_validate(
        {
            **weekday.to_dict(),
            **{"name": "peak"},
            "arrivals": {
                "profile": [
                    {**b, "customers_per_hour": 2 * b["customers_per_hour"]}
                    for b in weekday.to_dict()["arrivals"]["profile"]
                ]
            },
        }
    )
    result = compare([weekday, lean, peak], replications=2, seed=3)
    assert result.customer_differences("lean_staffing") == []
    assert result.customer_differences("peak") == ["arrivals"]
    assert not result.same_customers
    note = result.customers_note()
    assert "not the same" in note and "peak: arrivals" in note and "lean_staffing" not in note
    console = Console(width=300, record=True)
    console.print(comparison_overview(result, ["arrivals"], "all"))
    assert note in " ".join(console.export_text().split())
    assert compare([weekday, lean], replications=2, seed=3).same_customers
