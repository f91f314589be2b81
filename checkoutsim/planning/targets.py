"""Service targets for the staffing optimiser (their homes are lower layers now).

The syntax and the metric names are in :mod:`checkoutsim.scenario.targets` (a scenario lists
targets); the decision rule on confidence intervals is in :mod:`checkoutsim.results.targets`
(the run summary's verdict uses them too). This module keeps the optimiser's old import path.
"""

from __future__ import annotations

from checkoutsim.results.targets import Judgement, Verdict, check_metrics, judge
from checkoutsim.scenario.targets import ALIASES, Target, parse_target

__all__ = ["ALIASES", "Judgement", "Target", "Verdict", "check_metrics", "judge", "parse_target"]
