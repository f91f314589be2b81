"""A self-contained HTML report of a run, a comparison or a sweep (``--report``).

One file, ``report.html``, that a planner can mail: figures embedded as base64 PNG, tables as
HTML, the scenario and its assumptions, seeds and version, no external links or scripts. It is
written atomically next to the other results and listed in ``manifest.json``
(:func:`write_report`).

The page carries a few lines of inline JavaScript that, once loaded, write the rendered size of
every figure and table into ``<pre id="render-check">`` as JSON; the browser test reads it from
headless Chromium's DOM. It changes nothing a reader sees.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib.figure import Figure

from checkoutsim.report.direction import CSS as _DIRECTION_CSS
from checkoutsim.report.direction import DIRECTION_NOTE, Styled, directed, effect, effect_word
from checkoutsim.report.numbers import format_difference, format_estimate
from checkoutsim.report.tables import summary_sections
from checkoutsim.results.folder import MANIFEST, ResultsFolder, atomic_write_text
from checkoutsim.results.tables import SimulationResult
from checkoutsim.scenario.loader import dump_scenario_yaml
from checkoutsim.scenario.schema import Scenario

if TYPE_CHECKING:
    from checkoutsim.experiments.compare import ComparisonResult
    from checkoutsim.experiments.sweep import SweepResult
    from checkoutsim.scenario.targets import Target

__all__ = [
    "REPORT",
    "comparison_report",
    "figure_html",
    "page_html",
    "run_figures",
    "run_report",
    "scenario_html",
    "section_html",
    "sweep_report",
    "table_html",
    "write_report",
]

REPORT = "report.html"

_DPI = 96

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto;
       max-width: 1100px; padding: 0 1rem; color: #222; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.25rem; margin-top: 2rem;
     border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
.meta { color: #555; font-size: 0.9rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table.text td { text-align: left; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.88rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.55rem; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
tr.section td { background: #fafafa; font-weight: 600; text-align: left; }
caption { caption-side: bottom; text-align: left; color: #555; font-size: 0.82rem;
          padding-top: 0.3rem; }
figure { margin: 1.2rem 0; } figure img { max-width: 100%; height: auto;
         border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.88rem; }
pre { background: #f7f7f7; padding: 0.8rem; overflow-x: auto; font-size: 0.8rem; }
.note { color: #555; font-size: 0.88rem; }
"""
_CSS += _DIRECTION_CSS

# Measures what the browser actually laid out; read back by tests/test_report_browser.py.
_CHECK_JS = """
window.addEventListener("load", function () {
  function box(el) { var r = el.getBoundingClientRect();
    return {id: el.id || "", width: r.width, height: r.height}; }
  var imgs = Array.prototype.map.call(document.querySelectorAll("figure img"), function (el) {
    var b = box(el); b.id = el.closest("figure").id;
    b.natural_width = el.naturalWidth; b.natural_height = el.naturalHeight;
    b.complete = el.complete; return b; });
  var tables = Array.prototype.map.call(document.querySelectorAll("table"), function (el) {
    var b = box(el); b.rows = el.rows.length; return b; });
  var svgs = Array.prototype.map.call(document.querySelectorAll("svg"), box);
  document.getElementById("render-check").textContent = JSON.stringify(
    {title: document.title, images: imgs, tables: tables, svgs: svgs});
});
"""


