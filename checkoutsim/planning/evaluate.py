"""Simulate candidate plans on common random numbers, once each: the optimiser's evaluator.

Every candidate runs the same replications ``0..R-1`` with the same root seed, so replication
``r`` of every candidate sees the same customers (common random numbers): two candidates that
differ by one cashier differ by that cashier, not by luck. Evaluations are cached by the
scenario key of the resolved candidate
(:func:`checkoutsim.experiments.run_store.scenario_key`) and seed, so a plan met again (in the
cost-vs-target curve, say) costs nothing; with a
:class:`~checkoutsim.experiments.run_store.RunStore` every finished day is also kept on disk,
one atomic file each, so an interrupted optimisation resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from checkoutsim.experience.costs import money_metrics
from checkoutsim.experiments.executors import Executor, Task
from checkoutsim.experiments.run_store import RunStore, scenario_key
from checkoutsim.model.recorder import RunColumns
from checkoutsim.planning.blocks import (
    DAY,
    block_labels,
    block_metrics,
    customer_groups,
    day_metrics,
    judge_units,
)
from checkoutsim.planning.plan import PlanSpace, StaffPlan
from checkoutsim.results.tables import SimulationResult
from checkoutsim.results.targets import Judgement
from checkoutsim.scenario.schema import Scenario
from checkoutsim.scenario.targets import Target

__all__ = ["OBJECTIVES", "Evaluation", "Evaluator", "EvaluatorProgress"]

OBJECTIVES = ("total", "labour")
"""What the search minimises among plans meeting the targets: the total cost per day
(labour, kiosks, coupons, lost margin, shrink, rescans; simulated, judged on the mean over the
common days) or the labour cost alone (known without simulating)."""

_MONEY = ["total_cost", "lost_customers", "lost_margin", "shrink_cost"]

EvaluatorProgress = Callable[[int, int], None]
"""``progress(days_simulated, days_reused)``, cumulative, after each finished day."""


@dataclass(frozen=True)
class Evaluation:
    """One plan simulated on ``R`` days and judged against the targets.

    Attributes
    ----------
    plan : StaffPlan
        The candidate.
    scenario : Scenario
        Its resolved scenario.
    seed : int
        Root seed of the days.
    judgements : dict
        ``(unit, customers, str(target)) -> Judgement`` for every unit (block or ``day``),
        customer group (``all``, and ``cashier`` and ``kiosk`` where that group had a value
        when judging by channel; :mod:`checkoutsim.planning.blocks`) and target.
    values : DataFrame
        ``rep, unit, customers, metric, value`` of the target metrics.
    day : DataFrame
        Whole-day metrics per replication (long, as :meth:`SimulationResult.metrics`); empty
        unless the evaluator keeps them (``keep_day``) or judges by day.
    money : DataFrame
        ``rep, total_cost, lost_customers, lost_margin, shrink_cost`` per replication.
    """

    plan: StaffPlan
    scenario: Scenario
    seed: int
    judgements: dict[tuple[str, str, str], Judgement]
    values: pd.DataFrame = field(repr=False)
    day: pd.DataFrame = field(repr=False)
    money: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    @property
    def total_cost(self) -> float:
        """Mean total cost per day over the evaluation's days."""
        return float(self.money["total_cost"].mean())

    @property
    def feasible(self) -> bool:
        """Every target holds in every unit, for every customer group judged (the decision
        rule)."""
        return all(j.holds for j in self.judgements.values())

    @property
    def shortfall(self) -> float:
        """Sum of relative shortfalls over units and targets (0 when feasible)."""
        return float(sum(j.shortfall for j in self.judgements.values()))

    def unit_shortfall(self) -> dict[tuple[str, str], float]:
        """Shortfall per unit (block label or ``day``) and customer group."""
        out: dict[tuple[str, str], float] = {}
        for (unit, group, _), j in self.judgements.items():
            out[(unit, group)] = out.get((unit, group), 0.0) + j.shortfall
        return out


