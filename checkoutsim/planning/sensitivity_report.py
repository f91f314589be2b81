"""The HTML report of ``checkoutsim sensitivity --report``: which assumptions decide.

One self-contained page in the style of :mod:`checkoutsim.report.html` (figures embedded as
base64 PNG, no external links or scripts): the plans at the scenario's own assumptions, the
table of the assumptions that flip the ranking and at what value, a tornado figure per
criterion, the Latin hypercube's count of changed best plans, the ranges used and the base
scenario. Written by the CLI through the results folder (atomically, listed in the manifest).
"""

from __future__ import annotations

import html
import math

import pandas as pd

from checkoutsim.planning.sensitivity import CRITERIA, SensitivityResult, tornado_figure
from checkoutsim.report.html import (
    figure_html,
    page_html,
    scenario_html,
    section_html,
    table_html,
)

__all__ = ["criterion_label", "sensitivity_report"]


def criterion_label(criterion: str, currency: str = "") -> str:
    """A readable name for a ranking criterion of :data:`CRITERIA`."""
    labels = {
        "total_cost": f"Total cost per day ({currency})" if currency else "Total cost per day",
        "csat_mean": "CSAT (1-5)",
        "nps": "NPS",
    }
    return labels.get(criterion, criterion)


def _num(value: object) -> str:
    if isinstance(value, float):
        return "-" if math.isnan(value) else f"{value:,.4g}"
    return str(value)


def _baseline(result: SensitivityResult, currency: str) -> str:
    b = result.baseline
    best = {
        c: str(b.sort_values(c, ascending=not high)["plan"].iloc[0]) for c, high in CRITERIA.items()
    }
    rows = [
        [
            r["plan"],
            f"{r['total_cost']:,.0f}",
            f"{r['csat_mean']:.3f}",
            f"{r['nps']:.1f}",
            ", ".join(criterion_label(c) for c, p in best.items() if p == r["plan"]) or "",
        ]
        for r in b.to_dict("records")
    ]
    headers = ["Plan", *(criterion_label(c, currency) for c in CRITERIA), "Best by"]
    return table_html(
        headers,
        rows,
        table_id="baseline-table",
        caption=f"Means over {result.replications} simulated days per plan (common random "
        "numbers), at the scenario's own assumptions.",
    )


def _flips(result: SensitivityResult) -> str:
    rows = []
    for r in result.one_at_a_time.to_dict("records"):
        rows.append(
            [
                r["assumption"],
                criterion_label(r["criterion"]),
                f"{_num(r['low'])} to {_num(r['high'])} (now {_num(r['base_value'])})",
                r["best_at_base"],
                _num(r["best_flip_value"]) if r["flips_best"] else "no",
                r["new_best"] if r["flips_best"] else "",
                _num(r["order_flip_value"]) if r["flips_order"] else "no",
                _num(r["margin"]),
            ]
        )
    deciding = result.deciding()
    names = ", ".join(dict.fromkeys(deciding["assumption"])) or "none"
    lead = (
        f'<p id="deciding">Assumptions that flip a best plan within their range: '
        f"<strong>{html.escape(names)}</strong>.</p>"
    )
    return lead + table_html(
        [
            "Assumption",
            "Criterion",
            "Range",
            "Best at the scenario's values",
            "Best changes at",
            "New best",
            "Order changes at",
            "Lead over the runner-up",
        ],
        rows,
        table_id="flips-table",
        caption="One assumption at a time, the others at the scenario's values; each range "
        "scanned at 7 values (ends included). 'Changes at' is the scanned value nearest the "
        "scenario's own where the best plan (or the order of all plans) first differs. Plans "
        "are ranked on their means: a lead smaller than the day-to-day noise is a flip within "
        "noise.",
        text=True,
    )


def _tornados(result: SensitivityResult, currency: str) -> str:
    figures = []
    for criterion in CRITERIA:
        if not (result.one_at_a_time["criterion"] == criterion).any():
            continue
        fig = tornado_figure(result, criterion)
        figures.append(
            figure_html(
                fig,
                f"{criterion_label(criterion, currency)}: how far each assumption's range moves "
                "the lead of the best plan (at the scenario's values) over its runner-up; blue "
                "at the low end, orange at the high end. Past the dashed line the two swap.",
                f"fig-tornado-{criterion}",
            )
        )
    return "".join(figures) or "<p>No assumptions were varied.</p>"


def _hypercube(result: SensitivityResult) -> str:
    h = result.hypercube
    if h.empty:
        return "<p>No joint draws (--samples 0).</p>"
    rows = [
        [
            criterion_label(r["criterion"]),
            r["samples"],
            r["best_changed"],
            f"{r['best_changed_pct']:.0f}%",
        ]
        for r in h.to_dict("records")
    ]
    return table_html(
        ["Criterion", "Joint draws", "Best plan changed", "Share"],
        rows,
        table_id="hypercube-table",
        caption="Latin hypercube: every assumption drawn at once across its range (seeded); how "
        "often the best plan is not the one at the scenario's values.",
    )


def _ranges(ranges: pd.DataFrame) -> str:
    rows = [
        [r["assumption"], _num(r["low"]), _num(r["high"]), _num(r["base_value"]), r["reason"]]
        for r in ranges.to_dict("records")
    ]
    return table_html(
        ["Assumption", "Low", "High", "Scenario's value", "Why this range"],
        rows,
        table_id="ranges-table",
        caption="The ranges varied (docs/satisfaction.md, section 7).",
        text=True,
    )


def sensitivity_report(result: SensitivityResult, *, command: str | None = None) -> str:
    """The HTML page of a :class:`~checkoutsim.planning.sensitivity.SensitivityResult`."""
    currency = result.base.costs.currency if result.base is not None else ""
    sections = [
        section_html("Plans", _baseline(result, currency), "baseline"),
        section_html("Which assumptions flip the ranking", _flips(result), "flips"),
        section_html("Tornado figures", _tornados(result, currency), "figures"),
        section_html("All assumptions at once", _hypercube(result), "hypercube"),
        section_html("Ranges used", _ranges(result.ranges), "ranges"),
    ]
    if result.base is not None:
        sections.append(
            section_html("Base scenario and assumptions", scenario_html(result.base), "scenario")
        )
    return page_html(
        f"checkoutsim sensitivity: {', '.join(result.plans)}",
        f"{len(result.plans)} plans x {result.replications} simulated days, root seed "
        f"{result.seed} (common random numbers). The days were simulated once; every "
        f"assumption re-ranks the plans on the same days ({result.elapsed_s:.1f} s).",
        sections,
        {"seed": result.seed, "replications": result.replications, "command": command},
    )