# -- building blocks --------------------------------------------------------------------------


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def figure_html(fig: Figure, caption: str, fig_id: str) -> str:
    """A ``<figure>`` with ``fig`` embedded as a base64 PNG, and its caption."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<figure id="{_esc(fig_id)}"><img src="data:image/png;base64,{data}" '
        f'alt="{_esc(caption)}"><figcaption>{_esc(caption)}</figcaption></figure>'
    )


def table_html(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    table_id: str | None = None,
    caption: str | None = None,
    text: bool = False,
) -> str:
    """An HTML table; a row whose only cell is a string starting with ``§`` is a section.

    ``text=True`` left-aligns every cell (for tables of words rather than numbers).
    """
    attrs = (f' id="{_esc(table_id)}"' if table_id else "") + (' class="text"' if text else "")
    out = [f'<div class="scroll"><table{attrs}>']
    if caption:
        out.append(f"<caption>{_esc(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{_esc(h)}</th>" for h in headers) + "</tr></thead>")
    out.append("<tbody>")
    for row in rows:
        if len(row) == 1 and str(row[0]).startswith("§"):
            span = len(headers)
            out.append(
                f'<tr class="section"><td colspan="{span}">{_esc(str(row[0])[1:])}</td></tr>'
            )
            continue
        out.append("<tr>" + "".join(_cell(c) for c in row) + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _cell(value: object) -> str:
    """A ``<td>``; a :class:`~checkoutsim.report.direction.Styled` value carries its class."""
    if isinstance(value, Styled):
        return f'<td class="{_esc(value.css_class)}">{_esc(value.text)}</td>'
    return f"<td>{_esc(value)}</td>"


def _page(title: str, subtitle: str, sections: Sequence[str], footer: dict[str, object]) -> str:
    from checkoutsim._version import __version__

    meta = {"checkoutsim": __version__, **footer, "written": _now()}
    foot = " · ".join(f"{_esc(k)}: {_esc(v)}" for k, v in meta.items() if v not in (None, ""))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>"
        f'<header><h1 id="report-title">{_esc(title)}</h1>'
        f'<p class="meta">{_esc(subtitle)}</p><p class="meta">{foot}</p></header>'
        + "".join(sections)
        + '<pre id="render-check" hidden></pre>'
        + f"<script>{_CHECK_JS}</script></body></html>\n"
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _section(title: str, body: str, section_id: str) -> str:
    return f'<section id="{_esc(section_id)}"><h2>{_esc(title)}</h2>{body}</section>'


def page_html(title: str, subtitle: str, sections: Sequence[str], footer: dict[str, object]) -> str:
    """A whole report page in the style of this module: title, subtitle, the sections (from
    :func:`section_html`) and a footer of facts (version, seeds, command, time written)."""
    return _page(title, subtitle, sections, footer)


def section_html(title: str, body: str, section_id: str) -> str:
    """A ``<section>`` of a report page with its heading."""
    return _section(title, body, section_id)


def _walk_fact(attendants: dict[str, Any]) -> tuple[str, str]:
    """The attendant's walk: a drawn time, or distance over speed on the bank's geometry."""
    if attendants.get("walk_min") is not None:
        return ("Attendant walk (min)", _describe(attendants["walk_min"]))
    geo = attendants.get("geometry") or {}
    return (
        "Attendant walk",
        f"by distance: kiosks {_short(geo.get('kiosk_spacing_m'))} m apart, "
        f"{_short(geo.get('walk_m_per_min'))} m/min",
    )


def _replay_section(replay: str | None, what: str) -> list[str]:
    """A link to the replay page written beside the report (none when there is none)."""
    if not replay:
        return []
    body = (
        f'<p id="replay-link"><a href="{_esc(replay)}">Watch the replay</a>: {_esc(what)} '
        "played on the store's floor plan (queues, kiosks, attendants), with play, speed and "
        "the worst hour. The file sits beside this report.</p>"
    )
    return [_section("Replay", body, "replay")]


def _describe(value: Any) -> str:
    """A distribution or setting as short text: ``lognormal(mean=12, sd=16)``."""
    if isinstance(value, dict) and "kind" in value:
        params = ", ".join(f"{k}={_short(v)}" for k, v in value.items() if k != "kind")
        return f"{value['kind']}({params})"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_describe(v)}" for k, v in value.items())
    return _short(value)


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return str(value)


def scenario_html(scenario: Scenario, heading: str | None = None) -> str:
    """The scenario's assumptions as tables, and the full YAML as run (collapsed)."""
    d = scenario.to_dict()
    parts = [f"<h3>{_esc(heading)}</h3>"] if heading else []
    if d.get("description"):
        parts.append(f"<p>{_esc(d['description'])}</p>")
    facts: list[tuple[str, str]] = [
        ("Opening hours", f"{d['store']['open']}-{d['store']['close']} (queues drain after close)"),
        ("Target queue wait", f"{scenario.run.target_wait_min:g} min"),
        ("Lane choice", str(d["run"].get("lane_choice", ""))),
        ("Basket size (items)", _describe(d["customers"]["basket_items"])),
        ("Payment (min)", _describe(d["customers"]["payment_min"])),
        ("Patience (min)", _describe(d["customers"].get("patience_min")) or "unlimited"),
        ("Balking", _describe(d["customers"].get("balking")) or "none"),
        ("Channel preference", _describe(d["customers"]["channel"])),
        ("Kiosk item limit", _describe(d["customers"].get("kiosk_item_limit"))),
        (
            "Cashier lanes",
            f"{d['cashiers']['lanes']} regular"
            + (
                f", {d['cashiers']['express']['lanes']} express "
                f"(≤{d['cashiers']['express']['item_limit']} items)"
                if d["cashiers"].get("express")
                else ""
            ),
        ),
        ("Cashier scan (min/item)", _describe(d["cashiers"]["scan_min_per_item"])),
        ("Kiosks", str(d["kiosks"]["count"])),
        ("Kiosk scan (min/item)", _describe(d["kiosks"]["scan_min_per_item"])),
        _walk_fact(d["attendants"]),
        (
            "Attendant notice",
            f"{_describe(d['attendants'].get('notice_min') or 0.0)} min; other duties "
            f"{d['attendants'].get('other_work_share', 0.0):g} of the time; dispatch "
            f"{d['attendants'].get('dispatch', 'fcfs')}",
        ),
    ]
    parts.append(table_html(["Assumption", "Value"], facts, text=True))
    confusion = d["kiosks"].get("confusion") or []
    if confusion:
        parts.append(
            table_html(
                ["Confusion event", "Probability", "Per", "Resolve time (min)"],
                [
                    (c["name"], f"{c['probability']:g}", c["per"], _describe(c["resolve_min"]))
                    for c in confusion
                ],
                caption="Each freezes the kiosk until an attendant has walked over and cleared it.",
            )
        )
    arrivals = {(b["start"], b["end"]): b["customers_per_hour"] for b in d["arrivals"]["profile"]}
    parts.append(
        table_html(
            ["Block", "Arrivals (customers/h)", "Cashiers", "Express", "Attendants", "Kiosks on"],
            [
                (
                    f"{b['start']}-{b['end']}",
                    _arrivals_in(arrivals, b["start"], b["end"]),
                    b["cashiers"],
                    b.get("express_cashiers", 0),
                    b["attendants"],
                    "all" if b.get("kiosks") is None else b["kiosks"],
                )
                for b in d["staffing"]
            ],
            caption="Staffing plan by time block, with the arrival rates in force then.",
        )
    )
    parts.append(
        "<details><summary>The scenario exactly as run (YAML)</summary>"
        f"<pre>{_esc(dump_scenario_yaml(scenario))}</pre></details>"
    )
    return "".join(parts)