class Evaluator:
    """Runs and judges candidate plans, caching by (scenario key, seed).

    Parameters
    ----------
    space : PlanSpace
        Turns plans into scenarios.
    targets : sequence of Target
        What every unit must meet.
    by : {"block", "day"}
        Judge per staffing block (customers arriving in it) or over the whole day.
    replications : int
        Days per candidate (at least 2).
    level : float
        Confidence level of the decision rule.
    executor : Executor
        Where the days run (started by the caller).
    store : RunStore, optional
        Keep every finished day on disk and reuse stored days.
    progress : callable, optional
        See :data:`EvaluatorProgress`.
    keep_day : bool
        Also keep every plan's whole-day metrics (:attr:`Evaluation.day`); judging by block
        does not need them, and they cost about a third of the metric time.
    objective : {"total", "labour"}
        See :data:`OBJECTIVES`.
    judge : {"channels", "all"}
        Judge every target on all the unit's customers and on the cashier's and the kiosks'
        customers apart (as the run verdict does), or on all customers together only
        (:data:`checkoutsim.planning.blocks.JUDGE_MODES`).
    """

    def __init__(
        self,
        space: PlanSpace,
        targets: Sequence[Target],
        by: str,
        replications: int,
        level: float,
        executor: Executor,
        store: RunStore | None = None,
        progress: EvaluatorProgress | None = None,
        keep_day: bool = False,
        objective: str = "total",
        judge: str = "channels",
    ):
        if by not in ("block", "day"):
            raise ValueError(f"by must be 'block' or 'day', got {by!r}")
        if replications < 2:
            raise ValueError(f"the optimiser needs at least 2 replications, got {replications}")
        if objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
        self.groups = customer_groups(judge)
        self.judge = judge
        self.space = space
        self.targets = list(targets)
        self.by = by
        self.replications = replications
        self.level = level
        self.executor = executor
        self.store = store
        self.progress = progress
        self.keep_day = keep_day
        self.objective = objective
        self.simulated = 0
        self.reused = 0
        # (scenario key, seed) -> (scenario, target-metric values, day metrics): judging is
        # cheap, so other target values (the cost curve) reuse the same simulated days.
        self._sims: dict[
            tuple[str, int], tuple[Scenario, pd.DataFrame, pd.DataFrame, pd.DataFrame]
        ] = {}

    @property
    def evaluated(self) -> int:
        """Distinct (plan, seed) pairs simulated or loaded so far."""
        return len(self._sims)

    def evaluate(self, plan: StaffPlan, seed: int) -> Evaluation:
        """Evaluate one plan (see :meth:`evaluate_many`)."""
        return self.evaluate_many([plan], seed)[0]

    def evaluate_many(
        self, plans: Sequence[StaffPlan], seed: int, targets: Sequence[Target] | None = None
    ) -> list[Evaluation]:
        """Simulate whatever is not cached (all days of all plans in one batch) and judge.

        Raises
        ------
        ValueError
            If the schema refuses a plan (callers check :meth:`PlanSpace.within_bounds` and
            catch this for candidates).
        """
        wanted = list(self.targets if targets is None else targets)
        scenarios = [self.space.scenario(p, name=self.space.base.name) for p in plans]
        keys = [scenario_key(s) for s in scenarios]
        todo: dict[str, Scenario] = {}
        for key, s in zip(keys, scenarios, strict=True):
            if (key, seed) not in self._sims:
                todo.setdefault(key, s)
        if todo:
            self._run(todo, seed)
        out = []
        for plan, key in zip(plans, keys, strict=True):
            scenario, values, day, money = self._sims[(key, seed)]
            out.append(self._judge(plan, scenario, seed, values, day, wanted, money))
        return out

    def _run(self, todo: dict[str, Scenario], seed: int) -> None:
        """Simulate (or load) every day of ``todo``; each plan's metrics are computed as soon
        as its last day is in, while the workers go on with the next plans' days."""
        runs: dict[str, dict[int, RunColumns]] = {key: {} for key in todo}

        def collect(key: str, rep: int, columns: RunColumns) -> None:
            runs[key][rep] = columns
            if len(runs[key]) == self.replications:
                days = sorted(runs.pop(key).items())
                self._sims[(key, seed)] = self._values(todo[key], seed, days)

        tasks = []
        for key, s in todo.items():
            if self.store is not None:
                self.store.save_scenario(key, s)
            for rep in range(self.replications):
                stored = None
                if self.store is not None and self.store.has(key, seed, rep):
                    stored = self.store.load_or_set_aside(key, seed, rep)
                if stored is not None:
                    self.reused += 1
                    self._tick()
                    collect(key, rep, stored)
                else:
                    tasks.append(Task(s, rep, seed, tag=key))
        for task, columns in self.executor.map(tasks):
            key = str(task.tag)
            if self.store is not None:
                self.store.save(key, task.seed, task.rep, columns)
            self.simulated += 1
            self._tick()
            collect(key, task.rep, columns)

    def _tick(self) -> None:
        if self.progress is not None:
            self.progress(self.simulated, self.reused)

    def _values(
        self, scenario: Scenario, seed: int, days: list[tuple[int, RunColumns]]
    ) -> tuple[Scenario, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        result = SimulationResult.from_runs(scenario, seed, days)
        day = result.metrics() if self.keep_day or self.by == "day" else pd.DataFrame()
        values = (
            block_metrics(result, self.judge)
            if self.by == "block"
            else day_metrics(result, self.judge)
        )
        values = values[values["metric"].isin({t.metric for t in self.targets})]
        keys = [(scenario.name, rep, seed) for rep, _ in days]
        money = money_metrics(scenario, result.customers, keys)
        money = money[money["metric"].isin(_MONEY)].pivot(
            index="rep", columns="metric", values="value"
        )
        money = money.reindex(columns=_MONEY).reset_index()
        money.columns.name = None
        return scenario, values.reset_index(drop=True), day, money

    def _judge(
        self,
        plan: StaffPlan,
        scenario: Scenario,
        seed: int,
        values: pd.DataFrame,
        day: pd.DataFrame,
        targets: list[Target],
        money: pd.DataFrame,
    ) -> Evaluation:
        units = block_labels(scenario) if self.by == "block" else [DAY]
        judgements = {
            (unit, group, str(t)): j
            for unit, group, t, j in judge_units(values, units, self.groups, targets, self.level)
        }
        return Evaluation(plan, scenario, seed, judgements, values, day, money)
