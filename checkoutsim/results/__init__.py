"""The results layer: tidy tables, statistics over days, and a run's results folder.

:class:`SimulationResult` builds the customers, assists and time-series tables from recorded
columns and the metrics of every day; confidence intervals and paired differences; writing a
run's files atomically, manifest last. It imports the scenario, model and experience layers.
"""

from checkoutsim.results.tables import (
    KEY_COLUMNS,
    SimulationResult,
    hourly_metrics,
    summarise,
)
from checkoutsim.results.stats import Interval, confidence_interval, paired_summary
from checkoutsim.results.run_files import (
    MANIFEST,
    atomic_write,
    atomic_write_text,
    write_results,
)

__all__ = [
    "Interval",
    "KEY_COLUMNS",
    "MANIFEST",
    "SimulationResult",
    "atomic_write",
    "atomic_write_text",
    "confidence_interval",
    "hourly_metrics",
    "paired_summary",
    "summarise",
    "write_results",
]
