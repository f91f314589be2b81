"""Greedy search for the cheapest plan that meets the targets: add where short, then trim.

Starting from a plan (the closed-form estimate of :mod:`checkoutsim.planning.start`, or the
scenario's own), all candidates judged on the same simulated days (common random numbers,
:mod:`checkoutsim.planning.evaluate`) with the decision rule of
:mod:`checkoutsim.planning.targets`:

1. **Add** while some target fails: take the unit (block, or the day, and customer group)
   with the biggest shortfall that can still grow; simulate one more of each searched role in
   that block (any block when judging the day) that serves the group (a lane for the
   cashier's customers, an attendant or kiosk for the kiosks' customers; any role for all
   customers, or when the group's own roles cannot grow or none of them lessens the
   shortfall); keep the move that removes the most total shortfall per unit
   of cost (labour, or the kiosk's hourly cost). Stop when every target holds, or report the
   plan as unable to meet them when nothing can grow.
2. **Remove** one at a time, the most expensive (block, role) first: keep a removal if every
   target still holds in every unit (a removal in one block can hurt the next: queues carry
   over) and, with the ``total`` objective, the mean total cost per day does not rise (saving
   a cashier's wage is no saving if the lost margin and shrink grow by more); repeat passes
   until none is kept.
3. **Descend** (``total`` objective only): among every plan one staff member (or kiosk) away
   that meets every target, move to the one with the lowest mean total cost while that is
   lower than the current plan's; this is how a plan adds a cashier whose wage is paid for by
   the baskets no longer abandoned. Several moves per step: greedily from the cheapest, the
   best cost-lowering move of blocks no two of which are adjacent (queues carry over into the
   next block) is applied together and the combined plan simulated; it is taken if it meets
   every target and costs less than the best single move, else the best single move is.
   Every accepted plan is simulated on all the days, so every step still meets every target
   and lowers the mean total cost, and the search still ends only where no plan one unit
   away is cheaper; combining saves the neighbourhoods (two evaluations per block and role
   each) of the steps it merges. (Combining every block's best move, adjacent ones too, was
   tried and refused: on a four-block test day it led to a dearer end plan.)

Every plan is evaluated at most once per search (:class:`SearchOutcome` counts the plans
evaluated per phase); the evaluator's own cache makes a plan met again in another search (the
cost curve) free of simulation too.

A plan never leaves the bounds (physical lanes and kiosks, the optimiser's attendant minimums)
and every candidate is a validated scenario.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from checkoutsim.planning.evaluate import Evaluation, Evaluator
from checkoutsim.planning.plan import PlanSpace, StaffPlan
from checkoutsim.scenario.targets import Target

__all__ = ["SearchOutcome", "SearchStep", "search"]

StepCallback = Callable[["SearchStep"], None]


@dataclass(frozen=True)
class SearchStep:
    """One accepted move (or the start) of a search, for the log."""

    phase: str
    block: str
    role: str
    change: int
    labour_cost: float
    kiosk_hours: float
    feasible: bool
    shortfall: float
    total_cost: float = float("nan")


@dataclass(frozen=True)
class SearchOutcome:
    """Where a search ended: the plan, its evaluation, whether it meets every target.

    ``evaluations`` counts the distinct plans the search asked the evaluator for, by phase
    (``start``, ``add``, ``remove``, ``descend``, and ``combine``: the combined plans of
    descend steps); a plan met again in the same search is not counted twice.
    """

    evaluation: Evaluation
    meets: bool
    steps: list[SearchStep]
    evaluations: dict[str, int] = field(default_factory=dict)


class _Memo:
    """This search's evaluations by plan: each plan is asked of the evaluator once."""

    def __init__(self, evaluator: Evaluator, seed: int, targets: list[Target]):
        self.evaluator, self.seed, self.targets = evaluator, seed, targets
        self.known: dict[StaffPlan, Evaluation] = {}
        self.counts: dict[str, int] = {}

    def __call__(self, plans: Sequence[StaffPlan], phase: str) -> list[Evaluation]:
        new = [p for p in dict.fromkeys(plans) if p not in self.known]
        if new:
            done = self.evaluator.evaluate_many(new, self.seed, self.targets)
            self.known.update(zip(new, done, strict=True))
        self.counts[phase] = self.counts.get(phase, 0) + len(new)
        return [self.known[p] for p in plans]


