"""The results layer: tidy tables, statistics over days, and a run's results folder.

:class:`SimulationResult` builds the customers, assists and time-series tables from recorded
columns and the metrics of every day; confidence intervals and paired differences; the results
folder (checked before simulating, locked, atomic writes, manifest last). It imports the
scenario, model and experience layers.
"""

from checkoutsim.results.folder import (
    MANIFEST,
    ResultsFolder,
    ResultsFolderError,
    atomic_write,
    atomic_write_text,
    open_results_folder,
)
from checkoutsim.results.run_files import write_results
from checkoutsim.results.stats import Interval, confidence_interval, paired_summary
from checkoutsim.results.tables import (
    KEY_COLUMNS,
    SimulationResult,
    hourly_metrics,
    summarise,
)

__all__ = [
    "KEY_COLUMNS",
    "MANIFEST",
    "Interval",
    "ResultsFolder",
    "ResultsFolderError",
    "SimulationResult",
    "atomic_write",
    "atomic_write_text",
    "confidence_interval",
    "hourly_metrics",
    "open_results_folder",
    "paired_summary",
    "summarise",
    "write_results",
]
