"""One Excel workbook of a run, comparison, sweep or optimisation, for planners (``--xlsx``).

Sheets (those a command has): ``summary`` (every metric, mean and 95% interval), ``hourly``
(the same by hour of the day), ``staffing`` (the plan(s) on duty), ``differences`` (paired,
plan minus base), and for a sweep ``plans``; an optimisation's sheets are built in
:mod:`checkoutsim.planning.workbook`.
Every header says its unit (a metric's unit is in its own ``Unit`` column, since rows differ;
the sweep's ``plans`` sheet, one column a metric, puts it in each header), figures are rounded
to 2 decimals (p-values to 4) and shown with thousands separators, and an interval's ends stop
where its metric ends (no count or wait below 0, no percentage above 100), as in the terminal.

The file is written atomically (a temporary file renamed into place), and an existing file is
replaced only when checkoutsim wrote it (its document properties say so): a planner's own
workbook is never overwritten.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pandas as pd

from checkoutsim.experiments.compare import headline_metrics
from checkoutsim.report.numbers import metric_range
from checkoutsim.report.tables import _MONEY, metric_label
from checkoutsim.results.folder import atomic_write

if TYPE_CHECKING:
    from checkoutsim.experiments.compare import ComparisonResult
    from checkoutsim.experiments.sweep import SweepResult
    from checkoutsim.results.tables import SimulationResult
    from checkoutsim.scenario.schema import Scenario

__all__ = [
    "WorkbookError",
    "check_workbook_path",
    "clip_to_range",
    "comparison_sheets",
    "estimates",
    "factor_header",
    "run_sheets",
    "staffing_sheet",
    "sweep_sheets",
    "unit_of",
    "write_workbook",
]

CREATOR = "checkoutsim"
MARK = "checkoutsim results workbook"
"""Stored in the workbook's keywords: how a later ``--xlsx`` knows it may replace the file."""


class WorkbookError(ValueError):
    """The workbook cannot be written where asked; the message says why and what to do."""


_UNITS = {
    "csat_mean": "CSAT points (1-5)",
    "ces_mean": "CES points (1-7)",
    "nps": "NPS points (-100 to 100)",
    "coupon_csat_effect": "CSAT points",
    "coupon_nps_effect": "NPS points",
    "staff_hours": "hours per day",
    "floater_hours": "hours per day",
    "assists_per_customer": "per served customer",
    "overtaken_per_customer": "per customer",
    "coupons_used": "coupons per day",
}


def unit_of(metric: str, currency: str = "USD", per: str = "day") -> str:
    """The unit of a metric's figures: ``min``, ``%``, ``USD per day``, ``customers``..."""
    if metric in _UNITS:
        return _UNITS[metric]
    if metric in _MONEY or metric.endswith("_cost"):
        return f"{currency} per {per}"
    if metric.endswith("_min"):
        return "min"
    if metric.endswith("_pct"):
        return "%"
    if metric.endswith("_items"):
        return f"items per {per}"
    return f"customers per {per}"


def estimates(
    frame: pd.DataFrame, first: Mapping[str, str], currency: str, per: str = "day"
) -> pd.DataFrame:
    """A summary-like frame (metric, mean, ci_low, ci_high, half_width, n) with unit headers."""
    out = pd.DataFrame({label: frame[col] for col, label in first.items()})
    out["Metric"] = [metric_label(str(m)) for m in frame["metric"]]
    out["Unit"] = [unit_of(str(m), currency, per) for m in frame["metric"]]
    out["Mean (unit)"] = frame["mean"]
    out["95% CI low (unit)"] = clip_to_range(frame["ci_low"], frame["metric"], "low")
    out["95% CI high (unit)"] = clip_to_range(frame["ci_high"], frame["metric"], "high")
    out["95% CI ± (unit)"] = frame["half_width"]
    out["Days (count)"] = frame["n"]
    out["Metric key"] = frame["metric"]
    return out