def _arrivals_in(profile: dict[tuple[str, str], float], start: str, end: str) -> str:
    rates = [f"{r:g}" for (s, e), r in profile.items() if s < end and e > start]
    return " / ".join(rates)


# -- run --------------------------------------------------------------------------------------


def _summary_rows(result: SimulationResult) -> list[tuple[object, ...]]:
    headings = {
        "experience": "§Experience (estimates: the felt wait turned into scores by the curves "
        "in the scenario's satisfaction settings, not survey answers)",
        "money": f"§Money ({result.scenario.costs.currency} per day)",
    }
    rows: list[tuple[object, ...]] = []
    for section, section_rows in summary_sections(result):
        if section in headings:
            rows.append((headings[section],))
        rows.extend(section_rows)
    return rows


def run_figures(result: SimulationResult) -> list[tuple[str, str, Figure]]:
    """The figures of a run's report: ``(id, caption, figure)``, in report order."""
    from checkoutsim.report import plots

    hourly = plots.channel_hourly(result)
    target = result.target_wait_min
    return [
        (
            "fig-queue",
            "Customers queueing by channel over the day (mean over days; band: 10th-90th "
            "percentile of days).",
            plots.queue_length_over_day(result.timeseries),
        ),
        (
            "fig-wait-ecdf",
            f"Queue wait distribution of served customers by channel; target {target:g} min.",
            plots.wait_ecdf(result.customers, target),
        ),
        (
            "fig-p90-heatmap",
            "90th-percentile queue wait by hour of arrival and channel (mean over days).",
            plots.hour_heatmap(plots.hourly_by_channel(hourly, "wait_p90_min"), "wait_p90_min"),
        ),
        (
            "fig-csat-heatmap",
            "Estimated satisfaction (CSAT 1-5) by hour of arrival and channel (mean over days).",
            plots.hour_heatmap(
                plots.hourly_by_channel(hourly, "csat_mean"), "csat_mean", higher_is_better=True
            ),
        ),
        (
            "fig-utilisation",
            "Utilisation of cashiers, kiosks and attendants over the day, and servers on duty.",
            plots.utilisation_over_day(result.timeseries),
        ),
        (
            "fig-root-causes",
            "Root causes of delay: customer-minutes per day (95% CI) and cumulative share.",
            plots.root_cause_pareto(result.root_causes()),
        ),
    ]


