"""Shift rules: what a roster may contain (the ``shifts:`` section of a week file).

A roster is a set of shifts, each ``role, day, start, end, break``. The rules say which shifts
are allowed and what they cost::

    shifts:
      slot_min: 30                       # planning grid: starts, ends and breaks on it
      roles:
        cashier:
          lengths_h: [4, 6, 8]           # shift lengths, hours, breaks included
          earliest_start: "07:30"        # default: the store's opening
          latest_start: "15:00"          # default: closing minus the shortest length
          latest_end: "21:30"            # default: the store's closing
          min_on_duty: 1                 # working (not on break) in every slot of the day
          max_on_duty: 12                # default: the lanes that exist
          cost_per_hour: 15.0            # default: costs.cashier_wage_per_hour
          headcount: 20                  # people: at most one shift each per day
          max_hours_per_person_per_week: 40
        attendant: {...}
        floater: {...}                   # works as a cashier or an attendant, slot by slot
      breaks:                            # the rule with the largest min_shift_h <= length
        - {min_shift_h: 6, length_min: 30, paid: false,
           earliest_after_min: 120, latest_after_min: 300}
      premiums:                          # extra pay for paid minutes inside a window
        - {start: "19:00", end: "24:00", pct: 25}

Times of day are quoted ``"HH:MM"``; durations say their unit in the key. Every problem is a
validation error located at its key (``shifts.roles.cashier.lengths_h``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from checkoutsim.scenario.schema import (
    MAX_MONEY,
    MAX_UNITS,
    EndTimeOfDay,
    TimeOfDay,
    parse_time_of_day,
)

__all__ = ["ROLES", "BreakRule", "Premium", "Role", "RoleRules", "ShiftRules"]

Role = Literal["cashier", "attendant", "floater"]

ROLES = ("cashier", "attendant", "floater")
"""Roster roles: a cashier staffs a lane (regular or express), an attendant the kiosk bank, a
floater either, decided slot by slot."""

_CONFIG = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

MAX_SHIFT_H = 16.0
"""Longest shift, hours: beyond any working-time law (the EU directive's 11-hour daily rest
leaves at most 13)."""

MAX_WEEK_HOURS = 168.0
"""Hours in a week: the largest weekly-hours limit."""


class _Model(BaseModel):
    model_config = _CONFIG


class BreakRule(_Model):
    """The break of a shift at least ``min_shift_h`` long."""

    min_shift_h: Annotated[float, Field(gt=0, le=MAX_SHIFT_H)] = Field(
        description="Shifts of at least this many hours (above 0, at most 16) take this break."
    )
    length_min: Annotated[int, Field(ge=0, le=240)] = Field(
        description="Break length, minutes (0 to 240); a multiple of slot_min."
    )
    paid: bool = Field(default=False, description="Whether break minutes are paid.")
    earliest_after_min: Annotated[int, Field(ge=0, le=960)] = Field(
        default=120, description="Earliest break start, minutes after the shift starts."
    )
    latest_after_min: Annotated[int, Field(ge=0, le=960)] = Field(
        default=300, description="Latest break start, minutes after the shift starts."
    )

    @model_validator(mode="after")
    def _window(self) -> BreakRule:
        if self.latest_after_min < self.earliest_after_min:
            raise ValueError(
                f"latest_after_min ({self.latest_after_min}) is before earliest_after_min "
                f"({self.earliest_after_min})"
            )
        return self


class Premium(_Model):
    """Extra pay, percent of the hourly cost, for paid minutes between ``start`` and ``end``."""

    start: TimeOfDay = Field(description="Window start, 'HH:MM'.")
    end: EndTimeOfDay = Field(description="Window end, 'HH:MM' ('24:00' = midnight).")
    pct: Annotated[float, Field(ge=0, le=300)] = Field(
        description="Premium, percent of the role's cost per hour (0 to 300)."
    )

    @model_validator(mode="after")
    def _order(self) -> Premium:
        if parse_time_of_day(self.end) <= parse_time_of_day(self.start):
            raise ValueError(f"end {self.end} is not after start {self.start}")
        return self


class RoleRules(_Model):
    """The shifts one role may work."""

    lengths_h: list[Annotated[float, Field(gt=0, le=MAX_SHIFT_H)]] = Field(
        min_length=1,
        max_length=20,
        description="Allowed shift lengths, hours, breaks included (each above 0, at most 16; "
        "a multiple of slot_min).",
    )
    earliest_start: TimeOfDay | None = Field(
        default=None, description="Earliest shift start, 'HH:MM'; null = the store's opening."
    )
    latest_start: TimeOfDay | None = Field(
        default=None,
        description="Latest shift start, 'HH:MM'; null = as late as a shift still fits.",
    )
    latest_end: EndTimeOfDay | None = Field(
        default=None, description="Latest shift end, 'HH:MM'; null = the store's closing."
    )
    min_on_duty: Annotated[int, Field(ge=0, le=MAX_UNITS)] = Field(
        default=0,
        description="Staff of this role working (not on break) in every slot the store is "
        "open, 0 to 1,000 (a floater counts towards either role's minimum).",
    )
    max_on_duty: Annotated[int, Field(ge=0, le=MAX_UNITS)] | None = Field(
        default=None,
        description="Most staff of this role at work at once, 0 to 1,000; null = the lanes "
        "(cashier) or kiosks (attendant) that exist, their sum for floaters.",
    )
    cost_per_hour: Annotated[float, Field(ge=0, le=MAX_MONEY)] | None = Field(
        default=None,
        description="Cost per paid hour; null = the scenario's costs (cashier or attendant "
        "wage; a floater the higher of the two).",
    )
    headcount: Annotated[int, Field(ge=0, le=MAX_UNITS)] | None = Field(
        default=None,
        description="People in the role, 0 to 1,000: at most this many shifts a day; null = "
        "no limit.",
    )
    max_hours_per_person_per_week: Annotated[float, Field(gt=0, le=MAX_WEEK_HOURS)] | None = Field(
        default=None,
        description="Most paid hours a person works in the week (above 0, at most 168); "
        "with headcount it caps the role's paid hours in the week at headcount x this.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> RoleRules:
        if len(set(self.lengths_h)) != len(self.lengths_h):
            raise ValueError(f"lengths_h lists a length twice: {self.lengths_h}")
        if (
            self.earliest_start
            and self.latest_start
            and parse_time_of_day(self.latest_start) < parse_time_of_day(self.earliest_start)
        ):
            raise ValueError(
                f"latest_start {self.latest_start} is before earliest_start {self.earliest_start}"
            )
        if self.max_on_duty is not None and self.max_on_duty < self.min_on_duty:
            raise ValueError(
                f"max_on_duty ({self.max_on_duty}) is below min_on_duty ({self.min_on_duty})"
            )
        if self.max_hours_per_person_per_week is not None and self.headcount is None:
            raise ValueError("max_hours_per_person_per_week needs headcount (the people it caps)")
        return self


def _default_roles() -> dict[Role, RoleRules]:
    return {
        "cashier": RoleRules(lengths_h=[4.0, 6.0, 8.0]),
        "attendant": RoleRules(lengths_h=[4.0, 6.0, 8.0]),
    }


def _default_breaks() -> list[BreakRule]:
    return [BreakRule(min_shift_h=6.0, length_min=30, paid=False)]


class ShiftRules(_Model):
    """Every rule a roster obeys (module docstring)."""

    slot_min: Literal[15, 30, 60] = Field(
        default=30,
        description="Planning grid, minutes (15, 30 or 60): shift starts, ends and breaks "
        "fall on it and requirements are checked slot by slot.",
    )
    roles: dict[Role, RoleRules] = Field(
        default_factory=_default_roles,
        description="Rules per role; a role left out works no shifts (cashier and attendant "
        "are needed whenever the requirement asks for them).",
    )
    breaks: list[BreakRule] = Field(
        default_factory=_default_breaks,
        max_length=20,
        description="Break rules; a shift takes the rule with the largest min_shift_h not "
        "above its length (none: no break). Default: 30 unpaid minutes in shifts of 6 hours "
        "or more, starting 2 to 5 hours in.",
    )
    premiums: list[Premium] = Field(
        default_factory=list,
        max_length=20,
        description="Pay premiums by time of day (e.g. evenings); overlapping premiums add.",
    )

    @model_validator(mode="after")
    def _grid(self) -> ShiftRules:
        slot = self.slot_min
        problems = []
        for role, rules in self.roles.items():
            for h in rules.lengths_h:
                if round(h * 60) % slot or abs(h * 60 - round(h * 60)) > 1e-9:
                    problems.append(
                        f"roles.{role}.lengths_h: {h:g} h is not a multiple of {slot} min"
                    )
            for name in ("earliest_start", "latest_start", "latest_end"):
                text = getattr(rules, name)
                if text is not None and parse_time_of_day(text) % slot:
                    problems.append(f"roles.{role}.{name}: {text} is not on the {slot}-min grid")
        for i, rule in enumerate(self.breaks):
            for name in ("length_min", "earliest_after_min", "latest_after_min"):
                if getattr(rule, name) % slot:
                    problems.append(f"breaks[{i}].{name}: not a multiple of {slot} min")
            if rule.length_min >= rule.min_shift_h * 60:
                problems.append(f"breaks[{i}].length_min: as long as the shift itself")
        for role, rules in self.roles.items():
            for h in rules.lengths_h:
                brk = self.break_for(round(h * 60))
                if brk is not None and brk.earliest_after_min + brk.length_min > h * 60:
                    problems.append(
                        f"roles.{role}.lengths_h: a {h:g} h shift has no room for its break "
                        f"({brk.length_min} min from {brk.earliest_after_min} min in)"
                    )
        if len({r.min_shift_h for r in self.breaks}) != len(self.breaks):
            problems.append("breaks: two rules share a min_shift_h")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def break_for(self, length_min: int) -> BreakRule | None:
        """The break rule of a shift ``length_min`` long (None: no break)."""
        fitting = [r for r in self.breaks if r.min_shift_h * 60 <= length_min + 1e-9]
        if not fitting:
            return None
        rule = max(fitting, key=lambda r: r.min_shift_h)
        return rule if rule.length_min > 0 else None
