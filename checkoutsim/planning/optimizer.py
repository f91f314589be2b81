"""The cheapest staffing plan that meets service targets: :func:`optimize`.

Pipeline (``docs/optimize.md``): closed-form start per block (:mod:`optimize_start`), greedy
add-then-remove search on common random numbers (:mod:`optimize_search`), then a **fresh
check**: the chosen plan and the scenario's current plan are simulated again on days the search
never saw (root seed ``seed + INDEPENDENT_SEED_OFFSET``) and every target is reported with its
confidence interval; finally the cost-vs-target curve re-runs the search (from the chosen plan,
on the search's days and cache) at a few other values of the first target.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from checkoutsim.experiments.compare import headline_metrics
from checkoutsim.experiments.crn import INDEPENDENT_SEED_OFFSET
from checkoutsim.experiments.executors import Executor, make_executor
from checkoutsim.experiments.run_store import RunStore
from checkoutsim.planning.blocks import ALL, JUDGE_MODES, block_metrics
from checkoutsim.planning.evaluate import OBJECTIVES, Evaluation, Evaluator
from checkoutsim.planning.plan import ROLES, PlanSpace, StaffPlan
from checkoutsim.planning.search import SearchStep, search
from checkoutsim.planning.start import analytic_plan
from checkoutsim.results.stats import confidence_interval, paired_summary
from checkoutsim.results.tables import summarise
from checkoutsim.results.targets import check_metrics
from checkoutsim.scenario.schema import Scenario
from checkoutsim.scenario.targets import Target, parse_target

__all__ = ["OptimizationResult", "OptimizeProgress", "default_curve", "optimize"]

OptimizeProgress = Callable[[int, str], None]
"""``progress(days, status)``: simulated plus reused days so far, and what is happening."""

CURRENT, CHOSEN = "current", "chosen"


@dataclass
class OptimizationResult:
    """What :func:`optimize` found.

    Attributes
    ----------
    scenario : Scenario
        The base scenario (its staffing is the ``current`` plan).
    chosen_scenario : Scenario
        The base scenario with the chosen staffing.
    targets : list of Target
    by : str
        ``block`` or ``day``.
    judge : str
        ``channels`` (every customer, and the cashier's and the kiosks' customers apart) or
        ``all`` (every customer together): see :mod:`checkoutsim.planning.blocks`.
    seed, check_seed : int
        Root seeds of the search days and of the fresh check days.
    replications, check_replications : int
        Days per candidate in the search, and in the fresh check.
    level : float
        Confidence level of the decision rule and the intervals.
    meets_targets : bool
        The search found a plan meeting every target under the decision rule.
    holds_on_check : bool
        No target of the chosen plan is ``missed`` on the fresh days (``met`` or
        ``borderline`` everywhere; see :mod:`checkoutsim.planning.targets`).
    staffing : DataFrame
        ``plan, block, start, end, cashiers, express_cashiers, attendants, kiosks`` for the
        current and the chosen plan.
    objective : str
        ``total`` (total cost per day) or ``labour``: what the search minimised.
    costs : DataFrame
        ``plan, labour_cost, cashier_hours, attendant_hours, kiosk_hours, total_cost,
        total_cost_ci_low, total_cost_ci_high, lost_customers`` (per day; the total cost and
        lost customers are means over the fresh days, with a t interval).
    check : DataFrame
        Fresh check per plan, unit, customer group and target: ``plan, unit, customers,
        target, metric, op, value, mean, ci_low, ci_high, n, verdict`` (``customers`` is
        ``all``, ``cashier`` or ``kiosk``).
    comparison : DataFrame
        Whole-day headline metrics on the fresh days: ``metric, current_mean,
        current_ci_low, current_ci_high, chosen_mean, chosen_ci_low, chosen_ci_high,
        diff_mean, diff_low, diff_high`` (paired, chosen minus current).
    curve : DataFrame
        ``metric, op, value, labour_cost, kiosk_hours, meets, looser_by, saving,
        saving_per_unit`` for each value of the first target tried (the chosen value
        included; ``saving`` = chosen cost minus this cost).
    log : DataFrame
        Accepted search moves: ``search, phase, block, role, change, labour_cost,
        kiosk_hours, feasible, shortfall``.
    staffing_yaml : str
        The chosen ``staffing:`` block, ready to paste into a scenario.
    evaluations, days_simulated, days_reused : int
        Distinct plans evaluated; days simulated by this call and loaded from ``--out``.
    elapsed_s : float
        Wall-clock seconds.
    """

    scenario: Scenario
    chosen_scenario: Scenario
    targets: list[Target]
    by: str
    seed: int
    check_seed: int
    replications: int
    check_replications: int
    level: float
    meets_targets: bool
    holds_on_check: bool
    staffing: pd.DataFrame
    costs: pd.DataFrame
    check: pd.DataFrame
    comparison: pd.DataFrame
    curve: pd.DataFrame
    log: pd.DataFrame
    staffing_yaml: str
    objective: str = "total"
    judge: str = "channels"
    evaluations: int = 0
    days_simulated: int = 0
    days_reused: int = 0
    elapsed_s: float = 0.0

    def cost(self, plan: str = CHOSEN) -> float:
        """Labour cost per day of the ``chosen`` or ``current`` plan."""
        row = self.costs[self.costs["plan"] == plan]
        return float(row["labour_cost"].iloc[0])

    def total(self, plan: str = CHOSEN) -> float:
        """Mean total cost per day of the ``chosen`` or ``current`` plan on the fresh days."""
        row = self.costs[self.costs["plan"] == plan]
        return float(row["total_cost"].iloc[0])

    def current_holds(self) -> bool:
        """Whether the current plan has no ``missed`` target on the fresh days."""
        return bool((self.check.loc[self.check["plan"] == CURRENT, "verdict"] != "missed").all())

    def summary_lines(self) -> list[str]:
        """A few plain sentences: what was found, and how it compares with the current plan."""
        cur, new = self.cost(CURRENT), self.cost(CHOSEN)
        cur_ok = self.current_holds()
        lines = []
        if not self.meets_targets:
            missing = self.check[(self.check["plan"] == CHOSEN) & (self.check["verdict"] != "met")]
            where = (
                "; ".join(
                    f"{r.unit}{_group_note(r.customers)}: {r.target}" for r in missing.itertuples()
                )
                or "-"
            )
            lines.append(
                "No plan within the physical limits meets every target; the best found "
                f"(every searched role at its limit where short) still misses: {where}. More "
                "lanes, kiosks or a looser target are needed."
            )
        else:
            lines.append(
                f"Chosen plan: labour {new:,.2f} per day vs {cur:,.2f} for the current plan "
                f"({new - cur:+,.2f})."
            )
        trade = self._trade_note()
        if trade:
            lines.append(trade)
        mine = self.check[self.check["plan"] == CHOSEN]
        counts = mine["verdict"].value_counts()
        tally = ", ".join(f"{int(counts.get(v, 0))} {v}" for v in ("met", "borderline", "missed"))
        verdict = "meets every target" if self.holds_on_check else "does NOT meet every target"
        lines.append(
            f"On {self.check_replications} fresh days (seed {self.check_seed}) the chosen plan "
            f"{verdict} ({tally}; borderline = mean meets it, interval crosses it)."
        )
        lost = self._abandonment_note()
        if lost:
            lines.append(lost)
        if not cur_ok:
            lines.append(
                "The current plan misses at least one target on the same fresh days: it cannot "
                "meet them as it stands"
                + (f"; the chosen plan needs {new - cur:+,.2f}." if new > cur else ".")
            )
        return lines

    def _trade_note(self) -> str | None:
        """Total cost and lost customers of both plans on the fresh days, with the paired
        difference: what the chosen plan trades."""
        c = self.comparison.set_index("metric") if len(self.comparison) else None
        if c is None or not {"total_cost", "lost_customers"} <= set(c.index):
            return None
        t, lost = c.loc["total_cost"], c.loc["lost_customers"]
        return (
            f"Total cost (labour, kiosks, coupons, lost margin, shrink, rescans; objective: "
            f"{self.objective}): {t['chosen_mean']:,.0f} per day vs {t['current_mean']:,.0f} "
            f"({t['diff_mean']:+,.0f}, 95% CI {t['diff_low']:+,.0f} to {t['diff_high']:+,.0f}); "
            f"customers lost to balking and reneging {lost['chosen_mean']:,.1f} vs "
            f"{lost['current_mean']:,.1f} per day ({lost['diff_mean']:+,.1f})."
        )

    def _abandonment_note(self) -> str | None:
        """A warning when the chosen plan loses clearly more customers than the current one
        (wait percentiles count served customers only, so targets on them can hide it)."""
        c = self.comparison.set_index("metric") if len(self.comparison) else None
        if c is None or not {"balked", "reneged"} <= set(c.index):
            return None
        more = float(c.loc["balked", "diff_mean"] + c.loc["reneged", "diff_mean"])
        clear = any(float(c.loc[m, "diff_low"]) > 0 for m in ("balked", "reneged"))
        if not clear or more <= 0:
            return None
        sales = ""
        if "lost_sales" in c.index:
            sales = f", lost sales {float(c.loc['lost_sales', 'diff_mean']):+,.0f} per day"
        return (
            f"Note: the chosen plan loses {more:,.0f} more customers per day to balking and "
            f"reneging than the current one{sales}; wait targets count served customers "
            "only, so add a target such as 'reneged_pct<=1' if that matters."
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        import json

        def records(df: pd.DataFrame) -> Any:
            return json.loads(df.to_json(orient="records"))

        return {
            "scenario": self.scenario.name,
            "targets": [str(t) for t in self.targets],
            "by": self.by,
            "judge": self.judge,
            "seed": self.seed,
            "check_seed": self.check_seed,
            "replications": self.replications,
            "check_replications": self.check_replications,
            "level": self.level,
            "objective": self.objective,
            "meets_targets": self.meets_targets,
            "holds_on_check": self.holds_on_check,
            "labour_cost": {CURRENT: self.cost(CURRENT), CHOSEN: self.cost(CHOSEN)},
            "total_cost": {CURRENT: self.total(CURRENT), CHOSEN: self.total(CHOSEN)},
            "staffing_yaml": self.staffing_yaml,
            "staffing": records(self.staffing),
            "costs": records(self.costs),
            "check": records(self.check),
            "comparison": records(self.comparison),
            "curve": records(self.curve),
            "evaluations": self.evaluations,
            "days_simulated": self.days_simulated,
            "days_reused": self.days_reused,
            "elapsed_s": round(self.elapsed_s, 2),
        }


def default_curve(target: Target) -> list[float]:
    """Values of ``target`` for the cost curve: +-1 and +-2 for minutes, +-5% and +-10% else."""
    v = target.value
    if target.metric.endswith("_min"):
        values = [v - 2, v - 1, v + 1, v + 2]
    else:
        values = [v * f for f in (0.9, 0.95, 1.05, 1.1)]
    if target.metric.endswith("_pct"):
        values = [x for x in values if x <= 100]
    return [round(x, 6) for x in values if x > 0 and x != v]


def optimize(
    scenario: Scenario | str | Path,
    targets: Sequence[Target | str],
    *,
    by: str = "block",
    replications: int = 10,
    seed: int | None = None,
    check_replications: int | None = None,
    level: float = 0.95,
    objective: str = "total",
    judge: str = "channels",
    kiosks: bool = False,
    max_kiosks_per_attendant: int | None = None,
    start: str = "analytic",
    curve: Sequence[float] | None = None,
    out: Path | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    progress: OptimizeProgress | None = None,
) -> OptimizationResult:
    """Search the staffing plan of ``scenario`` for the lowest cost meeting ``targets``.

    Parameters
    ----------
    scenario : Scenario or path
        The base scenario; its staffing blocks (times) are kept, their counts searched.
    targets : sequence of Target or str
        ``"wait_p90_min<=4"``, ``"csat>=4.0"``, ...: every one must hold in every block
        (``by="block"``) or over the day (``by="day"``).
    by : {"block", "day"}
        Where targets are judged (see :mod:`checkoutsim.planning.blocks`).
    replications : int
        Simulated days per candidate plan (common random numbers; at least 2).
    seed : int, optional
        Root seed of the search days; default the scenario's ``run.seed``.
    check_replications : int, optional
        Fresh days for the final check; default ``replications``.
    level : float
        Confidence level of the decision rule and every interval.
    objective : {"total", "labour"}
        Minimise the mean total cost per day (labour, kiosks, coupons, lost margin, shrink,
        rescans; see :mod:`checkoutsim.experience.costs`), or the labour cost alone (the
        behaviour before the total cost existed).
    judge : {"channels", "all"}
        Judge every target on all customers of a unit **and** on the cashier's and the kiosks'
        customers apart (as ``checkoutsim run``'s verdict does; a unit meets a target only if
        every group with customers does), or on all customers together only (the behaviour
        before; a store-wide p90 can hide one long cashier line behind short kiosk waits).
    kiosks : bool
        Also search how many kiosks are switched on per block.
    max_kiosks_per_attendant : int, optional
        At least ``ceil(kiosks on / this)`` attendants per block.
    start : {"analytic", "current"}
        Closed-form starting plan, or the scenario's own.
    curve : sequence of float, optional
        Other values of the first target for the cost curve; default :func:`default_curve`;
        ``[]`` skips the curve.
    out : Path, optional
        Keep every simulated day in ``out/runs`` (resumable; see
        :mod:`checkoutsim.experiments.run_store`).
    workers : int
        Local processes when no executor is given.
    executor : Executor, optional
        Where to run (started by the caller).
    progress : callable, optional
        See :data:`OptimizeProgress`.

    Returns
    -------
    OptimizationResult

    Raises
    ------
    ValueError
        On a bad target, unknown metric or argument.
    """
    from checkoutsim.scenario.loader import load_scenario

    began = time.perf_counter()
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    wanted = [t if isinstance(t, Target) else parse_target(t) for t in targets]
    if by not in ("block", "day"):
        raise ValueError(f"by must be 'block' or 'day', got {by!r}")
    if start not in ("analytic", "current"):
        raise ValueError(f"start must be 'analytic' or 'current', got {start!r}")
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    if judge not in JUDGE_MODES:
        raise ValueError(f"judge must be one of {', '.join(JUDGE_MODES)}, got {judge!r}")
    check_metrics(wanted, _available(base, by), f"per {by}")
    space = PlanSpace.for_scenario(
        base, kiosks=kiosks, max_kiosks_per_attendant=max_kiosks_per_attendant
    )
    root = base.run.seed if seed is None else seed
    fresh = root + INDEPENDENT_SEED_OFFSET
    check_reps = check_replications or replications
    store = RunStore(out / "runs") if out is not None else None
    status = {"text": "starting"}
    counts = {"search": (0, 0), "check": (0, 0)}

    def ticker(which: str) -> Callable[[int, int], None]:
        def tick(simulated: int, reused: int) -> None:
            counts[which] = (simulated, reused)
            if progress is not None:
                progress(sum(a + b for a, b in counts.values()), status["text"])

        return tick

    def run(ex: Executor) -> OptimizationResult:
        ev = Evaluator(
            space,
            wanted,
            by,
            replications,
            level,
            ex,
            store,
            ticker("search"),
            False,
            objective,
            judge,
        )
        checker = Evaluator(
            space, wanted, by, check_reps, level, ex, store, ticker("check"), True, objective, judge
        )
        log_rows: list[dict[str, Any]] = []

        def on_step(name: str) -> Callable[[SearchStep], None]:
            def record(step: SearchStep) -> None:
                log_rows.append({"search": name, **asdict(step)})
                status["text"] = (
                    f"{name}: {step.phase} {step.role} {step.block}".strip()
                    + f" -> labour {step.labour_cost:,.0f}"
                    + (f", total {step.total_cost:,.0f}" if objective == "total" else "")
                )
                if progress is not None:
                    progress(sum(a + b for a, b in counts.values()), status["text"])

            return record

        first = analytic_plan(space, wanted) if start == "analytic" else StaffPlan.of(base)
        status["text"] = "search"
        found = search(ev, first, root, on_step=on_step("search"))
        chosen = found.evaluation
        status["text"] = "fresh check"
        current_plan = StaffPlan.of(base)
        checked = checker.evaluate_many([chosen.plan, current_plan], fresh)
        curve_table = _curve(ev, space, wanted, chosen, found.meets, root, curve, on_step)
        ev_count = ev.evaluated + checker.evaluated
        return _result(
            base=base,
            space=space,
            targets=wanted,
            by=by,
            seeds=(root, fresh),
            reps=(replications, check_reps),
            level=level,
            chosen=chosen,
            meets=found.meets,
            checked=checked,
            curve=curve_table,
            log=pd.DataFrame(log_rows),
            counts=(ev_count, ev.simulated + checker.simulated, ev.reused + checker.reused),
            objective=objective,
            judge=judge,
        )

    if store is not None:
        with store.lock():
            store.remove_temporaries()
            result = _with_executor(run, executor, workers)
    else:
        result = _with_executor(run, executor, workers)
    result.elapsed_s = time.perf_counter() - began
    return result


def _with_executor(
    run: Callable[[Executor], OptimizationResult], executor: Executor | None, workers: int
) -> OptimizationResult:
    if executor is not None:
        return run(executor)
    with make_executor(workers) as own:
        return run(own)


def _available(base: Scenario, by: str) -> list[str]:
    """Metric names a target may use, from one short simulated day of ``base``."""
    # One replication of the scenario itself: the metric set does not depend on staffing.
    from checkoutsim.experiments.simulate import simulate

    result = simulate(base, 1, base.run.seed)
    if by == "block":
        return [str(m) for m in block_metrics(result, "all")["metric"].unique()]
    m = result.metrics()
    return [str(x) for x in m.loc[m["scope"] == "all", "metric"].unique()]


def _curve(
    ev: Evaluator,
    space: PlanSpace,
    targets: list[Target],
    chosen: Evaluation,
    meets: bool,
    seed: int,
    values: Sequence[float] | None,
    on_step: Callable[[str], Callable[[SearchStep], None]],
) -> pd.DataFrame:
    columns = [
        "metric",
        "op",
        "value",
        "labour_cost",
        "kiosk_hours",
        "total_cost",
        "meets",
        "looser_by",
        "saving",
        "saving_per_unit",
    ]
    first = targets[0]
    tried = [first.value, *(default_curve(first) if values is None else values)]
    if not meets or len(tried) == 1:
        return pd.DataFrame(columns=columns)
    base_cost = space.cost(chosen.plan)
    rows = []
    for value in sorted(set(tried)):
        if value == first.value:
            plan, ok, total = chosen.plan, True, chosen.total_cost
        else:
            t = first.with_value(value)
            found = search(ev, chosen.plan, seed, [t, *targets[1:]], on_step=on_step(f"curve {t}"))
            plan, ok = found.evaluation.plan, found.meets
            total = found.evaluation.total_cost
        looser = (value - first.value) if first.op == "<=" else (first.value - value)
        saving = base_cost - space.cost(plan)
        rows.append(
            {
                "metric": first.metric,
                "op": first.op,
                "value": value,
                "labour_cost": space.cost(plan),
                "kiosk_hours": space.kiosk_hours(plan),
                "total_cost": total,
                "meets": ok,
                "looser_by": looser,
                "saving": saving,
                "saving_per_unit": saving / looser if looser else math.nan,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _result(
    *,
    base: Scenario,
    space: PlanSpace,
    targets: list[Target],
    by: str,
    seeds: tuple[int, int],
    reps: tuple[int, int],
    level: float,
    chosen: Evaluation,
    meets: bool,
    checked: list[Evaluation],
    curve: pd.DataFrame,
    log: pd.DataFrame,
    counts: tuple[int, int, int],
    objective: str = "total",
    judge: str = "channels",
) -> OptimizationResult:
    fresh_chosen, fresh_current = checked
    fresh = {CHOSEN: fresh_chosen, CURRENT: fresh_current}
    plans = {CURRENT: StaffPlan.of(base), CHOSEN: chosen.plan}
    staffing_rows = []
    cost_rows = []
    for name, plan in plans.items():
        for b, block in enumerate(base.staffing):
            row = dict(zip(ROLES, plan.counts[b], strict=True))
            staffing_rows.append(
                {"plan": name, "block": b, "start": block.start, "end": block.end, **row}
            )
        hours = space.staff_hours(plan)
        total = fresh[name].money["total_cost"].to_numpy(dtype=float)
        interval = confidence_interval(total, level)
        cost_rows.append(
            {
                "plan": name,
                "labour_cost": space.cost(plan),
                "cashier_hours": hours["cashier"],
                "attendant_hours": hours["attendant"],
                "kiosk_hours": space.kiosk_hours(plan),
                "total_cost": float(total.mean()),
                "total_cost_ci_low": interval.low,
                "total_cost_ci_high": interval.high,
                "lost_customers": float(fresh[name].money["lost_customers"].mean()),
            }
        )
    check_rows = []
    for name, ev in ((CHOSEN, fresh_chosen), (CURRENT, fresh_current)):
        for (unit, group, target_text), j in ev.judgements.items():
            t = next(t for t in targets if str(t) == target_text)
            check_rows.append(
                {
                    "plan": name,
                    "unit": unit,
                    "customers": group,
                    "target": target_text,
                    "metric": t.metric,
                    "op": t.op,
                    "value": t.value,
                    "mean": j.mean,
                    "ci_low": j.ci_low,
                    "ci_high": j.ci_high,
                    "n": j.n,
                    "verdict": j.verdict,
                }
            )
    check = pd.DataFrame(check_rows)
    holds = bool((check.loc[check["plan"] == CHOSEN, "verdict"] != "missed").all())
    return OptimizationResult(
        scenario=base,
        chosen_scenario=space.scenario(chosen.plan),
        targets=targets,
        by=by,
        seed=seeds[0],
        check_seed=seeds[1],
        replications=reps[0],
        check_replications=reps[1],
        level=level,
        meets_targets=meets,
        holds_on_check=holds,
        staffing=pd.DataFrame(staffing_rows),
        costs=pd.DataFrame(cost_rows),
        check=check,
        comparison=_comparison(fresh_current, fresh_chosen, targets, level),
        curve=curve,
        log=log,
        staffing_yaml=space.yaml(chosen.plan),
        evaluations=counts[0],
        days_simulated=counts[1],
        days_reused=counts[2],
        objective=objective,
        judge=judge,
    )


def _group_note(group: str) -> str:
    """`` (cashier customers)`` for a channel's figure, nothing for all customers."""
    return "" if group == ALL else f" ({group} customers)"


def _comparison(
    current: Evaluation, chosen: Evaluation, targets: list[Target], level: float
) -> pd.DataFrame:
    """Whole-day metrics of both plans on the fresh days, with paired differences."""
    metrics = pd.concat(
        [current.day.assign(scenario=CURRENT), chosen.day.assign(scenario=CHOSEN)],
        ignore_index=True,
    )
    metrics = metrics[metrics["scope"] == "all"]
    available = [str(m) for m in pd.unique(metrics["metric"])]
    wanted = [t.metric for t in targets if t.metric in available]
    money = [m for m in ("total_cost", "lost_customers") if m in available]
    shown = list(dict.fromkeys([*wanted, *headline_metrics(available), *money]))
    summary = summarise(metrics[metrics["metric"].isin(shown)], ["scenario"], level)
    wide = metrics.pivot(index=["scenario", "rep"], columns="metric", values="value")
    wide = wide.reindex(columns=shown).reset_index()
    wide.columns.name = None
    diff = paired_summary(wide, shown, base=CURRENT, level=level, bonferroni=1)
    rows = []
    for metric in shown:
        row: dict[str, Any] = {"metric": metric}
        for name in (CURRENT, CHOSEN):
            s = summary[(summary["scenario"] == name) & (summary["metric"] == metric)]
            for stat in ("mean", "ci_low", "ci_high"):
                row[f"{name}_{stat}"] = float(s[stat].iloc[0]) if len(s) else math.nan
        d = diff[diff["metric"] == metric]
        for stat in ("diff_mean", "diff_low", "diff_high"):
            row[stat] = float(d[stat].iloc[0]) if len(d) else math.nan
        rows.append(row)
    return pd.DataFrame(rows)
