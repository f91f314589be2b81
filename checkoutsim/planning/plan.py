"""A staffing plan as the optimiser sees it: staff counts per block, bounds, cost, scenario.

A :class:`StaffPlan` holds, for every staffing block of the scenario (blocks and their times
are kept as they are), the count of each searched role: ``cashiers``, ``express_cashiers``,
``attendants`` and, when kiosks are searched, ``kiosks`` switched on. Candidates become
scenarios through the validated schema (:meth:`Scenario.with_overrides`), so every rule of a
scenario file (physical lanes and kiosks, an attendant in the last block while kiosks are open,
no block with customers and nothing open) is enforced for them too; :class:`PlanSpace` adds the
optimiser's own minimums, so that nobody is stranded: a regular cashier in every block with
arrivals when some customers cannot use a kiosk (``never_kiosk_share > 0``, a
``kiosk_item_limit``, or no kiosk on), an attendant wherever open kiosks can freeze, and an
optional ratio of kiosks per attendant.

Cost (the objective) is the scenario's labour cost of the plan, ``costs.scheduled_hours`` x
wages (currency per day); ties are broken by fewer kiosk-hours switched on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from checkoutsim.experience.costs import scheduled_hours
from checkoutsim.scenario.distributions import unvalidated_copy
from checkoutsim.scenario.schema import Scenario, StaffingBlock, parse_time_of_day

__all__ = ["ROLES", "PlanSpace", "StaffPlan", "block_arrival_rate"]

ROLES = ("cashiers", "express_cashiers", "attendants", "kiosks")
"""Every role a plan can hold, in the order of :attr:`StaffPlan.counts` rows."""


@dataclass(frozen=True, order=True)
class StaffPlan:
    """Counts per block: ``counts[b][i]`` is role ``ROLES[i]`` in staffing block ``b``."""

    counts: tuple[tuple[int, int, int, int], ...]

    @classmethod
    def of(cls, scenario: Scenario) -> StaffPlan:
        """The scenario's own plan (``kiosks: null`` read as every kiosk switched on)."""
        return cls(
            tuple(
                (
                    b.cashiers,
                    b.express_cashiers,
                    b.attendants,
                    scenario.kiosks.count if b.kiosks is None else b.kiosks,
                )
                for b in scenario.staffing
            )
        )

    def get(self, block: int, role: str) -> int:
        """Count of ``role`` in ``block``."""
        return self.counts[block][ROLES.index(role)]

    def moved(self, block: int, role: str, step: int) -> StaffPlan:
        """A copy with ``step`` more (or fewer) of ``role`` in ``block``."""
        rows = [list(r) for r in self.counts]
        rows[block][ROLES.index(role)] += step
        return StaffPlan(tuple((r[0], r[1], r[2], r[3]) for r in rows))


