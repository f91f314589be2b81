"""Compare staffing plans on the same simulated customers: :func:`compare`.

Every plan runs the same replications with the same root seed, so replication ``r`` of every
plan sees the same customers (common random numbers, see :mod:`checkoutsim.model.streams`). Each
plan's metrics get a mean and a confidence interval over replications; each plan other than
the base gets the paired difference against the base, per metric, with its interval and
p-value (paired t over replications, :func:`checkoutsim.results.stats.paired_summary`), Bonferroni-
adjusted for the number of plans compared with the base.

Works on whatever metrics :meth:`SimulationResult.metrics` returns; :data:`HEADLINE` is only the
default selection for tables and tolerates metrics that do not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from checkoutsim.experiments.executors import Executor, Task, make_executor
from checkoutsim.experiments.simulate import ProgressCallback
from checkoutsim.model.population import customer_inputs
from checkoutsim.results.stats import paired_summary
from checkoutsim.results.tables import SimulationResult, summarise
from checkoutsim.scenario.loader import load_scenario, load_yaml_mapping
from checkoutsim.scenario.plans import Plan, load_plan
from checkoutsim.scenario.schema import Scenario

__all__ = [
    "HEADLINE",
    "ComparisonResult",
    "compare",
    "headline_metrics",
    "per_rep_metrics",
    "resolve_plans",
]

HEADLINE = [
    "arrivals",
    "wait_mean_min",
    "wait_p90_min",
    "within_target_pct",
    "balked",
    "reneged",
    "abandoned_items",
    "switched_pct",
    "attendant_response_p90_min",
    "cashiers_utilisation_pct",
    "kiosks_utilisation_pct",
    "attendants_utilisation_pct",
    "csat_mean",
    "ces_mean",
    "nps",
    "labour_cost",
    "operating_cost",
    "lost_margin",
    "shrink_cost",
    "total_cost",
]
"""Metrics shown by default, in this order, when the metrics have them (customer-experience and
money metrics appear once :meth:`SimulationResult.metrics` reports them)."""


def headline_metrics(available: Iterable[str]) -> list[str]:
    """The :data:`HEADLINE` metrics among ``available`` metric names, in headline order."""
    names = {str(a) for a in available}
    return [m for m in HEADLINE if m in names]


@dataclass
class ComparisonResult:
    """Plans compared on common random numbers.

    Attributes
    ----------
    base : str
        The plan the others are compared against (the first).
    plans : list of str
        Every plan, base first.
    scenarios : dict of str to Scenario
        The scenario of each plan.
    seed : int
        Root seed shared by every plan.
    replications : int
        Replications per plan (the same for every plan).
    level : float
        Family-wise confidence level of the differences (per metric and scope).
    metrics : DataFrame
        Per replication, long: ``scenario, rep, seed, scope, metric, value`` (``scenario`` is
        the plan name).
    summary : DataFrame
        Per plan, scope and metric: ``mean, ci_low, ci_high, half_width, sd, n``.
    differences : DataFrame
        Per non-base plan, scope and metric, plan minus base: ``base_mean, plan_mean,
        diff_mean, diff_low, diff_high, half_width, p_value, p_adjusted, significant, n,
        level_adjusted`` (see :func:`checkoutsim.results.stats.paired_summary`).
    """

    base: str
    plans: list[str]
    scenarios: dict[str, Scenario]
    seed: int
    replications: int
    level: float
    metrics: pd.DataFrame
    summary: pd.DataFrame
    differences: pd.DataFrame

    def customer_differences(self, plan: str) -> list[str]:
        """What makes ``plan``'s customers differ from the base's (empty: the very same).

        Common random numbers pair the days, but only plans that draw their customers from the
        same inputs (:func:`~checkoutsim.model.population.customer_inputs`) see the same
        customers; otherwise a difference includes the change in demand itself.
        """
        base = customer_inputs(self.scenarios[self.base])
        other = customer_inputs(self.scenarios[plan])
        return [name for name in base if base[name] != other[name]]

    @property
    def same_customers(self) -> bool:
        """Whether every plan saw the same simulated customers as the base."""
        return not any(self.customer_differences(p) for p in self.plans)

    def customers_note(self) -> str:
        """One sentence for tables and reports: the same customers, or what differs."""
        if self.same_customers:
            return f"every plan saw the same simulated customers (seed {self.seed})"
        parts = [
            f"{plan}: {', '.join(diff)}"
            for plan in self.plans
            if (diff := self.customer_differences(plan))
        ]
        return (
            f"the seed ({self.seed}) is shared but the customers are not the same "
            f"({'; '.join(parts)} differ from {self.base}), so each difference includes "
            "the change in demand"
        )

    @property
    def comparisons(self) -> int:
        """Plans compared with the base (the Bonferroni factor)."""
        return max(1, len(self.plans) - 1)

    def headline(self, scope: str = "all") -> list[str]:
        """The default metric selection for this result (see :func:`headline_metrics`)."""
        m = self.summary[self.summary["scope"] == scope]
        return headline_metrics(m["metric"])

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``: settings, summary and differences as records."""
        import json

        return {
            "base": self.base,
            "plans": self.plans,
            "seed": self.seed,
            "replications": self.replications,
            "level": self.level,
            "bonferroni": self.comparisons,
            "summary": json.loads(self.summary.to_json(orient="records")),
            "differences": json.loads(self.differences.to_json(orient="records")),
        }


