"""The validation layer: the model against queueing theory.

Closed forms (:mod:`~checkoutsim.validation.theory`), the simulation-vs-theory cases and their
measures, and ``docs/validation.md`` (``python -m checkoutsim.validation``). It imports the
layers before it; optimize uses its closed forms for a starting plan.
"""

from checkoutsim.validation import theory
from checkoutsim.validation.cases import (
    CASE_KEYS,
    Case,
    CheckResult,
    load_case,
    run_case,
)
from checkoutsim.validation.document import render_report

__all__ = [
    "CASE_KEYS",
    "Case",
    "CheckResult",
    "load_case",
    "render_report",
    "run_case",
    "theory",
]