def clip_to_range(values: Iterable[Any], metrics: Iterable[Any], end: str) -> list[Any]:
    """Interval ends cut where each metric ends (no count below 0, no percentage above 100).

    The same cut the terminal and HTML tables make (:func:`checkoutsim.report.numbers.
    metric_range`); differences are not passed here, they may be of either sign.
    """
    out: list[Any] = []
    for value, metric in zip(values, metrics, strict=True):
        bounds = metric_range(str(metric))
        if bounds is None or value is None or pd.isna(value):
            out.append(value)
        else:
            out.append(max(value, bounds[0]) if end == "low" else min(value, bounds[1]))
    return out


def staffing_sheet(scenarios: Mapping[str, Scenario]) -> pd.DataFrame:
    rows = [
        {
            "Plan": name,
            "Start (HH:MM)": b.start,
            "End (HH:MM)": b.end,
            "Cashiers (lanes staffed)": b.cashiers,
            "Express cashiers (lanes staffed)": b.express_cashiers,
            "Attendants (staff)": b.attendants,
            "Kiosks on (count)": s.kiosks.count if b.kiosks is None else b.kiosks,
        }
        for name, s in scenarios.items()
        for b in s.staffing
    ]
    return pd.DataFrame(rows)


def run_sheets(result: SimulationResult) -> dict[str, pd.DataFrame]:
    """``summary``, ``hourly`` and ``staffing`` of one run."""
    currency = result.scenario.costs.currency
    return {
        "summary": estimates(
            result.summary(), {"scenario": "Scenario", "scope": "Customers"}, currency
        ),
        "hourly": estimates(
            result.summary_by_hour(),
            {"scenario": "Scenario", "hour": "Hour starting (HH:MM)"},
            currency,
            per="hour",
        ),
        "staffing": staffing_sheet({result.scenario.name: result.scenario}),
    }


def _differences(frame: pd.DataFrame, currency: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Plan": frame["scenario"],
            "Customers": frame["scope"],
            "Metric": [metric_label(str(m)) for m in frame["metric"]],
            "Unit": [unit_of(str(m), currency) for m in frame["metric"]],
            "Base mean (unit)": frame["base_mean"],
            "Plan mean (unit)": frame["plan_mean"],
            "Difference, plan - base (unit)": frame["diff_mean"],
            "95% CI low (unit)": frame["diff_low"],
            "95% CI high (unit)": frame["diff_high"],
            "p-value (adjusted)": frame["p_adjusted"],
            "Significant (yes/no)": ["yes" if s else "no" for s in frame["significant"]],
            "Days (count)": frame["n"],
            "Metric key": frame["metric"],
        }
    )


def comparison_sheets(result: ComparisonResult) -> dict[str, pd.DataFrame]:
    """``summary``, ``staffing`` and ``differences`` of a comparison."""
    currency = result.scenarios[result.base].costs.currency
    return {
        "summary": estimates(result.summary, {"scenario": "Plan", "scope": "Customers"}, currency),
        "staffing": staffing_sheet(result.scenarios),
        "differences": _differences(result.differences, currency),
    }


_FACTOR_UNITS = {
    "cashiers": "lanes staffed",
    "express_cashiers": "lanes staffed",
    "attendants": "staff",
    "kiosks": "kiosks on",
    "lanes": "lanes",
    "count": "kiosks",
    "customers_per_hour": "customers per hour",
    "replications": "days",
}


def factor_header(factor: str) -> str:
    """A sweep factor as a column header with its unit: ``kiosks.count (kiosks)``."""
    last = factor.rsplit(".", 1)[-1]
    if last in _FACTOR_UNITS:
        unit = _FACTOR_UNITS[last]
    elif last.endswith("_min"):
        unit = "min"
    elif last.endswith(("_share", "probability")):
        unit = "share, 0-1"
    else:
        unit = "as in the scenario file"
    return f"{factor} ({unit})"