def _valid(space: PlanSpace, plan: StaffPlan) -> bool:
    if not space.within_bounds(plan):
        return False
    try:
        space.scenario(plan)
    except ValueError:
        return False
    return True


def search(
    evaluator: Evaluator,
    start: StaffPlan,
    seed: int,
    targets: Sequence[Target] | None = None,
    *,
    max_steps: int = 500,
    on_step: StepCallback | None = None,
    combine: bool = True,
) -> SearchOutcome:
    """Run the add-then-remove search (module docstring) from ``start``.

    Parameters
    ----------
    evaluator : Evaluator
        Simulates and judges candidates.
    start : StaffPlan
        First plan (repaired into the bounds if needed).
    seed : int
        Root seed of every candidate's days.
    targets : sequence of Target, optional
        Default the evaluator's targets.
    max_steps : int
        Safety limit on accepted moves.
    on_step : callable, optional
        Called with each :class:`SearchStep`.
    combine : bool
        Try several descend moves per step (module docstring); ``False`` is the one-move
        descent (kept to measure the difference).
    """
    space = evaluator.space
    wanted = list(evaluator.targets if targets is None else targets)
    by_total = evaluator.objective == "total"
    labels = [f"{b.start}-{b.end}" for b in space.base.staffing]
    steps: list[SearchStep] = []

    def log(phase: str, ev: Evaluation, block: int | None, role: str, change: int) -> None:
        step = SearchStep(
            phase,
            labels[block] if block is not None else "",
            role,
            change,
            space.cost(ev.plan),
            space.kiosk_hours(ev.plan),
            ev.feasible,
            ev.shortfall,
            ev.total_cost if len(ev.money) else float("nan"),
        )
        steps.append(step)
        if on_step is not None:
            on_step(step)

    memo = _Memo(evaluator, seed, wanted)
    plan = space.repaired(start)
    if not _valid(space, plan):
        plan = StaffPlan.of(space.base)
    current = memo([plan], "start")[0]
    log("start", current, None, "", 0)
    while not current.feasible and len(steps) < max_steps:
        moves = _add_moves(space, current, labels)
        if not moves:
            return SearchOutcome(current, False, steps, memo.counts)
        evaluated = memo([p for _, _, p in moves], "add")
        if all(ev.shortfall >= current.shortfall for ev in evaluated):
            # The channel's own roles do not help here (e.g. kiosks not searched and the
            # attendants idle): let every role compete, as for the all-customer figure.
            others = [m for m in _add_moves(space, current, labels, False) if m not in moves]
            moves += others
            evaluated += memo([p for _, _, p in others], "add")
        i = max(range(len(moves)), key=lambda k: _gain(space, current, moves[k][2], evaluated[k]))
        (block, role, _), current = moves[i], evaluated[i]
        log("add", current, block, role, +1)
    if not current.feasible:
        return SearchOutcome(current, False, steps, memo.counts)
    order = sorted(
        ((b, r) for b in range(space.blocks) for r in space.roles),
        key=lambda br: -_unit_cost(space, br[0], br[1]),
    )
    kept = True
    while kept and len(steps) < max_steps:
        kept = False
        for block, role in order:
            while len(steps) < max_steps:
                candidate = current.plan.moved(block, role, -1)
                if not _valid(space, candidate):
                    break
                ev = memo([candidate], "remove")[0]
                if not ev.feasible or (by_total and ev.total_cost > current.total_cost):
                    break
                current, kept = ev, True
                log("remove", current, block, role, -1)
    while by_total and len(steps) < max_steps:
        near = _neighbours(space, current.plan)
        evaluated = memo([p for _, _, _, p in near], "descend")
        better = sorted(
            (ev.total_cost, k)
            for k, ev in enumerate(evaluated)
            if ev.feasible and ev.total_cost < current.total_cost
        )
        if not better:
            break
        best, k = better[0]
        base, taken, current = current.plan, [near[k][:3]], evaluated[k]
        combo = _apart(near, better) if combine else []
        if len(combo) > 1:
            plan = base
            for b, r, c in combo:
                plan = plan.moved(b, r, c)
            joint = memo([plan], "combine")[0] if _valid(space, plan) else None
            if joint is not None and joint.feasible and joint.total_cost < best:
                taken, current = combo, joint
        for b, r, c in taken:
            log("descend", current, b, r, c)
    return SearchOutcome(current, True, steps, memo.counts)


def _neighbours(space: PlanSpace, plan: StaffPlan) -> list[tuple[int, str, int, StaffPlan]]:
    """Every valid plan one unit of one role in one block away from ``plan``."""
    out = []
    seen = {plan}
    for b in range(space.blocks):
        for role in space.roles:
            for change in (+1, -1):
                moved = plan.moved(b, role, change)
                if moved in seen or not _valid(space, moved):
                    continue
                seen.add(moved)
                out.append((b, role, change, moved))
    return out


def _apart(
    near: list[tuple[int, str, int, StaffPlan]], better: list[tuple[float, int]]
) -> list[tuple[int, str, int]]:
    """The moves one descend step tries together: greedily from the cheapest cost-lowering
    neighbour (``better`` is sorted), the best move of blocks no two of which are adjacent
    (a queue left at the end of a block is served in the next)."""
    taken: list[tuple[int, str, int]] = []
    for _, k in better:
        block = near[k][0]
        if all(abs(block - other[0]) > 1 for other in taken):
            taken.append(near[k][:3])
    return taken


def _gain(
    space: PlanSpace, current: Evaluation, plan: StaffPlan, ev: Evaluation
) -> tuple[float, float]:
    """Shortfall removed per unit of cost by moving to ``plan`` (then: cheaper is better)."""
    extra = max(space.weighted_cost(plan) - space.weighted_cost(current.plan), 1e-9)
    return ((current.shortfall - ev.shortfall) / extra, -space.weighted_cost(plan))


def _unit_cost(space: PlanSpace, block: int, role: str) -> float:
    """What one of ``role`` in ``block`` costs (the removal order: dearest first)."""
    c = space.base.costs
    hours = space.hours(block)
    if role == "attendants":
        return c.attendant_wage_per_hour * hours
    if role == "kiosks":
        return max(c.kiosk_cost_per_hour, 0.01) * hours
    return c.cashier_wage_per_hour * hours


CHANNEL_ROLES = {
    "cashier": ("cashiers", "express_cashiers"),
    "kiosk": ("attendants", "kiosks"),
}
"""The roles that serve a channel's customers: a target missed by the cashier's customers is
mended first at the lanes, one missed by the kiosks' customers at the kiosks and by their
attendants."""


def _add_moves(
    space: PlanSpace, current: Evaluation, labels: list[str], own_roles: bool = True
) -> list[tuple[int, str, StaffPlan]]:
    """Candidate +1 moves in the worst unit that can still grow (empty: nothing can).

    A unit is a block (or the day) and a customer group. With ``own_roles``, a channel's
    shortfall is met only by the roles serving it (:data:`CHANNEL_ROLES`), and every searched
    role is tried when none of those can grow there; without it (or for the all-customer
    figure) every searched role is tried.
    """
    short = sorted(
        ((s, u) for u, s in current.unit_shortfall().items() if s > 0), key=lambda x: -x[0]
    )
    for _, (unit, group) in short:
        blocks = [labels.index(unit)] if unit in labels else range(space.blocks)
        mine = CHANNEL_ROLES.get(group, space.roles) if own_roles else space.roles
        own = tuple(r for r in space.roles if r in mine)
        for roles in (own, space.roles):
            moves = []
            for b in blocks:
                for role in roles:
                    plan = space.repaired(current.plan.moved(b, role, +1))
                    if plan != current.plan and _valid(space, plan):
                        moves.append((b, role, plan))
            if moves:
                return moves
    return []