@dataclass(frozen=True)
class PlanSpace:
    """The plans the optimiser may choose from, for one base scenario.

    Attributes
    ----------
    base : Scenario
        The scenario whose staffing is searched (everything else is kept).
    roles : tuple of str
        Roles searched: cashiers if there are regular lanes, express cashiers if there are
        express lanes, attendants if kiosks can freeze, kiosks if asked for.
    max_kiosks_per_attendant : int, optional
        At least ``ceil(kiosks on / this)`` attendants in a block (none when not given).
    """

    base: Scenario
    roles: tuple[str, ...]
    max_kiosks_per_attendant: int | None = None

    @classmethod
    def for_scenario(
        cls,
        base: Scenario,
        *,
        kiosks: bool = False,
        max_kiosks_per_attendant: int | None = None,
    ) -> PlanSpace:
        """Which roles to search in ``base`` (see the class attributes)."""
        roles = []
        if base.cashiers.lanes > 0:
            roles.append("cashiers")
        if base.cashiers.express is not None and base.cashiers.express.lanes > 0:
            roles.append("express_cashiers")
        if base.kiosks.count > 0 and _confusion_possible(base):
            roles.append("attendants")
        if kiosks and base.kiosks.count > 0:
            roles.append("kiosks")
        if max_kiosks_per_attendant is not None and max_kiosks_per_attendant < 1:
            raise ValueError("max kiosks per attendant must be at least 1")
        return cls(base, tuple(roles), max_kiosks_per_attendant)

    @property
    def blocks(self) -> int:
        """Number of staffing blocks."""
        return len(self.base.staffing)

    def hours(self, block: int) -> float:
        """Length of ``block`` in hours."""
        b = self.base.staffing[block]
        return (self.base.minutes_after_open(b.end) - self.base.minutes_after_open(b.start)) / 60

    def upper(self, role: str) -> int:
        """Most of ``role`` a block can hold (physical lanes and kiosks; attendants: kiosks)."""
        s = self.base
        return {
            "cashiers": s.cashiers.lanes,
            "express_cashiers": s.cashiers.express.lanes if s.cashiers.express else 0,
            "attendants": s.kiosks.count,  # more attendants than kiosks never helps
            "kiosks": s.kiosks.count,
        }[role]

    def minimum_attendants(self, plan: StaffPlan, block: int) -> int:
        """Attendants ``block`` needs: one wherever open kiosks can freeze, plus the ratio."""
        kiosks_on = plan.get(block, "kiosks")
        if kiosks_on == 0 or not _confusion_possible(self.base):
            return 0
        need = 1
        if self.max_kiosks_per_attendant is not None:
            need = max(need, math.ceil(kiosks_on / self.max_kiosks_per_attendant))
        return need

    def minimum_cashiers(self, plan: StaffPlan, block: int) -> int:
        """Regular cashiers ``block`` needs: one if customers arrive and some cannot use a
        kiosk (they would otherwise wait for a lane that never opens, or leave)."""
        s = self.base
        if s.cashiers.lanes == 0 or block_arrival_rate(s, s.staffing[block]) == 0:
            return 0
        some_cannot = (
            s.customers.channel.never_kiosk_share > 0
            or s.customers.kiosk_item_limit is not None
            or plan.get(block, "kiosks") == 0
        )
        return 1 if some_cannot else 0

    def within_bounds(self, plan: StaffPlan) -> bool:
        """Counts within ``[0, upper]`` and the optimiser's minimums (not the schema rules)."""
        for b in range(self.blocks):
            for role in ROLES:
                if not 0 <= plan.get(b, role) <= self.upper(role):
                    return False
            if plan.get(b, "attendants") < self.minimum_attendants(plan, b):
                return False
            if plan.get(b, "cashiers") < self.minimum_cashiers(plan, b):
                return False
        return True

    def repaired(self, plan: StaffPlan) -> StaffPlan:
        """``plan`` clipped to the bounds with the minimum attendants and cashiers added."""
        rows = []
        for row in plan.counts:
            c, e, a, k = (min(max(0, v), self.upper(r)) for v, r in zip(row, ROLES, strict=True))
            rows.append((c, e, a, k))
        out = StaffPlan(tuple(rows))
        for b in range(self.blocks):
            for role, need in (
                ("attendants", self.minimum_attendants(out, b)),
                ("cashiers", self.minimum_cashiers(out, b)),
            ):
                if out.get(b, role) < need:
                    out = out.moved(b, role, need - out.get(b, role))
        return out

    def staffing(self, plan: StaffPlan) -> list[dict[str, Any]]:
        """The plan as a scenario ``staffing`` list (times as in the base scenario).

        ``kiosks`` is written only where it differs from "all of them" or the base wrote it.
        """
        out = []
        for b, (c, e, a, k) in zip(self.base.staffing, plan.counts, strict=True):
            block: dict[str, Any] = {
                "start": b.start,
                "end": b.end,
                "cashiers": c,
                "express_cashiers": e,
                "attendants": a,
            }
            if b.kiosks is not None or k != self.base.kiosks.count:
                block["kiosks"] = k
            out.append(block)
        return out

    def scenario(self, plan: StaffPlan, name: str | None = None) -> Scenario:
        """The base scenario with ``plan``'s staffing, validated again.

        Raises
        ------
        ValueError
            (pydantic ``ValidationError``) if the schema refuses the plan.
        """
        s = self.base.with_overrides({"staffing": self.staffing(plan)})
        return s if name is None else s.model_copy(update={"name": name})

    def cost(self, plan: StaffPlan) -> float:
        """Labour cost per day of ``plan`` (currency of ``costs``)."""
        hours = self.staff_hours(plan)
        c = self.base.costs
        return hours["cashier"] * c.cashier_wage_per_hour + (
            hours["attendant"] * c.attendant_wage_per_hour
        )

    def staff_hours(self, plan: StaffPlan) -> dict[str, float]:
        """Scheduled hours by role (``cashier`` includes express), as
        :mod:`checkoutsim.experience.costs`."""
        # Reuse the cost module's definition on a scenario built without validation: the
        # hours only depend on the staffing counts and block times.
        staffing = self.base.staffing
        blocks = [
            s.model_copy(update={"cashiers": c, "express_cashiers": e, "attendants": a})
            for s, (c, e, a, _) in zip(staffing, plan.counts, strict=True)
        ]
        return scheduled_hours(unvalidated_copy(self.base, {"staffing": blocks}))

    def kiosk_hours(self, plan: StaffPlan) -> float:
        """Kiosk-hours switched on (the tie-break after labour cost)."""
        return sum(self.hours(b) * plan.get(b, "kiosks") for b in range(self.blocks))

    def objective(self, plan: StaffPlan) -> tuple[float, float]:
        """What the search minimises: (labour cost, kiosk-hours), compared in that order."""
        return (round(self.cost(plan), 9), round(self.kiosk_hours(plan), 9))

    def weighted_cost(self, plan: StaffPlan) -> float:
        """Labour cost plus kiosk-hours at ``kiosk_cost_per_hour`` (at least a token 0.01):
        the cost a move is charged in the search, so that switching a kiosk on is not free."""
        rate = max(self.base.costs.kiosk_cost_per_hour, 0.01)
        return self.cost(plan) + rate * self.kiosk_hours(plan)

    def yaml(self, plan: StaffPlan) -> str:
        """``staffing:`` YAML ready to paste into a scenario (times quoted ``"HH:MM"``), one
        flow mapping per block as in the shipped scenarios."""
        lines = ["staffing:"]
        for block in self.staffing(plan):
            fields = [
                f'{k}: "{v}"' if k in ("start", "end") else f"{k}: {v}" for k, v in block.items()
            ]
            lines.append("  - {" + ", ".join(fields) + "}")
        return "\n".join(lines) + "\n"


def block_arrival_rate(scenario: Scenario, block: StaffingBlock) -> float:
    """Mean arrivals per minute during ``block`` (time-weighted over the arrival profile)."""
    start, end = parse_time_of_day(block.start), parse_time_of_day(block.end)
    total = 0.0
    for arr in scenario.arrivals.profile:
        a0, a1 = parse_time_of_day(arr.start), parse_time_of_day(arr.end)
        total += max(0, min(end, a1) - max(start, a0)) * arr.customers_per_hour / 60.0
    return total / (end - start)


def _confusion_possible(s: Scenario) -> bool:
    return any(c.probability > 0 for c in s.kiosks.confusion)