def _plans(result: SweepResult, currency: str) -> pd.DataFrame:
    """One row per plan: factors, staff hours, headline metrics with intervals, Pareto mark."""
    table = result.results
    out = pd.DataFrame({"Plan": table["point"]})
    for factor in result.sweep.factors:
        if factor in table:
            out[factor_header(factor)] = table[factor]
    if "staff_hours" in table:
        out["Staff hours (hours per day)"] = table["staff_hours"]
    names = [c.removesuffix("_mean") for c in table.columns if str(c).endswith("_mean")]
    shown = headline_metrics(names)
    shown += [m for m in (*result.minimise, *result.maximise) if m in names and m not in shown]
    for metric in shown:
        unit = unit_of(metric, currency)
        label = metric_label(metric).removesuffix(f" ({unit})")
        unit = unit.replace("(", "").replace(")", "")  # one pair of brackets a header
        out[f"{label}: mean ({unit})"] = table[f"{metric}_mean"]
        for end in ("low", "high"):
            values = table[f"{metric}_ci_{end}"]
            out[f"{label}: 95% CI {end} ({unit})"] = clip_to_range(
                values, [metric] * len(values), end
            )
    out["Pareto (front / not distinguishable / dominated)"] = table["pareto_status"]
    out["Compared with (plan)"] = table["pareto_reference"]
    return out


def sweep_sheets(result: SweepResult) -> dict[str, pd.DataFrame]:
    """``plans`` (one row per point, Pareto mark), ``summary`` and ``staffing`` of a sweep."""
    currency = result.sweep.base.costs.currency
    plans = _plans(result, currency)
    return {
        "plans": plans,
        "summary": estimates(result.summary, {"scenario": "Plan", "scope": "Customers"}, currency),
        "staffing": staffing_sheet({p.name: p.scenario for p in result.sweep.points}),
    }


# -- writing ---------------------------------------------------------------------------------


def check_workbook_path(path: Path) -> None:
    """Refuse, before any simulation, a path the workbook could not or must not be written to.

    Raises
    ------
    WorkbookError
        Not ending in ``.xlsx``, a folder, in a folder that does not exist, or an existing file
        that checkoutsim did not write (a planner's own workbook is never replaced).
    """
    if path.suffix.lower() != ".xlsx":
        raise WorkbookError(f"--xlsx {path}: the workbook's name must end in .xlsx")
    if path.is_dir():
        raise WorkbookError(f"--xlsx {path}: is a folder; give a file name ending in .xlsx")
    if not path.parent.is_dir():
        raise WorkbookError(f"--xlsx {path}: the folder {path.parent} does not exist")
    if path.exists() and not _ours(path):
        raise WorkbookError(
            f"--xlsx {path}: the file exists and was not written by checkoutsim; it is left "
            "as it is. Give another name, or move the file away first"
        )


def _ours(path: Path) -> bool:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
    except Exception:  # any file openpyxl cannot read is not one of ours
        return False
    try:
        return book.properties.creator == CREATOR and book.properties.keywords == MARK
    finally:
        book.close()


def write_workbook(path: Path, sheets: Mapping[str, pd.DataFrame]) -> Path:
    """Write ``sheets`` (name -> table) as one workbook at ``path``, atomically.

    Raises
    ------
    WorkbookError
        As :func:`check_workbook_path` (checked again: the file may have appeared since).
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    check_workbook_path(path)
    book = Workbook()
    book.remove(book.active)
    book.properties.creator = CREATOR
    book.properties.keywords = MARK
    for name, frame in sheets.items():
        sheet = book.create_sheet(title=name[:31])
        headers = [str(c) for c in frame.columns]
        sheet.append(headers)
        for row in frame.itertuples(index=False):
            sheet.append([_cell(v) for v in row])
        for j, header in enumerate(headers, start=1):
            column = frame.iloc[:, j - 1]
            letter = get_column_letter(j)
            if pd.api.types.is_float_dtype(column):
                fmt = "0.0000" if header.startswith("p-value") else "#,##0.00"
                for cell in sheet[letter][1:]:
                    cell.number_format = fmt
            width = max([len(header), *(len(str(_cell(v))) for v in column.head(200))])
            sheet.column_dimensions[letter].width = min(60, width + 2)
        sheet.freeze_panes = "A2"

    def save(handle: IO[bytes]) -> None:
        book.save(handle)

    atomic_write(path, save)
    return path


def _cell(value: Any) -> Any:
    """A plain, rounded cell value (blank for a missing figure)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float):
        return round(value, 4) if abs(value) < 0.01 else round(value, 2)
    if isinstance(value, bool | int | str):
        return value
    return str(value)
