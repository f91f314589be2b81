"""Which assumptions decide: rank plans again under other experience and money assumptions.

The experience layer and the money lines are post-processing of the simulated days, so the
days of every plan are simulated once (common random numbers) and each assumption is then
varied over a stated range (:data:`ASSUMPTIONS`) without simulating again:

* **one at a time**: each assumption at ``STEPS`` values across its range, the others at the
  scenario's values; for each criterion (:data:`CRITERIA`) the table says whether the order of
  the plans changes and at which value nearest the scenario's own it first does (the best
  plan, and the full order);
* **Latin hypercube**: ``samples`` joint draws of every assumption (seeded): how often the
  best plan under each criterion is not the one at the scenario's values.

Plans are ranked by their mean over the simulated days; no confidence interval enters the
ranking, so a "flip" between plans whose difference is within noise is reported as such by the
``margin`` columns (runner-up minus best, at the scenario's values).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from checkoutsim.experience.costs import money_metrics
from checkoutsim.experience.pipeline import EXPERIENCE_COLUMNS, add_experience
from checkoutsim.experience.satisfaction import NpsCode
from checkoutsim.scenario.schema import Scenario

__all__ = [
    "ASSUMPTIONS",
    "CRITERIA",
    "Assumption",
    "SensitivityResult",
    "sensitivity",
    "tornado_figure",
]


@dataclass(frozen=True)
class Assumption:
    """One assumption varied: its key path in the scenario and the range tried."""

    path: str
    low: float
    high: float
    reason: str

    @property
    def section(self) -> str:
        """``satisfaction``, ``service_recovery`` or ``costs``."""
        return self.path.split(".", 1)[0]

    def override(self, value: float) -> dict[str, Any]:
        """The nested override that sets this key to ``value``."""
        out: dict[str, Any] = {}
        node = out
        parts = self.path.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
        return out


ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption("satisfaction.perceived_wait.queue_weight", 1.0, 2.0, "Larson's +36%, halved/x2.5"),
    Assumption("satisfaction.perceived_wait.service_weight", 0.0, 0.5, "assumption 0.25, x0-x2"),
    Assumption("satisfaction.perceived_wait.help_wait_weight", 1.0, 3.0, "assumption 2, +-50%"),
    Assumption("satisfaction.perceived_wait.overtaken_felt_min", 0.0, 0.5, "assumption, x0-x2"),
    Assumption("satisfaction.perceived_wait.confusion_felt_min", 0.0, 2.0, "assumption, x0-x2"),
    Assumption("satisfaction.csat.half_score_felt_min", 4.0, 16.0, "assumption 8, x0.5-x2"),
    Assumption("satisfaction.csat.shape", 1.0, 4.0, "assumption 2, x0.5-x2"),
    Assumption("satisfaction.nps.ltr_points_per_csat_point", 1.0, 4.0, "assumption 2.5"),
    Assumption("costs.gross_margin_pct", 15.0, 35.0, "grocery margins"),
    Assumption("costs.shrink_bp_of_kiosk_sales", 25.0, 200.0, "ECR 2018's 100 bp, /4-x2"),
    Assumption("costs.shrink_ratio_elasticity", 0.0, 1.0, "unsourced 0.5, 0-1"),
    Assumption("costs.kiosk_cost_per_hour", 1.0, 4.0, "2 per hour, x0.5-x2"),
    Assumption("costs.cashier_wage_per_hour", 12.0, 20.0, "BLS median 13.11 to loaded"),
    Assumption("costs.attendant_wage_per_hour", 12.0, 20.0, "as cashiers"),
)
"""The assumptions varied and their ranges (``docs/satisfaction.md``, section 7)."""

CRITERIA: dict[str, bool] = {"total_cost": False, "csat_mean": True, "nps": True}
"""Criteria plans are ranked by, and whether higher is better."""

STEPS = 7
"""Values tried across each range in the one-at-a-time scan (ends included)."""


@dataclass
class SensitivityResult:
    """What :func:`sensitivity` found.

    Attributes
    ----------
    plans : list of str
        The plans, base first.
    baseline : DataFrame
        ``plan, total_cost, csat_mean, nps`` at the scenario's own assumptions.
    one_at_a_time : DataFrame
        Per assumption and criterion: ``assumption, criterion, base_value, low, high,
        best_at_base, flips_best, best_flip_value, new_best, flips_order, order_flip_value,
        margin, swing_low, swing_high`` (swing = change of the runner-up-minus-best margin at
        the ends of the range; the tornado's bars).
    grid : DataFrame
        Every scanned point: ``assumption, value, plan, total_cost, csat_mean, nps``.
    hypercube : DataFrame
        Per criterion: ``criterion, samples, best_changed, best_changed_pct``.
    replications, seed : int
    elapsed_s : float
        Seconds spent re-ranking (simulation excluded).
    """

    plans: list[str]
    baseline: pd.DataFrame
    one_at_a_time: pd.DataFrame
    grid: pd.DataFrame
    hypercube: pd.DataFrame
    replications: int
    seed: int
    elapsed_s: float = 0.0

    def deciding(self) -> pd.DataFrame:
        """The rows of :attr:`one_at_a_time` where the best plan changes within the range."""
        return self.one_at_a_time[self.one_at_a_time["flips_best"]].reset_index(drop=True)


@dataclass
class _Plan:
    scenario: Scenario
    base: pd.DataFrame  # customers without experience columns
    assists: pd.DataFrame
    days: list[tuple[str, int, int]]
    customers: pd.DataFrame  # with experience at the scenario's own assumptions


def _criteria(
    plan: _Plan, scenario: Scenario, customers: pd.DataFrame, money: bool = True
) -> dict[str, float]:
    total = float("nan")
    if money:
        lines = money_metrics(scenario, customers, plan.days)
        total = float(lines.loc[lines["metric"] == "total_cost", "value"].mean())
    by_rep = customers.groupby("rep", observed=True)
    csat = float(by_rep["satisfaction"].mean().mean())
    codes = customers["nps_class"].cat.codes
    nps = 100.0 * (
        (codes == NpsCode.PROMOTER).groupby(customers["rep"]).mean()
        - (codes == NpsCode.DETRACTOR).groupby(customers["rep"]).mean()
    )
    return {"total_cost": total, "csat_mean": csat, "nps": float(nps.mean())}


def _evaluate(
    plans: dict[str, _Plan],
    override: dict[str, Any],
    at_base: dict[str, dict[str, float]] | None = None,
) -> dict[str, dict[str, float]]:
    out = {}
    experience = any(k in override for k in ("satisfaction", "service_recovery"))
    for name, plan in plans.items():
        s = plan.scenario.with_overrides(override) if override else plan.scenario
        if not experience:
            out[name] = _criteria(plan, s, plan.customers)
            continue
        customers, _ = add_experience(s, plan.base, plan.assists)
        # Without coupons or churn in it, the total cost does not depend on satisfaction.
        money_fixed = s.service_recovery is None and not s.costs.total_cost_includes_churn
        if at_base is not None and money_fixed and "costs" not in override:
            out[name] = {
                **_criteria(plan, s, customers, money=False),
                **{"total_cost": at_base[name]["total_cost"]},
            }
        else:
            out[name] = _criteria(plan, s, customers)
    return out


def _order(values: dict[str, dict[str, float]], criterion: str) -> list[str]:
    higher = CRITERIA[criterion]
    return sorted(values, key=lambda p: -values[p][criterion] if higher else values[p][criterion])


def _margin(values: dict[str, dict[str, float]], criterion: str) -> float:
    order = _order(values, criterion)
    if len(order) < 2:
        return float("nan")
    a, b = values[order[0]][criterion], values[order[1]][criterion]
    return abs(b - a)


def _lead(values: dict[str, dict[str, float]], order0: list[str], criterion: str) -> float:
    """How far the best plan at the scenario's values leads its runner-up there, under
    ``values`` (criterion units; negative = the two have swapped)."""
    if len(order0) < 2:
        return float("nan")
    d = values[order0[0]][criterion] - values[order0[1]][criterion]
    return d if CRITERIA[criterion] else -d


def _current(scenario: Scenario, path: str) -> float:
    node: Any = scenario
    for p in path.split("."):
        node = getattr(node, p)
    return float(node)


def sensitivity(
    source: str | Path | Sequence[Scenario | str | Path] | dict[str, Scenario],
    *,
    replications: int | None = None,
    seed: int | None = None,
    samples: int = 16,
    workers: int = 1,
    assumptions: Sequence[Assumption] = ASSUMPTIONS,
    progress: Callable[[str], None] | None = None,
) -> SensitivityResult:
    """Simulate every plan once, then re-rank them under each varied assumption.

    Parameters
    ----------
    source : plan file, scenario files or ``{name: scenario}``
        As :func:`checkoutsim.compare` accepts (at least two plans).
    replications, seed : int, optional
        Days per plan and root seed; default the plan file's, else the base scenario's.
    samples : int
        Latin hypercube draws (0 skips it).
    workers : int
        Processes for the simulation.
    assumptions : sequence of Assumption
        What to vary (default :data:`ASSUMPTIONS`).
    progress : callable, optional
        Called with a short status text.

    Returns
    -------
    SensitivityResult
    """
    import time

    from checkoutsim.experiments.compare import resolve_plans
    from checkoutsim.experiments.simulate import simulate

    named, plan_reps, plan_seed = resolve_plans(source)
    base = next(iter(named.values()))
    reps = replications or plan_reps or base.run.replications
    root = next(s for s in (seed, plan_seed, base.run.seed) if s is not None)
    plans: dict[str, _Plan] = {}
    for name, scenario in named.items():
        if progress:
            progress(f"simulating {name}")
        result = simulate(scenario, replications=reps, seed=root, workers=workers)
        keep = [c for c in result.customers.columns if c not in EXPERIENCE_COLUMNS]
        keys = result.timeseries[["scenario", "rep", "seed"]].drop_duplicates()
        days = [(str(n), int(r), int(s)) for n, r, s in keys.itertuples(index=False)]
        plans[name] = _Plan(
            scenario, result.customers[keep], result.assists, days, result.customers
        )
    began = time.perf_counter()
    if progress:
        progress("re-ranking")
    at_base = _evaluate(plans, {})
    baseline = pd.DataFrame([{"plan": p, **v} for p, v in at_base.items()])
    grid_rows: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for a in assumptions:
        current = _current(base, a.path)
        values = sorted({*np.linspace(a.low, a.high, STEPS).tolist(), current})
        results = {
            v: (at_base if v == current else _evaluate(plans, a.override(v))) for v in values
        }
        for v, res in results.items():
            grid_rows.extend(
                {"assumption": a.path, "value": v, "plan": p, **m} for p, m in res.items()
            )
        # Nearest values to the scenario's own first: where the ranking first flips.
        nearest = sorted(values, key=lambda v: (abs(v - current), v))
        for criterion in CRITERIA:
            order0 = _order(at_base, criterion)
            best_flip = next(
                (v for v in nearest if _order(results[v], criterion)[0] != order0[0]), None
            )
            order_flip = next((v for v in nearest if _order(results[v], criterion) != order0), None)
            m0 = _margin(at_base, criterion)

            rows.append(
                {
                    "assumption": a.path,
                    "criterion": criterion,
                    "base_value": current,
                    "low": a.low,
                    "high": a.high,
                    "best_at_base": order0[0],
                    "flips_best": best_flip is not None,
                    "best_flip_value": best_flip if best_flip is not None else np.nan,
                    "new_best": _order(results[best_flip], criterion)[0]
                    if best_flip is not None
                    else "",
                    "flips_order": order_flip is not None,
                    "order_flip_value": order_flip if order_flip is not None else np.nan,
                    "margin": m0,
                    "swing_low": _lead(results[values[0]], order0, criterion)
                    - _lead(at_base, order0, criterion),
                    "swing_high": _lead(results[values[-1]], order0, criterion)
                    - _lead(at_base, order0, criterion),
                }
            )
    hyper = _hypercube(plans, at_base, assumptions, samples, root)
    return SensitivityResult(
        plans=list(named),
        baseline=baseline,
        one_at_a_time=pd.DataFrame(rows),
        grid=pd.DataFrame(grid_rows),
        hypercube=hyper,
        replications=reps,
        seed=root,
        elapsed_s=time.perf_counter() - began,
    )


def _hypercube(
    plans: dict[str, _Plan],
    at_base: dict[str, dict[str, float]],
    assumptions: Sequence[Assumption],
    samples: int,
    seed: int,
) -> pd.DataFrame:
    columns = ["criterion", "samples", "best_changed", "best_changed_pct"]
    if samples <= 0:
        return pd.DataFrame(columns=columns)
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(assumptions), seed=seed % 2**32).random(samples)
    changed = dict.fromkeys(CRITERIA, 0)
    for row in unit:
        override: dict[str, Any] = {}
        for a, u in zip(assumptions, row, strict=True):
            _merge(override, a.override(a.low + u * (a.high - a.low)))
        res = _evaluate(plans, override)
        for criterion in CRITERIA:
            if _order(res, criterion)[0] != _order(at_base, criterion)[0]:
                changed[criterion] += 1
    return pd.DataFrame(
        [(c, samples, n, 100.0 * n / samples) for c, n in changed.items()], columns=columns
    )


def _merge(into: dict[str, Any], extra: dict[str, Any]) -> None:
    for k, v in extra.items():
        if isinstance(v, dict):
            _merge(into.setdefault(k, {}), v)
        else:
            into[k] = v


def tornado_figure(result: SensitivityResult, criterion: str = "total_cost") -> Any:
    """Tornado: how each assumption's range moves the margin of the best plan over the
    runner-up (criterion units; below minus the margin the ranking flips)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rows = result.one_at_a_time[result.one_at_a_time["criterion"] == criterion].copy()
    rows["width"] = (rows["swing_high"] - rows["swing_low"]).abs()
    rows = rows.sort_values("width")
    fig = Figure(figsize=(8, 0.4 * len(rows) + 1.5))
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    ax.barh(y, rows["swing_low"], color="#4c72b0", label="low end of range")
    ax.barh(y, rows["swing_high"], color="#dd8452", label="high end of range")
    margin = float(rows["margin"].iloc[0]) if len(rows) else 0.0
    ax.axvline(-margin, color="black", linestyle="--", linewidth=1, label="ranking flips")
    ax.set_yticks(y, [p.split(".", 1)[1] for p in rows["assumption"]])
    best = rows["best_at_base"].iloc[0] if len(rows) else ""
    ax.set_xlabel(f"change of {best}'s {criterion} margin over the runner-up")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig
