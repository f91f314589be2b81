"""From headcounts to a roster: :func:`make_roster` (``checkoutsim roster``).

Pipeline (``docs/roster.md``):

1. **Requirement.** For each day type, :func:`checkoutsim.planning.optimizer.optimize` (by
   block, on common random numbers) gives the cheapest staff count per staffing block that
   meets the targets: cashiers (regular + express) and attendants. A slot's requirement is the
   largest of the blocks it overlaps, and at least each role's ``min_on_duty``.
2. **Shifts.** An integer program (:mod:`checkoutsim.planning.roster_ip`) chooses the cheapest
   shifts that cover the requirement under the shift rules.
3. **As worked.** Each day type is simulated with the staff the roster puts on shift slot by
   slot (breaks taken by the model's break process, floaters where the program placed them)
   on days the requirement's search never saw; a block whose target is **missed** has its
   requirement raised by one (a cashier when the cashier's customers miss it, an attendant when
   the kiosks' customers do; for all customers together an attendant for attendant metrics,
   else a cashier) and the
   program solved again, up to ``max_rounds`` times.
4. **Fresh check.** The final roster is simulated on yet other days and every target is judged
   in every block of every day type with its confidence interval.

Every judgement (requirement search, as-worked rounds, fresh check) is on all the block's
customers and, with ``judge="channels"`` (the default), on the cashier's and the kiosks'
customers apart, as ``checkoutsim run``'s verdict (:mod:`checkoutsim.planning.blocks`).

Breaks are the model's break process (:mod:`checkoutsim.planning.roster_worked`): the staffing
counts everyone on shift, and each break of a cashier or attendant shift is a ``breaks:`` entry
(the lane serves its line, closes, reopens with the same cashier and coupon book).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from checkoutsim.experiments.crn import INDEPENDENT_SEED_OFFSET
from checkoutsim.experiments.executors import Executor, make_executor
from checkoutsim.experiments.simulate import simulate
from checkoutsim.planning.blocks import (
    ALL,
    arrival_block_metrics,
    customer_groups,
    judge_units,
)
from checkoutsim.planning.optimizer import CHOSEN, optimize
from checkoutsim.planning.roster_ip import (
    NEEDS,
    RosterInfeasibleError,
    RosterSolution,
    solve_roster,
)
from checkoutsim.planning.roster_worked import worked_breaks, worked_staffing
from checkoutsim.planning.shift_candidates import (
    Candidate,
    candidates,
    clock,
    premium_factor,
    role_cost_per_hour,
)
from checkoutsim.results.tables import SimulationResult
from checkoutsim.scenario.schema import Scenario
from checkoutsim.scenario.shifts import Role, ShiftRules
from checkoutsim.scenario.targets import Target, parse_target
from checkoutsim.scenario.week import Week, load_week_or_scenario

__all__ = ["RosterProgress", "RosterResult", "make_roster", "worked_staffing"]

RosterProgress = Callable[[str], None]
"""``progress(status)``: what is being done."""

ATTENDANT_METRICS = frozenset(
    {"attendant_response_mean_min", "attendant_response_p90_min", "assisted_pct"}
)
"""Metrics an extra attendant (rather than an extra cashier) mends."""

_CHANNEL_NEED = {"cashier": "cashier", "kiosk": "attendant"}
"""Who is added where a channel's customers miss a target: a lane for the cashier's customers,
an attendant for the kiosks' (the roster does not add kiosks)."""


@dataclass(frozen=True)
class _Block:
    label: str
    start_min: int  # after midnight
    end_min: int
    cashier: int
    express: int
    attendant: int
    kiosks: int | None


@dataclass
class RosterResult:
    """What :func:`make_roster` found.

    Attributes
    ----------
    week : Week
    targets : list of Target
    shifts : DataFrame
        One row a shift: ``role, day, start, end, break_start, break_end, paid_break,
        paid_hours, cost``.
    requirement : DataFrame
        ``day, block, start, end, cashier, express, attendant, raised`` (final requirement;
        ``raised`` = staff added by the as-worked rounds).
    costs : DataFrame
        ``day, role, shifts, paid_hours, cost``.
    check : DataFrame
        Fresh check: ``day, block, customers, target, metric, mean, ci_low, ci_high, n,
        verdict`` (``customers``: ``all``, ``cashier`` or ``kiosk``).
    staffing : dict of str to list of dict
        The ``staffing:`` block of each day type as the roster is worked: staff on shift,
        people on break included.
    breaks : dict of str to list of dict
        The ``breaks:`` of each day type (the model's break process, ``docs/model.md``).
    block_cost : float
        Cost of paying exactly the final requirement slot by slot at the roster's rates
        (premiums included): the block-by-block optimum, a lower bound of any roster.
    block_optimum_cost : float
        The same for the first requirement (before any round raised it).
    roster_cost, ip_gap : float
        The roster's cost per week, and HiGHS's proven relative gap.
    rounds : int
        Integer programs solved (1 = the first roster held on the as-worked days).
    holds : bool
        No target is ``missed`` in any block on the fresh check.
    seeds : dict of str to int
        ``search``, ``as_worked`` and ``check`` root seeds.
    replications, check_replications : int
    elapsed_s : float
    """

    week: Week
    targets: list[Target]
    shifts: pd.DataFrame
    requirement: pd.DataFrame
    costs: pd.DataFrame
    check: pd.DataFrame
    staffing: dict[str, list[dict[str, Any]]]
    block_cost: float
    block_optimum_cost: float
    roster_cost: float
    ip_gap: float
    rounds: int
    holds: bool
    seeds: dict[str, int]
    replications: int
    check_replications: int
    elapsed_s: float = 0.0
    log: list[str] = field(default_factory=list)
    breaks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def summary_lines(self) -> list[str]:
        """Plain sentences: the cost, the gap to the block optimum, and whether it holds."""
        n = len(self.shifts)
        whole = self.roster_cost - self.block_cost
        days = len(self.week.days)
        span = "a week" if days == 7 else f"the {days} day type(s)"
        lines = [
            f"Roster: {n} shifts, cost {self.roster_cost:,.2f} for {span}; paying exactly "
            f"the per-block requirement would cost {self.block_cost:,.2f} (whole shifts add "
            f"{whole:+,.2f}, {whole / self.block_cost:+.1%}); integer program gap "
            f"{self.ip_gap:.2%}."
            if self.block_cost > 0
            else f"Roster: {n} shifts, cost {self.roster_cost:,.2f} for {span}."
        ]
        if self.rounds > 1:
            lines.append(
                f"{self.rounds - 1} round(s) raised the requirement where the roster as worked "
                f"fell short (first requirement {self.block_optimum_cost:,.2f} at slot rates)."
            )
        counts = self.check["verdict"].value_counts()
        tally = ", ".join(f"{int(counts.get(v, 0))} {v}" for v in ("met", "borderline", "missed"))
        if self.holds:
            lines.append(
                f"On {self.check_replications} fresh days per day type (seed "
                f"{self.seeds['check']}) the roster meets every target in every block ({tally})."
            )
        else:
            missed = self.check[self.check["verdict"] == "missed"]
            where = "; ".join(
                f"{r.day} {r.block}{'' if r.customers == ALL else f' ({r.customers} customers)'}"
                f": {r.target}"
                for r in missed.itertuples()
            )
            lines.append(
                f"On {self.check_replications} fresh days per day type the roster does NOT "
                f"meet every target ({tally}); missed: {where}."
            )
        return lines


def _blocks(day: Scenario, plan: pd.DataFrame) -> list[_Block]:
    open_min = day.store.open_min
    out = []
    for r in plan.itertuples(index=False):
        start = day.minutes_after_open(str(r.start)) + open_min
        end = day.minutes_after_open(str(r.end)) + open_min
        kiosks = None if pd.isna(r.kiosks) else int(r.kiosks)
        out.append(
            _Block(
                label=f"{r.start}-{r.end}",
                start_min=start,
                end_min=end,
                cashier=int(r.cashiers) + int(r.express_cashiers),
                express=int(r.express_cashiers),
                attendant=int(r.attendants),
                kiosks=kiosks,
            )
        )
    return out


def _slot_needs(
    day: Scenario, blocks: list[_Block], rules: ShiftRules, raised: dict[tuple[int, str], int]
) -> dict[str, np.ndarray]:
    """Requirement per slot: the largest block overlapping it, at least the role's minimum."""
    slot = rules.slot_min
    slots = 1440 // slot
    open_min = day.store.open_min
    close_min = open_min + day.store.day_length_min
    needs = {need: np.zeros(slots, dtype=np.int64) for need in NEEDS}
    for i, b in enumerate(blocks):
        first, last = b.start_min // slot, -(-b.end_min // slot)
        for need in NEEDS:
            value = getattr(b, need) + raised.get((i, need), 0)
            seg = needs[need][first:last]
            np.maximum(seg, value, out=seg)
    open_slots = np.zeros(slots, dtype=bool)
    open_slots[open_min // slot : -(-close_min // slot)] = True
    for need in NEEDS:
        role = rules.roles.get(cast(Role, need))
        minimum = role.min_on_duty if role is not None else 0
        needs[need] = np.where(open_slots, np.maximum(needs[need], minimum), 0)
    return needs


def _block_values(
    result: SimulationResult, blocks: list[_Block], judge: str = "channels"
) -> pd.DataFrame:
    """Per-day metrics of the customers arriving in each requirement block (and of each
    channel's customers apart with ``judge="channels"``)."""
    open_min = result.scenario.store.open_min
    starts = [b.start_min - open_min for b in blocks]
    return arrival_block_metrics(result, starts, [b.label for b in blocks], judge)


def _judge_day(
    values: pd.DataFrame, blocks: list[_Block], targets: list[Target], level: float, day: str
) -> list[dict[str, Any]]:
    groups = list(dict.fromkeys([ALL, *values["customers"].astype(str).unique()]))
    labels = [b.label for b in blocks]
    rows = []
    for unit, group, t, j in judge_units(values, labels, groups, targets, level):
        rows.append(
            {
                "day": day,
                "block": unit,
                "customers": group,
                "target": str(t),
                "metric": t.metric,
                "mean": j.mean,
                "ci_low": j.ci_low,
                "ci_high": j.ci_high,
                "n": j.n,
                "verdict": j.verdict,
            }
        )
    return rows


def _slot_cost(needs: dict[str, dict[str, np.ndarray]], rules: ShiftRules, week: Week) -> float:
    """Cost of paying exactly the requirement slot by slot (the block-by-block optimum)."""
    slot = rules.slot_min
    factor = premium_factor(rules, 1440 // slot)
    total = 0.0
    for name, day_needs in needs.items():
        day = week.days[name]
        for need in NEEDS:
            role = rules.roles.get(cast(Role, need))
            if role is None:
                role = rules.roles["floater"]
            rate = role_cost_per_hour(need, role, day) / 60.0 * slot
            total += float((day_needs[need] * factor).sum() * rate)
    return total


def _shift_rows(solution: RosterSolution) -> pd.DataFrame:
    rows = []
    for day, c, count in solution.shifts:
        for _ in range(count):
            rows.append(_shift_row(day, c))
    columns = [
        "role",
        "day",
        "start",
        "end",
        "break_start",
        "break_end",
        "paid_break",
        "paid_hours",
        "cost",
    ]
    return pd.DataFrame(rows, columns=columns)


def _shift_row(day: str, c: Candidate) -> dict[str, Any]:
    has_break = c.break_start_min is not None
    return {
        "role": c.role,
        "day": day,
        "start": clock(c.start_min),
        "end": clock(c.end_min),
        "break_start": clock(c.break_start_min) if c.break_start_min is not None else "",
        "break_end": clock(c.break_start_min + c.break_min)
        if c.break_start_min is not None
        else "",
        "paid_break": bool(c.paid_break) if has_break else False,
        "paid_hours": c.paid_hours,
        "cost": round(c.cost, 2),
    }


def _max_on_duty(rules: ShiftRules, week: Week) -> dict[str, int]:
    out: dict[str, int] = {}
    for role, r in rules.roles.items():
        if r.max_on_duty is not None:
            out[role] = r.max_on_duty
            continue
        lanes = min(
            d.cashiers.lanes + (d.cashiers.express.lanes if d.cashiers.express else 0)
            for d in week.days.values()
        )
        kiosks = min(d.kiosks.count for d in week.days.values())
        out[role] = {"cashier": lanes, "attendant": kiosks}.get(role, lanes + kiosks)
    return out


def _check_grid(week: Week, rules: ShiftRules) -> None:
    for name, day in week.days.items():
        close = day.store.open_min + day.store.day_length_min
        if day.store.open_min % rules.slot_min or close % rules.slot_min:
            raise ValueError(
                f"{name}: opening hours {day.store.open}-{day.store.close} are not on the "
                f"shifts' {rules.slot_min}-minute grid (set shifts.slot_min to fit them)"
            )


def make_roster(
    week: Week | str | Path,
    targets: Sequence[Target | str],
    *,
    replications: int = 10,
    check_replications: int | None = None,
    seed: int | None = None,
    level: float = 0.95,
    max_rounds: int = 3,
    requirement: str = "optimize",
    objective: str = "total",
    judge: str = "channels",
    time_limit_s: float = 120.0,
    workers: int = 1,
    executor: Executor | None = None,
    progress: RosterProgress | None = None,
) -> RosterResult:
    """The cheapest roster of shifts meeting ``targets`` in every block of every day type.

    Parameters
    ----------
    week : Week or path
        A week file, or a scenario file (a one-day week with default shift rules).
    targets : sequence of Target or str
        As for :func:`checkoutsim.optimize` (judged in every staffing block).
    replications : int
        Days per candidate in the requirement search, and per as-worked round.
    check_replications : int, optional
        Fresh days per day type of the final check; default ``replications``.
    seed : int, optional
        Root seed; default the first day type's ``run.seed``. The as-worked rounds use
        ``seed + 2 x offset`` and the final check ``seed + 3 x offset``
        (:data:`~checkoutsim.experiments.crn.INDEPENDENT_SEED_OFFSET`), days neither the
        search (``seed``) nor optimize's own check (``seed + offset``) saw; each adds the
        day type's index (0, 1, ...), so day types with the same profile see different days.
    requirement : {"optimize", "current"}
        Where the per-block requirement comes from: ``optimize`` searches it (step 1), and
        ``current`` takes each day type's own ``staffing:`` as it stands (a roster for a plan
        already decided; the as-worked rounds and the check still apply).
    objective : {"total", "labour"}
        The requirement search's objective (:func:`checkoutsim.optimize`): the lowest total
        cost per day, or the lowest labour cost (quicker: no descent phase).
    judge : {"channels", "all"}
        Judge targets on all of a block's customers and on the cashier's and the kiosks'
        customers apart (as ``checkoutsim run``'s verdict), or on all customers together only
        (see :func:`checkoutsim.optimize`).
    level : float
        Confidence level of the decision rule and the intervals.
    max_rounds : int
        Most integer programs solved (at least 1).
    time_limit_s : float
        HiGHS time limit per solve.
    workers : int
        Local processes when no executor is given.
    executor : Executor, optional
        Where days run (a local pool or Dask, started by the caller).
    progress : callable, optional
        See :data:`RosterProgress`.

    Raises
    ------
    ValueError
        On bad targets, arguments, or rules no roster can satisfy (the message says where).
    """
    began = time.perf_counter()
    wk = week if isinstance(week, Week) else load_week_or_scenario(week)
    wanted = [t if isinstance(t, Target) else parse_target(t) for t in targets]
    if max_rounds < 1:
        raise ValueError(f"max_rounds must be at least 1, got {max_rounds}")
    if requirement not in ("optimize", "current"):
        raise ValueError(f"requirement must be 'optimize' or 'current', got {requirement!r}")
    customer_groups(judge)  # refuses an unknown mode before anything runs
    rules = wk.shifts
    _check_grid(wk, rules)
    first_day = next(iter(wk.days.values()))
    root = first_day.run.seed if seed is None else seed
    seeds = {
        "search": root,
        "as_worked": root + 2 * INDEPENDENT_SEED_OFFSET,
        "check": root + 3 * INDEPENDENT_SEED_OFFSET,
    }
    check_reps = check_replications or replications
    log: list[str] = []

    def say(text: str) -> None:
        log.append(text)
        if progress is not None:
            progress(text)

    def run(ex: Executor) -> RosterResult:
        blocks: dict[str, list[_Block]] = {}
        for i, (name, day) in enumerate(wk.days.items()):
            if requirement == "current":
                current = pd.DataFrame([b.model_dump() for b in day.staffing])
                blocks[name] = _blocks(day, current)
                continue
            say(f"requirement: optimising {name}")
            opt = optimize(
                day,
                wanted,
                by="block",
                replications=replications,
                seed=seeds["search"] + i,
                curve=[],
                level=level,
                objective=objective,
                judge=judge,
                executor=ex,
            )
            say(
                f"requirement: {name}: {opt.evaluations} plans evaluated, "
                f"{opt.days_simulated} days simulated, {opt.elapsed_s:.0f} s"
            )
            plan = opt.staffing[opt.staffing["plan"] == CHOSEN]
            blocks[name] = _blocks(day, plan)
        names = list(wk.days)
        cands = {
            n: [c for role in rules.roles for c in candidates(rules, role, wk.days[n])]
            for n in names
        }
        limits = _max_on_duty(rules, wk)
        raised: dict[str, dict[tuple[int, str], int]] = {n: {} for n in names}
        first_needs: dict[str, dict[str, np.ndarray]] | None = None
        rounds = 0
        while True:
            rounds += 1
            needs = {n: _slot_needs(wk.days[n], blocks[n], rules, raised[n]) for n in names}
            if first_needs is None:
                first_needs = needs
            say(f"round {rounds}: solving the integer program")
            try:
                solution = solve_roster(
                    names, cands, needs, rules, limits, time_limit_s=time_limit_s
                )
            except RosterInfeasibleError as exc:
                if rounds == 1:
                    raise
                # The raised requirement cannot be rostered: keep the last roster, whose
                # shortfall the fresh check then reports block by block.
                say(f"round {rounds}: the raised requirement cannot be rostered ({exc})")
                rounds -= 1
                break
            solved_needs = needs
            solved_raised = {n: dict(r) for n, r in raised.items()}
            if rounds >= max_rounds:
                break
            short = False
            for n in names:
                say(f"round {rounds}: simulating {n} as worked")
                judged = _simulate_and_judge(
                    wk.days[n],
                    blocks[n],
                    solution,
                    n,
                    rules.slot_min,
                    wanted,
                    level,
                    replications,
                    seeds["as_worked"] + names.index(n),
                    ex,
                    judge,
                )
                seen: set[tuple[int, str, str]] = set()
                for row in judged:
                    if row["verdict"] != "missed":
                        continue
                    i = [b.label for b in blocks[n]].index(row["block"])
                    need = _CHANNEL_NEED.get(
                        row["customers"],
                        "attendant" if row["metric"] in ATTENDANT_METRICS else "cashier",
                    )
                    # One target missed by all customers and by a channel: one more, not two.
                    if (i, need, row["target"]) in seen:
                        continue
                    seen.add((i, need, row["target"]))
                    now = getattr(blocks[n][i], need) + raised[n].get((i, need), 0)
                    if now >= limits.get(need, 0) + limits.get("floater", 0):
                        continue  # at the physical limit: nothing more to add
                    raised[n][(i, need)] = raised[n].get((i, need), 0) + 1
                    short = True
            if not short:
                break
        say("fresh check")
        check_rows: list[dict[str, Any]] = []
        staffing: dict[str, list[dict[str, Any]]] = {}
        breaks: dict[str, list[dict[str, Any]]] = {}
        for n in names:
            staffing[n] = worked_staffing(wk.days[n], blocks[n], solution, n, rules.slot_min)
            breaks[n] = worked_breaks(staffing[n], solution, n, rules.slot_min)
            check_rows += _simulate_and_judge(
                wk.days[n],
                blocks[n],
                solution,
                n,
                rules.slot_min,
                wanted,
                level,
                check_reps,
                seeds["check"] + names.index(n),
                ex,
                judge,
            )
        check = pd.DataFrame(check_rows)
        shifts = _shift_rows(solution)
        costs = (
            shifts.groupby(["day", "role"], sort=False)
            .agg(shifts=("role", "size"), paid_hours=("paid_hours", "sum"), cost=("cost", "sum"))
            .reset_index()
        )
        required = pd.DataFrame(
            [
                {
                    "day": n,
                    "block": b.label,
                    "cashier": b.cashier + solved_raised[n].get((i, "cashier"), 0),
                    "express": b.express,
                    "attendant": b.attendant + solved_raised[n].get((i, "attendant"), 0),
                    "raised": sum(solved_raised[n].get((i, k), 0) for k in NEEDS),
                }
                for n in names
                for i, b in enumerate(blocks[n])
            ]
        )
        return RosterResult(
            week=wk,
            targets=wanted,
            shifts=shifts,
            requirement=required,
            costs=costs,
            check=check,
            staffing=staffing,
            breaks=breaks,
            block_cost=_slot_cost(solved_needs, rules, wk),
            block_optimum_cost=_slot_cost(first_needs, rules, wk),
            roster_cost=solution.cost,
            ip_gap=solution.gap,
            rounds=rounds,
            holds=bool((check["verdict"] != "missed").all()),
            seeds=seeds,
            replications=replications,
            check_replications=check_reps,
            log=log,
        )

    if executor is not None:
        result = run(executor)
    else:
        with make_executor(workers) as own:
            result = run(own)
    result.elapsed_s = time.perf_counter() - began
    return result


def _simulate_and_judge(
    day: Scenario,
    blocks: list[_Block],
    solution: RosterSolution,
    name: str,
    slot: int,
    targets: list[Target],
    level: float,
    replications: int,
    seed: int,
    executor: Executor,
    judge: str = "channels",
) -> list[dict[str, Any]]:
    staffing = worked_staffing(day, blocks, solution, name, slot)
    breaks = worked_breaks(staffing, solution, name, slot)
    worked = day.with_overrides({"staffing": staffing, "breaks": breaks})
    result = simulate(worked, replications, seed, executor=executor, progress=False)
    return _judge_day(_block_values(result, blocks, judge), blocks, targets, level, name)