def run_report(
    result: SimulationResult,
    *,
    command: str | None = None,
    targets: Sequence[Target] | None = None,
    replay: str | None = None,
) -> str:
    """The HTML report of one scenario's replications.

    Parameters
    ----------
    result : SimulationResult
        What :func:`checkoutsim.experiments.simulate` returned.
    command : str, optional
        The command line that produced it, for the footer.
    targets : sequence of Target, optional
        Targets for the verdict that opens the report; default the scenario's
        (:func:`checkoutsim.results.verdict.run_verdict`).
    replay : str, optional
        The file name of a replay written beside the report (``replay.html``), linked.

    Returns
    -------
    str
        A complete, self-contained HTML document.
    """
    scenario = result.scenario
    sections = [
        _section("Verdict", _verdict_html(result, targets), "verdict"),
        *_replay_section(replay, "day 0 of this run"),
        _section(
            "Summary",
            table_html(
                ["Metric", "All", "Cashier", "Kiosk"],
                _summary_rows(result),
                table_id="summary-table",
                caption="Mean ± 95% confidence-interval half-width over simulated days; "
                f"every day is one observation. {DIRECTION_NOTE}.",
            ),
            "summary",
        ),
        *_day_spread_section(result),
        _section(
            "Figures",
            "".join(figure_html(f, c, i) for i, c, f in run_figures(result)),
            "figures",
        ),
        _section("Root causes of delay", _root_cause_table(result), "root-causes"),
        _section("Money", _costs_table(result), "money"),
        _section("Scenario and assumptions", scenario_html(scenario), "scenario"),
    ]
    return _page(
        f"checkoutsim report: {scenario.name}",
        f"{result.replications} simulated day(s), root seed {result.seed}, target wait "
        f"{result.target_wait_min:g} min. Times are minutes; every figure is a mean over days.",
        sections,
        {"seed": result.seed, "replications": result.replications, "command": command},
    )


def _day_spread_section(result: SimulationResult) -> list[str]:
    """'Average day and p90 day' when demand varies from day to day (else nothing)."""
    if not result.scenario.arrivals.varies:
        return []
    from checkoutsim.report.day_spread import DAY_SPREAD_CAPTION, day_spread_rows

    cv = result.scenario.arrivals.day_to_day_cv
    return [
        _section(
            "Average day and p90 day",
            table_html(
                ["Metric", "Average day", "p90 day"],
                list(day_spread_rows(result)),
                table_id="day-spread-table",
                caption=f"Day-to-day demand CV {cv:g}: average day as mean ± 95% CI over "
                f"simulated days. {DAY_SPREAD_CAPTION}",
            ),
            "day-spread",
        )
    ]


def _verdict_html(result: SimulationResult, targets: Sequence[Target] | None) -> str:
    """The verdict table (one row per target) and the hour-by-target table."""
    from checkoutsim.report.verdict import RULE, verdict_headline, verdict_hour_rows, verdict_rows
    from checkoutsim.results.verdict import run_verdict

    verdict = run_verdict(result, targets)
    headers, rows = verdict_rows(verdict)
    hour_headers, hour_rows = verdict_hour_rows(verdict)
    return (
        f'<p><strong class="{_esc(verdict.status.replace(" ", "-"))}">'
        f"{_esc(verdict_headline(verdict).capitalize())}.</strong></p>"
        + table_html(
            headers,
            rows,
            table_id="verdict-table",
            caption=RULE.format(level=verdict.level)
            + " Hours are hours of arrival, end exclusive.",
        )
        + table_html(
            hour_headers,
            hour_rows,
            table_id="verdict-hours-table",
            caption="Each target in each hour of arrival: mean ± 95% CI half-width over days; "
            "✓ met, ✗ breached, ? cannot tell.",
        )
    )


def _root_cause_table(result: SimulationResult, top: int = 10) -> str:
    rc = result.root_causes()
    rc = rc[(rc["delay_min_per_day"] > 0) | (rc["csat_points_lost_per_day"] != 0)].head(top)
    currency = result.scenario.costs.currency
    return table_html(
        [
            "Cause",
            "Delay (customer-min/day)",
            "%",
            "Cum %",
            "Felt min",
            "CSAT pts lost",
            f"Lost sales ({currency})",
        ],
        [
            (
                r.label,
                format_estimate(r.delay_min_per_day, r.delay_min_half_width),
                format_estimate(r.delay_pct, math.nan),
                format_estimate(r.delay_cum_pct, math.nan),
                format_estimate(r.felt_min_per_day, math.nan),
                format_estimate(r.csat_points_lost_per_day, math.nan),
                format_estimate(r.lost_sales_per_day, math.nan),
            )
            for r in rc.itertuples(index=False)
        ],
        table_id="root-cause-table",
    )


