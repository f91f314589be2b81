"""The staffing optimiser: targets, block metrics, constraints, theory, weekday, resume, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from checkoutsim import Scenario, optimize, simulate
from checkoutsim.cli import app
from checkoutsim.planning.blocks import block_labels, block_metrics
from checkoutsim.planning.plan import PlanSpace, StaffPlan
from checkoutsim.planning.search import search
from checkoutsim.planning.targets import Target, check_metrics, judge, parse_target
from checkoutsim.results.stats import confidence_interval
from checkoutsim.scenario.loader import dump_scenario_yaml, load_scenario
from checkoutsim.validation.theory import erlang_c_min_servers

runner = CliRunner()
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

LAM, MEAN_SERVICE = 64 / 60, 3.0  # the M/M/c validation scenario: per minute, minutes


@pytest.fixture(scope="module")
def mmc8(mmc: Scenario) -> Scenario:
    """The M/M/c validation scenario (one kiosk queue, exponential 3-minute service, 64
    arrivals per hour, no confusion) with 8 physical kiosks and an 8-hour day."""
    return mmc.with_overrides(
        {
            "name": "mmc8",
            "store": {"close": "14:00"},
            "arrivals": {"profile": [{"start": "06:00", "end": "14:00", "customers_per_hour": 64}]},
            # Pinned here, so the test stays M/M/c whatever the shipped file's details.
            "customers": {"basket_items": {"kind": "fixed", "value": 1}},
            "kiosks": {
                "count": 8,
                "scan_min_per_item": {"kind": "exponential", "mean": MEAN_SERVICE},
                "fixed_min": {"kind": "fixed", "value": 0},
            },
            "staffing": [{"start": "06:00", "end": "14:00", "cashiers": 0, "attendants": 0}],
        }
    )


# -- targets and the decision rule --------------------------------------------------------------


def test_parse_target_reads_metric_direction_and_value() -> None:
    assert parse_target("wait_p90_min<=4") == Target("wait_p90_min", "<=", 4.0)
    assert parse_target(" csat >= 4.0 ") == Target("csat_mean", ">=", 4.0)
    assert str(parse_target("within_target_pct>=90")) == "within_target_pct>=90"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("wait_p90_min<4", "expected METRIC<=VALUE"),
        ("<=4", "expected METRIC<=VALUE"),
        ("wait_p90_min<=four", "is not a number"),
        ("wait_p90_min<=inf", "finite"),
    ],
)
def test_parse_target_refuses_bad_syntax(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_target(text)


def test_unknown_metric_is_named_with_the_choices() -> None:
    with pytest.raises(ValueError, match=r"wait_p99_min<=4.*wait_p90_min"):
        check_metrics([parse_target("wait_p99_min<=4")], ["wait_p90_min", "csat_mean"], "x")


def test_decision_rule_uses_the_whole_confidence_interval() -> None:
    target = Target("wait_p90_min", "<=", 2.0)
    tight = np.array([1.0, 1.1, 0.9, 1.05, 0.95])
    wide = np.array([0.5, 3.4, 0.6, 3.3, 0.7])  # mean 1.7 <= 2, interval crosses 2
    high = tight + 2.0
    for values, verdict in ((tight, "met"), (wide, "borderline"), (high, "missed")):
        j = judge(values, target, 0.95)
        ci = confidence_interval(values, 0.95)
        assert j.verdict == verdict
        assert j.holds == (ci.high <= 2.0)
        assert j.shortfall == pytest.approx(max(0.0, ci.high - 2.0) / 2.0)
    at_least = judge(tight, Target("csat_mean", ">=", 1.2), 0.95)
    assert at_least.verdict == "missed" and not at_least.holds
    assert judge(np.array([np.nan, np.nan]), target, 0.95).verdict == "n/a"


# -- block metrics ------------------------------------------------------------------------------


def test_block_metric_is_computed_over_customers_arriving_in_the_block(weekday: Scenario) -> None:
    result = simulate(weekday, 1, 7)
    blocks = block_metrics(result)
    c = result.customers
    starts = [weekday.minutes_after_open(b.start) for b in weekday.staffing]
    ends = [weekday.minutes_after_open(b.end) for b in weekday.staffing]
    for label, lo, hi in zip(block_labels(weekday), starts, ends, strict=True):
        here = c[(c["arrival_min"] >= lo) & (c["arrival_min"] < hi)]
        served = here.loc[here["outcome"] == "served", "queue_wait_min"].to_numpy()
        got = blocks[(blocks["unit"] == label) & (blocks["customers"] == "all")]
        got = got.set_index("metric")["value"]
        assert got["arrivals"] == len(here)
        assert got["wait_p90_min"] == pytest.approx(np.percentile(served, 90))
        assert got["csat_mean"] == pytest.approx(here["satisfaction"].mean())
    total = blocks.loc[
        (blocks["metric"] == "arrivals") & (blocks["customers"] == "all"), "value"
    ].sum()
    assert total == len(c)


# -- the plan space -----------------------------------------------------------------------------


def test_plan_space_minimums_and_physical_limits(weekday: Scenario) -> None:
    space = PlanSpace.for_scenario(weekday, kiosks=True, max_kiosks_per_attendant=3)
    assert space.roles == ("cashiers", "express_cashiers", "attendants", "kiosks")
    current = StaffPlan.of(weekday)
    # 8 kiosks on and at most 3 per attendant: 3 attendants in every block.
    assert space.minimum_attendants(current, 0) == 3
    assert not space.within_bounds(current)
    repaired = space.repaired(current)
    assert [repaired.get(b, "attendants") for b in range(space.blocks)] == [3] * space.blocks
    # Customers who never use a kiosk (30%) would be stranded without a regular cashier.
    no_cashier = repaired.moved(0, "cashiers", -repaired.get(0, "cashiers"))
    assert not space.within_bounds(no_cashier)
    assert space.repaired(no_cashier).get(0, "cashiers") == 1
    too_many = repaired.moved(0, "cashiers", 20)
    assert space.repaired(too_many).get(0, "cashiers") == weekday.cashiers.lanes
    # The schema still has the last word: the last block needs an attendant.
    last = space.blocks - 1
    with pytest.raises(ValueError, match="attendant"):
        space.scenario(current.moved(last, "attendants", -current.get(last, "attendants")))
    # Labour cost is the costs module's: the shipped plan's scheduled hours times wages.
    assert PlanSpace.for_scenario(weekday).cost(current) == pytest.approx(
        simulate(weekday, 1, 1).costs().set_index("line").loc["labour_cost", "mean"]
    )


# -- theory: M/M/c ------------------------------------------------------------------------------


@pytest.mark.validation
@pytest.mark.parametrize(
    ("target_min", "start", "kiosks_now"),
    [(1.0, "analytic", 8), (1.0, "current", 8), (0.3, "current", 3)],
)
def test_mmc_minimal_servers_match_erlang_c(
    mmc8: Scenario, target_min: float, start: str, kiosks_now: int
) -> None:
    """The cheapest kiosk count for a mean-wait target equals the Erlang-C staffing rule,
    whether the search starts at the closed form, above it (removing) or below it (adding)."""
    scenario = mmc8.with_overrides(
        {"staffing": [{**mmc8.staffing[0].model_dump(), "kiosks": kiosks_now}]}
    )
    theory = erlang_c_min_servers(LAM, 1 / MEAN_SERVICE, target_wait_min=target_min)
    result = optimize(
        scenario,
        [f"wait_mean_min<={target_min}"],
        by="day",
        kiosks=True,
        start=start,
        replications=10,
        curve=[],
        objective="labour",
    )
    chosen = result.staffing[result.staffing["plan"] == "chosen"]
    assert int(chosen["kiosks"].iloc[0]) == theory
    assert result.meets_targets and result.holds_on_check
    moves = set(result.log["phase"])
    if start == "current":  # the search itself walked to the answer
        assert ("add" in moves) == (kiosks_now < theory)
        assert ("remove" in moves) == (kiosks_now > theory)
    else:  # the closed-form start is Erlang C on the kiosk bank, and the simulation agrees
        assert result.log["kiosk_hours"].iloc[0] == pytest.approx(theory * 8.0)
        assert moves == {"start"}


@pytest.mark.validation
def test_cost_curve_points_also_match_erlang_c(mmc8: Scenario) -> None:
    result = optimize(
        mmc8,
        ["wait_mean_min<=1"],
        by="day",
        kiosks=True,
        replications=10,
        curve=[0.3],
        objective="labour",
    )
    hours = 8.0
    by_value = result.curve.set_index("value")
    for value in (0.3, 1.0):
        theory = erlang_c_min_servers(LAM, 1 / MEAN_SERVICE, target_wait_min=value)
        assert by_value.loc[value, "kiosk_hours"] == pytest.approx(theory * hours)


def test_targets_beyond_the_physical_limit_are_reported_not_met(mmc8: Scenario) -> None:
    four = mmc8.with_overrides({"kiosks": {"count": 4}})
    result = optimize(four, ["wait_mean_min<=0.1"], by="day", kiosks=True, replications=4)
    assert not result.meets_targets and not result.holds_on_check
    assert int(result.staffing["kiosks"].iloc[-1]) == 4
    assert "No plan within the physical limits meets every target" in result.summary_lines()[0]
    assert result.curve.empty


# -- weekday ------------------------------------------------------------------------------------


def test_weekday_plan_meets_targets_on_fresh_days_for_no_more_cost(
    weekday: Scenario, tmp_path: Path
) -> None:
    result = optimize(
        weekday,
        ["wait_p90_min<=4", "csat>=4.0"],
        by="block",
        replications=4,
        curve=[],
        objective="labour",
    )
    assert result.meets_targets
    assert result.check_seed != result.seed
    chosen = result.check[result.check["plan"] == "chosen"]
    # Every target in every block, for all customers and each channel's apart.
    assert len(chosen) == 2 * 3 * len(weekday.staffing)
    assert (chosen["verdict"] != "missed").all() and result.holds_on_check
    assert result.cost("chosen") <= result.cost("current")
    # Cheaper staffing loses more customers, which wait percentiles do not see: it is said.
    comparison = result.comparison.set_index("metric")
    assert comparison.loc["reneged", "diff_low"] > 0
    assert any("balking and reneging" in line for line in result.summary_lines())
    # Pasted over the staffing section of weekday.yaml, the YAML gives back the chosen plan.
    text = (SCENARIOS / "weekday.yaml").read_text(encoding="utf-8")
    head, rest = text.split("\nstaffing:", 1)
    pasted_file = tmp_path / "pasted.yaml"
    pasted_file.write_text(head + "\n" + result.staffing_yaml + rest[rest.index("\nrun:") :])
    pasted = load_scenario(pasted_file)
    assert pasted.staffing == result.chosen_scenario.staffing
    assert all(b.cashiers >= 1 and b.attendants >= 1 for b in pasted.staffing)


# -- resume and CLI -----------------------------------------------------------------------------


def test_rerun_with_out_reuses_every_stored_day(mmc8: Scenario, tmp_path: Path) -> None:
    args = {"by": "day", "kiosks": True, "replications": 3, "curve": [], "out": tmp_path}
    first = optimize(mmc8, ["wait_mean_min<=1"], **args)
    again = optimize(mmc8, ["wait_mean_min<=1"], **args)
    assert first.days_simulated > 0 and first.days_reused == 0
    assert again.days_simulated == 0 and again.days_reused == first.days_simulated
    assert again.staffing.equals(first.staffing)
    assert again.check.equals(first.check)


def test_cli_optimize_writes_plan_and_prints_json(mmc8: Scenario, tmp_path: Path) -> None:
    scenario_file = tmp_path / "mmc8.yaml"
    scenario_file.write_text(dump_scenario_yaml(mmc8), encoding="utf-8")
    out = tmp_path / "out"
    args = ["optimize", str(scenario_file), "--target", "wait_mean_min<=1", "--by", "day"]
    args += ["--kiosks", "-n", "4", "--curve", "none", "-w", "1", "--out", str(out), "--json"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    chosen = [r for r in payload["staffing"] if r["plan"] == "chosen"]
    assert chosen[0]["kiosks"] == 5
    manifest = json.loads((out / "manifest.json").read_text())
    for name in ("plan.yaml", "check.csv", "comparison.csv", "curve.csv", "costs.csv"):
        assert name in manifest["files"]
    assert "kiosks: 5" in (out / "plan.yaml").read_text()


@pytest.mark.parametrize(
    ("target", "message"),
    [("wait_p90_min<4", "expected METRIC<=VALUE"), ("wait_p99_min<=4", "unknown metric")],
)
def test_cli_bad_target_exits_2(mmc8: Scenario, tmp_path: Path, target: str, message: str) -> None:
    scenario_file = tmp_path / "mmc8.yaml"
    scenario_file.write_text(dump_scenario_yaml(mmc8), encoding="utf-8")
    args = ["optimize", str(scenario_file), "--target", target, "--out", str(tmp_path / "o")]
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output


def test_results_do_not_depend_on_the_worker_count(mmc8: Scenario) -> None:
    args = {"by": "day", "kiosks": True, "replications": 3, "curve": [0.5]}
    one = optimize(mmc8, ["wait_mean_min<=1"], workers=1, **args)
    two = optimize(mmc8, ["wait_mean_min<=1"], workers=2, **args)
    assert two.check.equals(one.check)
    assert two.curve.equals(one.curve)
    assert two.log.equals(one.log)


# -- objective: total cost (issue 14) -----------------------------------------------------------


class _CostModelEvaluator:
    """Stands in for the simulating evaluator: a plan's 'days' come from a closed-form cost
    model, so the search's decision logic is tested alone, fast and exactly."""

    def __init__(self, space: PlanSpace, objective: str, lost_per_missing_cashier: float):
        self.space, self.objective = space, objective
        self.targets = [parse_target("wait_mean_min<=99")]
        self.lost = lost_per_missing_cashier

    def evaluate_many(self, plans, seed, targets=None):  # type: ignore[no-untyped-def]
        from checkoutsim.planning.evaluate import Evaluation
        from checkoutsim.planning.targets import Judgement

        out = []
        for plan in plans:
            # Lost margin falls with every cashier up to 6 per block; labour rises.
            missing = sum(max(6 - plan.get(b, "cashiers"), 0) for b in range(self.space.blocks))
            total = self.space.cost(plan) + self.lost * missing
            money = pd.DataFrame({"rep": [0, 1], "total_cost": [total, total]})
            ok = Judgement(1.0, 1.0, 1.0, 2, True, "met", 0.0)
            out.append(
                Evaluation(
                    plan,
                    self.space.base,
                    seed,
                    {("day", "t"): ok},
                    pd.DataFrame(),
                    pd.DataFrame(),
                    money,
                )
            )
        return out


@pytest.mark.parametrize(("lost", "cashiers"), [(10.0, 1), (500.0, 6)])
def test_total_objective_adds_a_cashier_when_lost_margin_pays_for_it(
    weekday: Scenario, lost: float, cashiers: int
) -> None:
    """A cashier block-hour costs 15 x hours; when each missing cashier loses more margin than
    that, the total-cost search staffs up to where it stops paying, the labour search never."""
    space = PlanSpace.for_scenario(weekday)
    start = StaffPlan.of(weekday)
    total = search(_CostModelEvaluator(space, "total", lost), start, 1)  # type: ignore[arg-type]
    labour = search(_CostModelEvaluator(space, "labour", lost), start, 1)  # type: ignore[arg-type]
    counts = {total.evaluation.plan.get(b, "cashiers") for b in range(space.blocks)}
    assert counts == {cashiers}
    assert {labour.evaluation.plan.get(b, "cashiers") for b in range(space.blocks)} == {1}
    assert total.evaluation.total_cost <= labour.evaluation.total_cost
    assert ("descend" in {s.phase for s in total.steps}) == (cashiers > 1)
