"""The scenario layer: what a store day looks like, validated once at the edge.

The pydantic schema (frozen, unknown keys refused), YAML loading with file, line and key-path
errors, the distributions, override paths, plan files, and changing a scenario from Python. It
imports no other layer of checkoutsim: everything else builds on it.
"""

from checkoutsim.scenario.changes import with_overrides, with_staffing
from checkoutsim.scenario.distributions import Distribution
from checkoutsim.scenario.loader import (
    Problem,
    ScenarioError,
    dump_scenario_yaml,
    load_scenario,
    load_yaml_mapping,
    scenario_from_mapping,
)
from checkoutsim.scenario.plans import Plan, load_plan
from checkoutsim.scenario.schema import Scenario
from checkoutsim.scenario.shifts import ShiftRules
from checkoutsim.scenario.week import Week, load_week, load_week_or_scenario

__all__ = [
    "Distribution",
    "Plan",
    "Problem",
    "Scenario",
    "ScenarioError",
    "ShiftRules",
    "Week",
    "dump_scenario_yaml",
    "load_plan",
    "load_scenario",
    "load_week",
    "load_week_or_scenario",
    "load_yaml_mapping",
    "scenario_from_mapping",
    "with_overrides",
    "with_staffing",
]