def _costs_table(result: SimulationResult) -> str:
    costs = result.costs()
    return table_html(
        ["Line", f"Per day ({result.scenario.costs.currency})"],
        [(r.label, format_estimate(r.mean, r.half_width)) for r in costs.itertuples(index=False)],
        table_id="costs-table",
        caption="* Revenue at risk = detractors x the share of detractors who leave "
        f"({result.scenario.costs.detractor_churn_pct:g}% a year) x a customer's yearly value "
        f"({result.scenario.costs.customer_value_per_year:,.0f} "
        f"{result.scenario.costs.currency}), as set in the scenario's costs.",
    )


# -- compare ----------------------------------------------------------------------------------


def comparison_report(
    result: ComparisonResult,
    *,
    metrics: Sequence[str] | None = None,
    scope: str = "all",
    command: str | None = None,
    replay: str | None = None,
) -> str:
    """The HTML report of a comparison (:class:`checkoutsim.experiments.compare.ComparisonResult`).

    Parameters
    ----------
    result : ComparisonResult
        Plans compared on common random numbers.
    metrics : sequence of str, optional
        Metrics to show; default the headline metrics.
    scope : str
        ``all``, ``cashier`` or ``kiosk``.
    command : str, optional
        For the footer.
    replay : str, optional
        The file name of a replay written beside the report (``replay.html``), linked.
    """
    from checkoutsim.report import plots

    shown = list(metrics) if metrics else result.headline(scope)
    currency = next(iter(result.scenarios.values())).costs.currency
    s = result.summary[result.summary["scope"] == scope]
    lookup = {(r.scenario, r.metric): (r.mean, r.half_width) for r in s.itertuples(index=False)}
    overview = table_html(
        ["Metric", *result.plans],
        [
            (
                directed(plots.metric_label(m, currency), m),
                *(format_estimate(*lookup.get((p, m), (math.nan, math.nan))) for p in result.plans),
            )
            for m in shown
        ],
        table_id="summary-table",
        caption=f"Mean ± 95% CI half-width over {result.replications} days per plan, scope "
        f"{scope}; {result.customers_note()}. {DIRECTION_NOTE}.",
    )
    d = result.differences
    d = d[(d["scope"] == scope) & d["metric"].isin(shown)]
    diffs = table_html(
        ["Plan", "Metric", "Plan − base", "Interval", "p (adjusted)", "Significant"],
        [_difference_row(r, plots.metric_label(r.metric, currency)) for r in d.itertuples()],
        table_id="differences-table",
        caption=f"Paired differences against {result.base} over the same days; intervals and "
        f"p-values Bonferroni-adjusted for {result.comparisons} comparison(s). Better or worse "
        f"for a plan by each metric's direction ({DIRECTION_NOTE}); 'differs' for a metric "
        "with no better side.",
    )
    fig = plots.paired_differences(
        result.differences, shown, scope, base=result.base, currency=currency
    )
    sections = [
        _section("Summary", overview, "summary"),
        *_replay_section(replay, "day 0 of every plan, side by side on the same customers"),
        _section(
            "Paired differences",
            figure_html(fig, f"Plan minus {result.base}, with confidence intervals.", "fig-diff")
            + diffs,
            "differences",
        ),
        _section(
            "Plans and assumptions",
            "".join(scenario_html(sc, f"Plan {name}") for name, sc in result.scenarios.items()),
            "scenario",
        ),
    ]
    return _page(
        f"checkoutsim comparison: {', '.join(result.plans)}",
        f"{len(result.plans)} plans, {result.replications} simulated days each; "
        f"{result.customers_note()}; base {result.base}.",
        sections,
        {"seed": result.seed, "replications": result.replications, "command": command},
    )


def _difference_row(r: Any, label: str) -> tuple[object, ...]:
    """One paired difference, its cells coloured better or worse by the metric's direction."""
    from checkoutsim.report.comparison_tables import format_p

    kind = effect(str(r.metric), float(r.diff_low), float(r.diff_high))
    word = effect_word(kind)
    diff, interval = format_difference(
        r.diff_mean, r.diff_low, r.diff_high, str(r.metric), scale=r.base_mean
    )
    return (
        r.scenario,
        directed(label, str(r.metric)),
        Styled(diff, kind),
        Styled(interval, kind),
        format_p(r.p_adjusted),
        Styled(f"yes, {word}" if word else "no", kind),
    )


