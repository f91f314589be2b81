"""The report layer: what a planner reads and an analyst plots.

Matplotlib figures (:mod:`~checkoutsim.report.plots`), the self-contained HTML report, and the
terminal tables of a run, a comparison and a sweep. It imports the layers before it.
"""

from checkoutsim.report import plots
from checkoutsim.report.html import (
    comparison_report,
    run_report,
    sweep_report,
    write_report,
)
from checkoutsim.report.tables import format_estimate, metric_label, summary_table

__all__ = [
    "comparison_report",
    "format_estimate",
    "metric_label",
    "plots",
    "run_report",
    "summary_table",
    "sweep_report",
    "write_report",
]
