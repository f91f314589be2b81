"""The ``--xlsx`` workbook of an optimisation (see :mod:`checkoutsim.report.workbook`)."""

from __future__ import annotations

import pandas as pd

from checkoutsim.planning.optimizer import OptimizationResult
from checkoutsim.report.tables import metric_label
from checkoutsim.report.workbook import staffing_sheet, unit_of

__all__ = ["optimization_sheets"]


def optimization_sheets(result: OptimizationResult) -> dict[str, pd.DataFrame]:
    """``summary`` (current vs chosen), ``staffing``, ``targets`` and ``costs`` of a search."""
    currency = result.scenario.costs.currency
    c = result.comparison
    summary = pd.DataFrame(
        {
            "Metric": [metric_label(str(m)) for m in c["metric"]],
            "Unit": [unit_of(str(m), currency) for m in c["metric"]],
            "Current mean (unit)": c["current_mean"],
            "Current 95% CI low (unit)": c["current_ci_low"],
            "Current 95% CI high (unit)": c["current_ci_high"],
            "Chosen mean (unit)": c["chosen_mean"],
            "Chosen 95% CI low (unit)": c["chosen_ci_low"],
            "Chosen 95% CI high (unit)": c["chosen_ci_high"],
            "Difference, chosen - current (unit)": c["diff_mean"],
            "Difference 95% CI low (unit)": c["diff_low"],
            "Difference 95% CI high (unit)": c["diff_high"],
            "Metric key": c["metric"],
        }
    )
    costs = result.costs.rename(
        columns={
            "plan": "Plan",
            "labour_cost": f"Labour cost ({currency} per day)",
            "cashier_hours": "Cashier hours (h per day)",
            "attendant_hours": "Attendant hours (h per day)",
            "kiosk_hours": "Kiosk hours (h per day)",
        }
    )
    return {
        "summary": summary,
        "staffing": staffing_sheet({"current": result.scenario, "chosen": result.chosen_scenario}),
        "targets": result.check,
        "costs": costs,
    }