# -- sweep ------------------------------------------------------------------------------------


def sweep_report(result: SweepResult, *, command: str | None = None) -> str:
    """The HTML report of a sweep (:class:`checkoutsim.experiments.sweep.SweepResult`)."""
    from checkoutsim.experiments.sweep import STAFF_HOURS
    from checkoutsim.report import plots
    from checkoutsim.report.comparison_tables import sweep_front_caption

    sweep = result.sweep
    currency = sweep.base.costs.currency
    table = result.results

    def shown(metric: str) -> bool:  # a metric with no value on any day has no column
        return metric in table.columns or f"{metric}_mean" in table.columns

    cost = result.minimise[0] if result.minimise else STAFF_HOURS
    experience = next(
        (
            m
            for m in [*result.minimise[1:], *result.maximise, "wait_p90_min", "csat_mean"]
            if m != cost and shown(m)
        ),
        None,
    )
    if experience is not None and shown(cost):
        figure = figure_html(
            plots.sweep_pareto(
                table,
                cost,
                experience,
                experience_higher_is_better=experience in result.maximise,
                currency=currency,
            ),
            "Every plan of the sweep; plans on the front (paired intervals) named, the dashed "
            "line joins them; plans not distinguishable from a front plan in a lighter mark.",
            "fig-pareto",
        )
    else:
        figure = "<p>No cost and experience figures to plot (no customer on any day).</p>"
    metrics = [
        m
        for m in dict.fromkeys(
            [cost, experience, "wait_p90_min", "reneged", *result.minimise, *result.maximise]
        )
        if m is not None and shown(m)
    ]
    rows = []
    for r in table.to_dict("records"):
        cells = [r["point"], *(_short(r[f]) for f in sweep.factors)]
        for m in metrics:
            if m in table.columns:
                cells.append(_short(r[m]))
            else:
                half = (r[f"{m}_ci_high"] - r[f"{m}_ci_low"]) / 2.0
                cells.append(format_estimate(r[f"{m}_mean"], half))
        status = r.get("pareto_status")
        cells.append(
            "front"
            if status == "front"
            else f"≈ {r['pareto_reference']}"
            if status == "not distinguishable"
            else ""
        )
        rows.append(cells)
    results_table = table_html(
        ["Point", *sweep.factors, *(plots.metric_label(m, currency) for m in metrics), "Pareto"],
        rows,
        table_id="summary-table",
        caption=f"Mean ± 95% CI half-width over {sweep.replications} days per plan. "
        + sweep_front_caption(result).replace("●", "front:"),
    )
    sections = [
        _section("Plans", results_table, "summary"),
        _section("Cost against experience", figure, "figures"),
        _section("Base scenario and assumptions", scenario_html(sweep.base), "scenario"),
    ]
    return _page(
        f"checkoutsim sweep: {sweep.name}",
        f"{len(sweep.points)} plans x {sweep.replications} simulated days, root seed {sweep.seed}"
        f" (common random numbers). {sweep.description}",
        sections,
        {"seed": sweep.seed, "replications": sweep.replications, "command": command},
    )


# -- writing ----------------------------------------------------------------------------------


def write_report(out: Path | ResultsFolder, document: str) -> Path:
    """Write ``report.html`` into a results folder and list it in its manifest.

    Parameters
    ----------
    out : ResultsFolder or Path
        A folder the caller has open (the report is one more file; the caller's
        :meth:`~checkoutsim.results.folder.ResultsFolder.finish` lists it), or the path of a
        finished results folder: the report is written first and the manifest is then replaced
        (atomically) by one that lists it, so a failed report never costs the folder its
        manifest. A path without a manifest simply gets the report.
    document : str
        The page.

    Returns
    -------
    Path
        The report's path.
    """
    if isinstance(out, ResultsFolder):
        return out.write_text(REPORT, document)
    path = out / REPORT
    atomic_write_text(path, document)
    manifest_path = out / MANIFEST
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text("utf-8"))
        manifest["files"] = {**manifest.get("files", {}), REPORT: path.stat().st_size}
        atomic_write_text(manifest_path, json.dumps(manifest, indent=2, default=str) + "\n")
    return path
