"""The descend phase's combined moves and the per-search plan cache (issue 15, item 4's speed).

Cost-model evaluators (a plan's "days" from a closed form) test the search's decision logic
exactly and fast; a short simulated day checks the real evaluator: same guarantees, fewer
evaluations, identical sequentially and on a pool.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import pandas as pd
import pytest

from checkoutsim import Scenario
from checkoutsim.experiments.executors import make_executor
from checkoutsim.planning.evaluate import Evaluation, Evaluator
from checkoutsim.planning.plan import PlanSpace, StaffPlan
from checkoutsim.planning.search import SearchOutcome, search
from checkoutsim.planning.targets import Judgement, parse_target

CostModel = Callable[[StaffPlan], float]


class _ModelEvaluator:
    """Every plan meets the target; its total cost per day is ``model(plan)``. Counts the
    plans it is asked for, repeats included."""

    def __init__(self, space: PlanSpace, model: CostModel):
        self.space, self.model, self.objective = space, model, "total"
        self.targets = [parse_target("wait_mean_min<=99")]
        self.asked: list[StaffPlan] = []

    def evaluate_many(self, plans, seed, targets=None):  # type: ignore[no-untyped-def]
        self.asked += plans
        ok = Judgement(1.0, 1.0, 1.0, 2, True, "met", 0.0)
        out = []
        for plan in plans:
            total = self.model(plan)
            money = pd.DataFrame({"rep": [0, 1], "total_cost": [total, total]})
            frames = (pd.DataFrame(), pd.DataFrame(), money)
            out.append(Evaluation(plan, self.space.base, seed, {("day", "t"): ok}, *frames))
        return out


def _cashiers(plan: StaffPlan, space: PlanSpace) -> list[int]:
    return [plan.get(b, "cashiers") for b in range(space.blocks)]


def _separable(space: PlanSpace, lost: float) -> CostModel:
    """Lost margin ``lost`` per cashier short of 6 in each block, plus labour."""

    def model(plan: StaffPlan) -> float:
        short = sum(max(6 - c, 0) for c in _cashiers(plan, space))
        return space.cost(plan) + lost * short

    return model


def _clashing(space: PlanSpace, lost: float, clash: float) -> CostModel:
    """As :func:`_separable`, plus ``clash`` for every pair of blocks, adjacent or not, that
    both have more cashiers than the scenario's own plan: combining moves of several blocks
    is then dearer than one move, and every combination must be refused."""
    own = _cashiers(StaffPlan.of(space.base), space)
    base = _separable(space, lost)

    def model(plan: StaffPlan) -> float:
        up = sum(c > o for c, o in zip(_cashiers(plan, space), own, strict=True))
        return base(plan) + clash * up * (up - 1) / 2

    return model


def _run(weekday: Scenario, model: Callable[[PlanSpace], CostModel], combine: bool):
    space = PlanSpace.for_scenario(weekday)
    ev = _ModelEvaluator(space, model(space))
    return search(ev, StaffPlan.of(weekday), 1, combine=combine), ev  # type: ignore[arg-type]


def _descends_to_a_local_minimum(out: SearchOutcome, ev: _ModelEvaluator) -> None:
    totals = [s.total_cost for s in out.steps]
    assert all(b <= a for a, b in pairwise(totals))
    plan = out.evaluation.plan
    space = ev.space
    for b in range(space.blocks):
        for role in space.roles:
            for change in (+1, -1):
                moved = plan.moved(b, role, change)
                if space.within_bounds(moved):
                    assert ev.model(moved) >= out.evaluation.total_cost


def _descend_steps(out: SearchOutcome, weekday: Scenario) -> list[list[int]]:
    """Blocks moved by each descend step (a combined step logs one row per move)."""
    labels = [f"{b.start}-{b.end}" for b in weekday.staffing]
    by_total: dict[float, list[int]] = {}
    for s in out.steps:
        if s.phase == "descend":
            by_total.setdefault(s.total_cost, []).append(labels.index(s.block))
    return list(by_total.values())


def test_combined_descent_ends_where_one_move_descent_does_with_fewer_evaluations(
    weekday: Scenario,
) -> None:
    """Separable costs (500 lost per missing cashier): both descend to 6 cashiers in every
    block; combining moves of blocks apart needs a fraction of the evaluations."""
    new, ev_new = _run(weekday, lambda s: _separable(s, 500.0), combine=True)
    old, ev_old = _run(weekday, lambda s: _separable(s, 500.0), combine=False)
    space = ev_new.space
    assert _cashiers(new.evaluation.plan, space) == [6] * space.blocks
    assert new.evaluation.plan == old.evaluation.plan
    _descends_to_a_local_minimum(new, ev_new)
    assert sum(new.evaluations.values()) < sum(old.evaluations.values()) / 2
    assert new.evaluations.get("combine", 0) > 0 and "combine" not in old.evaluations
    # Moves were combined, never two of adjacent blocks in one step.
    steps = _descend_steps(new, weekday)
    assert any(len(blocks) > 1 for blocks in steps)
    for blocks in steps:
        assert all(abs(a - b) > 1 for a in blocks for b in blocks if a != b)
    # The cache: the evaluator is never asked for the same plan twice in one search.
    assert len(ev_new.asked) == len(set(ev_new.asked)) == sum(new.evaluations.values())
    assert len(ev_old.asked) == len(set(ev_old.asked)) == sum(old.evaluations.values())


def test_a_combination_dearer_than_the_best_single_move_is_refused(weekday: Scenario) -> None:
    """Blocks clash: a combination costs more than one move; the search tries it, refuses
    it, takes the best single move and ends where the one-move descent does."""
    new, ev_new = _run(weekday, lambda s: _clashing(s, 500.0, 5000.0), combine=True)
    old, _ = _run(weekday, lambda s: _clashing(s, 500.0, 5000.0), combine=False)
    _descends_to_a_local_minimum(new, ev_new)
    assert new.evaluations.get("combine", 0) > 0
    assert all(len(blocks) == 1 for blocks in _descend_steps(new, weekday))
    assert new.evaluation.plan == old.evaluation.plan


# -- on simulated days --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def short_day(weekday: Scenario) -> Scenario:
    """Weekday's store over four busy hours, one staffing block an hour."""
    hours = [("11:00", "12:00", 260), ("12:00", "13:00", 270), ("13:00", "14:00", 230)]
    hours.append(("14:00", "15:00", 210))
    return weekday.with_overrides(
        {
            "name": "short_day",
            "store": {"open": "11:00", "close": "15:00"},
            "arrivals": {
                "profile": [{"start": a, "end": b, "customers_per_hour": n} for a, b, n in hours]
            },
            "staffing": [
                {"start": a, "end": b, "cashiers": 4, "express_cashiers": 1, "attendants": 1}
                for a, b, _ in hours
            ],
        }
    )


