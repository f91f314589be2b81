"""The ``--xlsx`` workbook of an optimisation (see :mod:`checkoutsim.report.workbook`)."""

from __future__ import annotations

import pandas as pd

from checkoutsim.planning.blocks import DAY
from checkoutsim.planning.optimizer import OptimizationResult
from checkoutsim.planning.roster import RosterResult
from checkoutsim.report.tables import metric_label
from checkoutsim.report.workbook import clip_to_range, staffing_sheet, unit_of

__all__ = ["optimization_sheets", "roster_sheets"]


def optimization_sheets(result: OptimizationResult) -> dict[str, pd.DataFrame]:
    """``summary`` (current vs chosen), ``staffing``, ``targets`` and ``costs`` of a search."""
    currency = result.scenario.costs.currency
    c = result.comparison
    summary = pd.DataFrame(
        {
            "Metric": [metric_label(str(m)) for m in c["metric"]],
            "Unit": [unit_of(str(m), currency) for m in c["metric"]],
            "Current mean (unit)": c["current_mean"],
            "Current 95% CI low (unit)": clip_to_range(c["current_ci_low"], c["metric"], "low"),
            "Current 95% CI high (unit)": clip_to_range(c["current_ci_high"], c["metric"], "high"),
            "Chosen mean (unit)": c["chosen_mean"],
            "Chosen 95% CI low (unit)": clip_to_range(c["chosen_ci_low"], c["metric"], "low"),
            "Chosen 95% CI high (unit)": clip_to_range(c["chosen_ci_high"], c["metric"], "high"),
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
        "targets": _targets(result.check, currency),
        "costs": costs,
    }


def _targets(check: pd.DataFrame, currency: str) -> pd.DataFrame:
    """The fresh check of every target, per plan and block (or day), with units in headers."""
    metrics = check["metric"]
    return pd.DataFrame(
        {
            "Plan": check["plan"],
            "Checked over (block HH:MM-HH:MM, or day)": check["unit"],
            "Customers (all, cashier or kiosk)": check["customers"],
            "Target": check["target"],
            "Metric": [metric_label(str(m)) for m in metrics],
            # A count checked in a block is that block's count, not the day's.
            "Unit": [
                unit_of(str(m), currency, "day" if u == DAY else "block")
                for m, u in zip(metrics, check["unit"], strict=True)
            ],
            "Target value (unit)": check["value"],
            "Mean (unit)": check["mean"],
            "95% CI low (unit)": clip_to_range(check["ci_low"], metrics, "low"),
            "95% CI high (unit)": clip_to_range(check["ci_high"], metrics, "high"),
            "Days (count)": check["n"],
            "Verdict (met / borderline / missed)": check["verdict"],
            "Metric key": metrics,
        }
    )


def _unit_header(column: str, currency: str) -> str:
    """A column name with its unit: ``start_min`` -> ``start (min)``, ``cost`` -> ``cost (USD)``."""
    if column.endswith("_min"):
        return f"{column[: -len('_min')]} (min)"
    if column.endswith("_hours") or column == "hours":
        return f"{column} (h)"
    if "cost" in column:
        return f"{column} ({currency})"
    return column


def roster_sheets(result: RosterResult) -> dict[str, pd.DataFrame]:
    """``shifts`` (one row a shift), ``costs`` (by day and role), ``requirement`` (staff per
    block) and ``check`` (every target in every block on fresh days, with its interval)."""
    currency = next(iter(result.week.days.values())).costs.currency
    return {
        name: frame.rename(columns=lambda c: _unit_header(str(c), currency))
        for name, frame in (
            ("shifts", result.shifts),
            ("costs", result.costs),
            ("requirement", result.requirement),
            ("check", result.check),
        )
    }