def resolve_plans(
    plans: Plan | str | Path | Sequence[Scenario | str | Path] | Mapping[str, Scenario],
) -> tuple[dict[str, Scenario], int | None, int | None]:
    """Normalise what :func:`compare` accepts into ``{name: scenario}``, base first.

    Returns
    -------
    (dict, int or None, int or None)
        Plans by unique name, and the replications and seed a plan file asks for.
    """
    if isinstance(plans, str | Path):
        path = Path(plans)
        data, _ = load_yaml_mapping(path, comments=False)
        plans = load_plan(path) if "variants" in data or "base" in data else [path]
    if isinstance(plans, Plan):
        return plans.scenarios(), plans.replications, plans.seed
    if isinstance(plans, Mapping):
        named = {str(k): _renamed(v, str(k)) for k, v in plans.items()}
    else:
        named = {}
        for item in plans:
            scenario = item if isinstance(item, Scenario) else load_scenario(item)
            name = scenario.name
            if name in named:
                stem = Path(item).stem if not isinstance(item, Scenario) else name
                candidate, k = stem, 2
                while candidate in named:
                    candidate, k = f"{name}-{k}", k + 1
                name = candidate
            named[name] = _renamed(scenario, name)
    if len(named) < 2:
        raise ValueError(f"a comparison needs at least two plans, got {len(named)}")
    return named, None, None


def _renamed(scenario: Scenario, name: str) -> Scenario:
    return scenario if scenario.name == name else scenario.model_copy(update={"name": name})


def per_rep_metrics(scenario: Scenario, rep: int, seed: int, columns: Any) -> pd.DataFrame:
    """Long metrics of one replication (:meth:`SimulationResult.metrics` of that day)."""
    return SimulationResult.from_runs(scenario, seed, [(rep, columns)]).metrics()


def compare(
    plans: Plan | str | Path | Sequence[Scenario | str | Path] | Mapping[str, Scenario],
    replications: int | None = None,
    seed: int | None = None,
    *,
    level: float = 0.95,
    workers: int = 1,
    executor: Executor | None = None,
    progress: ProgressCallback | None = None,
) -> ComparisonResult:
    """Run every plan on the same replications and seed, and compare each with the first.

    Parameters
    ----------
    plans : Plan, path, sequence or mapping
        A plan file (path or loaded :class:`~checkoutsim.scenario.plans.Plan`: its base, then its
        variants), several scenarios or scenario files (the first is the base), or a mapping
        ``{name: scenario}``.
    replications : int, optional
        Days per plan; default the plan file's ``replications``, else the base scenario's.
    seed : int, optional
        Root seed for every plan; default the plan file's ``seed``, else the base's.
    level : float
        Family-wise confidence level of each metric's set of differences.
    workers : int
        Local processes when no executor is given.
    executor : Executor, optional
        Where to run.
    progress : callable, optional
        ``progress(done, total)`` after each replication of any plan.

    Returns
    -------
    ComparisonResult
    """
    named, plan_reps, plan_seed = resolve_plans(plans)
    names = list(named)
    base = named[names[0]]
    reps = replications or plan_reps or base.run.replications
    root = next(s for s in (seed, plan_seed, base.run.seed) if s is not None)
    if reps < 2:
        raise ValueError(f"a comparison needs at least 2 replications, got {reps}")
    # Each day's metrics are worked out in the worker that simulated it (see executors).
    tasks = [
        Task(named[name], rep, root, tag=name, analyse=per_rep_metrics)
        for name in names
        for rep in range(reps)
    ]
    frames: dict[tuple[str, int], pd.DataFrame] = {}

    def collect(ex: Executor) -> None:
        for task, day_metrics in ex.map(tasks):
            frames[(str(task.tag), task.rep)] = day_metrics
            if progress:
                progress(len(frames), len(tasks))

    if executor is None:
        with make_executor(workers, tasks=len(tasks)) as own:
            collect(own)
    else:
        collect(executor)

    metrics = pd.concat([frames[(n, r)] for n in names for r in range(reps)], ignore_index=True)
    summary = summarise(metrics, ["scenario", "scope"], level)
    differences = _differences(metrics, names, level)
    return ComparisonResult(
        base=names[0],
        plans=names,
        scenarios=named,
        seed=root,
        replications=reps,
        level=level,
        metrics=metrics,
        summary=summary,
        differences=differences,
    )


def _differences(metrics: pd.DataFrame, names: list[str], level: float) -> pd.DataFrame:
    parts = []
    for scope in pd.unique(metrics["scope"]):
        long = metrics[metrics["scope"] == scope]
        order = [str(m) for m in pd.unique(long["metric"])]
        wide = long.pivot(index=["scenario", "rep"], columns="metric", values="value")
        wide = wide.reindex(columns=order).reset_index()
        wide.columns.name = None
        rank = wide["scenario"].map({name: i for i, name in enumerate(names)})
        wide = wide.iloc[rank.to_numpy().argsort(kind="stable")]
        diff = paired_summary(
            wide,
            order,
            plan_col="scenario",
            base=names[0],
            level=level,
            bonferroni=max(1, len(names) - 1),
        )
        diff.insert(1, "scope", scope)
        parts.append(diff)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