@pytest.mark.slow
def test_simulated_combined_search_meets_targets_no_dearer_with_fewer_evaluations(
    short_day: Scenario,
) -> None:
    space = PlanSpace.for_scenario(short_day)
    targets = [parse_target("wait_p90_min<=4")]
    start = StaffPlan.of(short_day)
    with make_executor(1) as ex:
        ev = Evaluator(space, targets, "block", 3, 0.95, ex, objective="total")
        old = search(ev, start, 8, combine=False)
        new = search(ev, start, 8, combine=True)
    assert new.meets and new.evaluation.feasible
    assert any(s.phase == "descend" for s in old.steps)
    assert new.evaluation.total_cost <= old.evaluation.total_cost
    assert new.evaluations.get("combine", 0) > 0
    assert sum(new.evaluations.values()) < sum(old.evaluations.values())
    # On a pool of two workers: the same path, counts and end; every plan simulated once.
    # Both searches stop (``max_steps``) once the first combined step is taken (its moves are
    # logged as consecutive descend rows of one plan): the start, remove, descend and combine
    # phases have all run, on about half the plans of the whole search. Stopped there, the
    # sequential search simulates nothing (its plans are in the evaluator's cache), and the
    # pool is spared simulating the other half again.
    first = next(
        i
        for i, (a, b) in enumerate(pairwise(new.steps))
        if a.phase == b.phase == "descend" and a.total_cost == b.total_cost
    )
    simulated = ev.simulated
    seq = search(ev, start, 8, combine=True, max_steps=first + 1)
    assert ev.simulated == simulated and seq.evaluations.get("combine", 0) > 0
    assert seq.steps == new.steps[: len(seq.steps)]
    with make_executor(2) as ex:
        pool = Evaluator(space, targets, "block", 3, 0.95, ex, objective="total")
        pooled = search(pool, start, 8, combine=True, max_steps=first + 1)
    assert pooled.steps == seq.steps and pooled.evaluations == seq.evaluations
    assert pooled.evaluation.money.equals(seq.evaluation.money)
    assert pool.simulated == 3 * sum(seq.evaluations.values())
