"""The planning layer: the cheapest staffing plan that meets service targets, and its roster.

Targets and how they are judged, the space of plans, a closed-form start, the search on common
random numbers, the fresh check, and the tables and files of the outcome; then shifts for a week
(:func:`make_roster`: an integer program over the allowed shifts, checked as worked). It
imports the layers before it.
"""

from checkoutsim.planning.optimizer import OptimizationResult, optimize
from checkoutsim.planning.output import write_optimization
from checkoutsim.planning.roster import RosterResult, make_roster
from checkoutsim.planning.roster_output import write_roster
from checkoutsim.scenario.targets import Target, parse_target

__all__ = [
    "OptimizationResult",
    "RosterResult",
    "Target",
    "make_roster",
    "optimize",
    "parse_target",
    "write_optimization",
    "write_roster",
]
