"""The scenario layer: what a store day looks like, validated once at the edge.

The pydantic schema (frozen, unknown keys refused), YAML loading with file, line and key-path
errors, the distributions, override paths, plan files, and changing a scenario from Python. It
imports no other layer of checkoutsim: everything else builds on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from checkoutsim._lazy import lazy_exports

if TYPE_CHECKING:
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

# Each public name and the module that defines it, imported on first use (PEP 562): importing
# one module of the layer (``checkoutsim validate`` needs the loader and the schema only) runs
# this file first, and must not pay for the plan, week, shift and override modules as well
# (issue 20, docs/performance.md).
_PUBLIC = {
    "Distribution": "checkoutsim.scenario.distributions",
    "Plan": "checkoutsim.scenario.plans",
    "Problem": "checkoutsim.scenario.loader",
    "Scenario": "checkoutsim.scenario.schema",
    "ScenarioError": "checkoutsim.scenario.loader",
    "ShiftRules": "checkoutsim.scenario.shifts",
    "Week": "checkoutsim.scenario.week",
    "dump_scenario_yaml": "checkoutsim.scenario.loader",
    "load_plan": "checkoutsim.scenario.plans",
    "load_scenario": "checkoutsim.scenario.loader",
    "load_week": "checkoutsim.scenario.week",
    "load_week_or_scenario": "checkoutsim.scenario.week",
    "load_yaml_mapping": "checkoutsim.scenario.loader",
    "scenario_from_mapping": "checkoutsim.scenario.loader",
    "with_overrides": "checkoutsim.scenario.changes",
    "with_staffing": "checkoutsim.scenario.changes",
}


__getattr__, __dir__ = lazy_exports(__name__, _PUBLIC)


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
