"""Week files: the day types of a week, each a scenario, and the shift rules of its roster.

A week file reads::

    base: weekday.yaml             # a scenario file, relative to this file
    description: A mid-size store's week
    days:                          # day types in week order, each overrides the base
      monday:    {arrivals: {profile: [...]}}
      saturday:  {store: {open: "08:00", close: "20:00"}, arrivals: {profile: [...]}}
      public_holiday: {...}        # a holiday is a day type of its own
    shifts: {...}                  # checkoutsim.scenario.shifts (default rules if left out)

Each day type is resolved and validated like a plan variant (problems located at the override's
line) and named after its key. ``checkoutsim roster`` also takes a plain scenario: a one-day
"week" with default shift rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from checkoutsim.scenario.loader import (
    Problem,
    ScenarioError,
    load_scenario,
    load_yaml_mapping,
    to_plain,
)
from checkoutsim.scenario.plans import file_problems, load_base, resolve_overrides
from checkoutsim.scenario.schema import NAME_PATTERN, Scenario
from checkoutsim.scenario.shifts import ShiftRules

__all__ = [
    "Week",
    "WeekFile",
    "is_week_file",
    "load_week",
    "load_week_or_scenario",
    "week_from_mapping",
]

MAX_DAY_TYPES = 14
"""Most day types in a week file: seven days plus holidays and special days."""


class WeekFile(BaseModel):
    """The schema of a week file (module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    base: str = Field(min_length=1, description="Base scenario file, relative to the week file.")
    description: str = Field(default="", max_length=10_000)
    days: dict[Annotated[str, Field(pattern=NAME_PATTERN)], dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_DAY_TYPES,
        description="Day type name -> overrides of the base scenario, in week order (1 to 14).",
    )
    shifts: ShiftRules = Field(default_factory=ShiftRules)


@dataclass(frozen=True)
class Week:
    """A loaded week: day types as scenarios, and the shift rules.

    Attributes
    ----------
    name : str
        The file's stem.
    source : str
        The file as given.
    days : dict of str to Scenario
        Resolved day types in week order, each named after its key.
    shifts : ShiftRules
    description : str
    """

    name: str
    source: str
    days: dict[str, Scenario]
    shifts: ShiftRules = field(default_factory=ShiftRules)
    description: str = ""


def is_week_file(path: str | Path) -> bool:
    """Whether ``path`` holds a week file (a mapping with ``days:``) rather than a scenario."""
    data, _ = load_yaml_mapping(Path(path), comments=False)
    return "days" in data


def load_week(path: str | Path) -> Week:
    """Load, resolve and validate a week file.

    Raises
    ------
    ScenarioError
        Every problem found, each naming the file, key path and line.
    """
    data, source = load_yaml_mapping(Path(path), comments=False)
    return week_from_mapping(data, source, path)


def week_from_mapping(data: Mapping[str, Any], source: str, path: str | Path) -> Week:
    """:func:`load_week` on a week file's document already read (as ``checkoutsim validate``
    has, to tell a week file from a scenario), so the file is not parsed twice.
    """
    p = Path(path)
    try:
        spec = WeekFile.model_validate(to_plain(data))
    except ValidationError as exc:
        raise ScenarioError(file_problems(exc, data, source, "week")) from None
    base = load_base(data, p, source)
    problems: list[Problem] = []
    days: dict[str, Scenario] = {}
    for name in spec.days:
        try:
            days[name] = resolve_overrides(
                base, data["days"][name], source, ("days", name), name, data["days"]
            )
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    return Week(
        name=p.stem, source=source, days=days, shifts=spec.shifts, description=spec.description
    )


def load_week_or_scenario(path: str | Path) -> Week:
    """A week file as it is, or a scenario file as a one-day week with default shift rules."""
    if is_week_file(path):
        return load_week(path)
    scenario = load_scenario(path)
    return Week(name=scenario.name, source=str(path), days={scenario.name: scenario})
