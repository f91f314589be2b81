"""The planning layer: the cheapest staffing plan that meets service targets.

Targets and how they are judged, the space of plans, a closed-form start, the search on common
random numbers, the fresh check, and the tables and files of the outcome. It imports the layers
before it.
"""

from checkoutsim.planning.optimizer import OptimizationResult, optimize
from checkoutsim.planning.output import write_optimization
from checkoutsim.scenario.targets import Target, parse_target

__all__ = [
    "OptimizationResult",
    "Target",
    "optimize",
    "parse_target",
    "write_optimization",
]
