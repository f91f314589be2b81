"""Figures of results: each function takes DataFrames and returns a matplotlib Figure.

Figures are built on :class:`matplotlib.figure.Figure` directly, never through ``pyplot``, so
nothing is registered with a global figure manager (no state leaks, no figures to close, safe
under the Agg backend and in worker processes). Fonts come from a local ``rc_context``, so the
caller's matplotlib settings are left alone. Show a figure in a notebook by leaving it as a
cell's last expression; save it with ``fig.savefig(path)``.

Colours are fixed per channel and resource (:data:`PALETTE`, Okabe-Ito, colour-blind safe):
cashiers are always blue, kiosks orange, attendants green, whatever the figure.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from checkoutsim.model.recorder import CHANNELS
from checkoutsim.report.direction import EFFECT_COLOURS, directed, effect
from checkoutsim.report.tables import metric_label
from checkoutsim.results.tables import SimulationResult

__all__ = [
    "PALETTE",
    "channel_hourly",
    "hour_heatmap",
    "hourly_by_channel",
    "metric_label",
    "paired_differences",
    "queue_length_over_day",
    "root_cause_pareto",
    "sweep_pareto",
    "utilisation_over_day",
    "wait_ecdf",
]

PALETTE: dict[str, str] = {
    "cashier": "#0072B2",
    "kiosk": "#E69F00",
    "attendant": "#009E73",
    "all": "#4D4D4D",
    "highlight": "#D55E00",
    "muted": "#999999",
}
"""One colour per channel/resource, used by every figure."""

_STYLE = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}

# Band of the "over the day" figures: the middle 80% of simulated days at each time.
_BAND = (10.0, 90.0)


def _legend(ax: Axes, **kwargs: object) -> None:
    """A legend, unless nothing is labelled (a day nobody came to draws no line)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**kwargs)


def _plain(text: object) -> str:
    """``text`` shown as typed: a ``$`` in a user's name (a cause, a plan, a point, a title)
    would otherwise start matplotlib math text and can make the figure fail to draw."""
    return str(text).replace("$", r"\$")


@contextmanager
def _figure(**kwargs: object) -> Iterator[Figure]:
    with matplotlib.rc_context(_STYLE):
        fig = Figure(**kwargs)  # type: ignore[arg-type]
        yield fig


def _clock_hours(timeseries: pd.DataFrame) -> np.ndarray:
    """Time of day in hours (08:30 -> 8.5) from the ``clock`` column."""
    parts = timeseries["clock"].astype(str).str.split(":", expand=True).astype(int)
    return (parts[0] + parts[1] / 60.0).to_numpy(dtype=float)


def _clock_axis(ax: Axes) -> None:
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{int(x) % 24:02d}:00"))
    ax.set_xlabel("Time of day (hh:mm)")


def _over_day(
    ax: Axes, timeseries: pd.DataFrame, series: dict[str, pd.Series], colours: dict[str, str]
) -> None:
    """Mean over days of each series per time point, with the middle-80% band."""
    frame = pd.DataFrame(series)
    frame["hour"] = _clock_hours(timeseries)
    grouped = frame.groupby("hour", sort=True)
    for name in series:
        mean = grouped[name].mean()
        low = grouped[name].quantile(_BAND[0] / 100.0)
        high = grouped[name].quantile(_BAND[1] / 100.0)
        x = mean.index.to_numpy(dtype=float)
        ax.plot(x, mean.to_numpy(), color=colours[name], label=f"{name} (mean)", lw=1.6)
        ax.fill_between(
            x, low.to_numpy(), high.to_numpy(), color=colours[name], alpha=0.2, linewidth=0
        )
    _clock_axis(ax)


def _days(timeseries: pd.DataFrame) -> int:
    return int(timeseries[["scenario", "rep"]].drop_duplicates().shape[0])


def queue_length_over_day(timeseries: pd.DataFrame, title: str | None = None) -> Figure:
    """Customers queueing over the day by channel: mean over days and a band across days.

    Parameters
    ----------
    timeseries : DataFrame
        :attr:`SimulationResult.timeseries` (``clock``, ``cashier_queue_avg``,
        ``kiosk_queue_avg``; one row per sample interval and day).
    title : str, optional
        Figure title; a default names the number of days.

    Returns
    -------
    matplotlib.figure.Figure
        Queue length (time-average over each interval, customers) against time of day; the
        band spans the 10th to 90th percentile of simulated days at each time.
    """
    with _figure(figsize=(8.0, 3.8), layout="constrained") as fig:
        ax = fig.add_subplot()
        series = {ch: timeseries[f"{ch}_queue_avg"] for ch in CHANNELS}
        _over_day(ax, timeseries, series, {ch: PALETTE[ch] for ch in CHANNELS})
        ax.set_ylabel("Customers queueing (interval average)")
        ax.set_ylim(bottom=0)
        ax.set_title(
            _plain(title)
            if title
            else f"Queue length by channel over the day ({_days(timeseries)} days; "
            "band: 10th-90th percentile of days)"
        )
        _legend(ax, loc="upper left")
    return fig


def utilisation_over_day(timeseries: pd.DataFrame, title: str | None = None) -> Figure:
    """Utilisation of cashiers, kiosks and attendants over the day, and how many were on duty.

    Parameters
    ----------
    timeseries : DataFrame
        :attr:`SimulationResult.timeseries` (``*_busy_avg`` and ``*_on_duty_avg`` columns).
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Top: busy / on duty (%) per interval, mean over days with a 10th-90th percentile band;
        intervals with nobody on duty are left blank. Bottom: servers on duty.
    """
    kinds = {"cashier": "cashiers", "kiosk": "kiosks", "attendant": "attendants"}
    with _figure(figsize=(8.0, 5.2), layout="constrained") as fig:
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[2.2, 1.0])
        util = {}
        duty = {}
        for role, col in kinds.items():
            on = timeseries[f"{col}_on_duty_avg"].astype(float)
            busy = timeseries[f"{col}_busy_avg"].astype(float)
            util[role] = (100.0 * busy / on).where(on > 0)
            duty[role] = on
        colours = {role: PALETTE[role] for role in kinds}
        _over_day(top, timeseries, util, colours)
        top.set_ylabel("Utilisation (% of on-duty time busy)")
        top.set_ylim(0, 105)
        top.set_xlabel("")
        _legend(top, loc="lower right", ncols=3)
        top.set_title(
            _plain(title)
            if title
            else f"Utilisation over the day ({_days(timeseries)} days; "
            "band: 10th-90th percentile of days)"
        )
        _over_day(bottom, timeseries, duty, colours)
        bottom.set_ylabel("On duty (servers)")
        bottom.set_ylim(bottom=0)
    return fig


def wait_ecdf(customers: pd.DataFrame, target_wait_min: float, title: str | None = None) -> Figure:
    """Distribution of queue waits by channel (empirical CDF), with the target wait marked.

    Parameters
    ----------
    customers : DataFrame
        :attr:`SimulationResult.customers`; served customers of every day are used.
    target_wait_min : float
        Target queue wait in minutes (the scenario's ``run.target_wait_min``).
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Share of served customers (%) who waited at most x minutes, per channel; the legend
        gives the share within target.
    """
    served = customers[customers["outcome"] == "served"]
    with _figure(figsize=(8.0, 3.8), layout="constrained") as fig:
        ax = fig.add_subplot()
        longest = max(
            float(served["queue_wait_min"].max()) if len(served) else 0.0, 1.25 * target_wait_min
        )
        for ch in CHANNELS:
            waits = np.sort(served.loc[served["channel"] == ch, "queue_wait_min"].to_numpy())
            if waits.size == 0:
                continue
            share = 100.0 * np.arange(1, waits.size + 1) / waits.size
            within = 100.0 * np.mean(waits <= target_wait_min)
            # Carry each curve on at 100% to the longest wait of any channel.
            ax.step(
                np.append(waits, longest),
                np.append(share, 100.0),
                where="post",
                color=PALETTE[ch],
                lw=1.6,
                label=f"{ch}: {within:.0f}% within target (n={waits.size:,})",
            )
        ax.axvline(target_wait_min, color=PALETTE["highlight"], ls="--", lw=1.2)
        ax.annotate(
            f"target {target_wait_min:g} min",
            xy=(target_wait_min, 2),
            xytext=(4, 0),
            textcoords="offset points",
            color=PALETTE["highlight"],
        )
        ax.set_xlabel("Queue wait (minutes)")
        ax.set_ylabel("Served customers waiting at most x (%)")
        ax.set_ylim(0, 101)
        if ax.lines[:-1]:  # curves besides the target line
            ax.set_xlim(left=0)
        else:  # nobody was served: show the target on an empty axis
            ax.set_xlim(0, 2 * target_wait_min)
        ax.set_title(
            _plain(title) if title else "Queue wait distribution by channel (all simulated days)"
        )
        _legend(ax, loc="lower right")
    return fig


def channel_hourly(result: SimulationResult) -> dict[str, pd.DataFrame]:
    """Per-day hourly metrics of all customers and of each channel's customers.

    Returns
    -------
    dict of str to DataFrame
        ``all``, ``cashier``, ``kiosk`` -> long hourly metrics as :meth:`SimulationResult.hourly`
        (queue and experience metrics; for :func:`hourly_by_channel`).
    """
    from checkoutsim.experience.pipeline import experience_hourly_metrics
    from checkoutsim.results.tables import hourly_metrics

    frames = {"all": result.hourly()}
    for ch in CHANNELS:
        customers = result.customers[result.customers["channel"] == ch]
        frames[ch] = pd.concat(
            [
                hourly_metrics(customers, result.timeseries, result.target_wait_min),
                experience_hourly_metrics(result.scenario, customers),
            ],
            ignore_index=True,
        )
    return frames


def hourly_by_channel(hourly: dict[str, pd.DataFrame], metric: str) -> pd.DataFrame:
    """Means over days of one hourly metric for several customer groups, as a grid.

    Parameters
    ----------
    hourly : dict of str to DataFrame
        Group label (``all``, ``cashier``, ``kiosk``, a plan name) -> per-day hourly metrics in
        the long format of :meth:`SimulationResult.hourly` (``rep, hour, metric, value``).
    metric : str
        The metric to take.

    Returns
    -------
    DataFrame
        One row per group, one column per hour (``HH:00``), mean over days; NaN where a group
        had no customers in an hour on any day.
    """
    rows = {}
    for label, frame in hourly.items():
        m = frame[frame["metric"] == metric]
        rows[label] = m.groupby("hour", sort=True)["value"].mean()
    grid = pd.DataFrame(rows).T
    return grid.reindex(columns=sorted(grid.columns))


def hour_heatmap(
    grid: pd.DataFrame,
    metric: str,
    *,
    title: str | None = None,
    cmap: str = "viridis",
    higher_is_better: bool = False,
) -> Figure:
    """Hour-of-day heatmap of a metric: one row per group, one column per clock hour.

    Parameters
    ----------
    grid : DataFrame
        From :func:`hourly_by_channel` (index: groups, columns: ``HH:00`` hours).
    metric : str
        Metric name, for the colour-bar label (with unit, see :func:`metric_label`).
    title : str, optional
        Figure title.
    cmap : str
        Matplotlib colour map.
    higher_is_better : bool
        Reverse the colour map so that bad hours are always the bright ones.

    Returns
    -------
    matplotlib.figure.Figure
        Cells annotated with their value; blank where there is no value.
    """
    values = grid.to_numpy(dtype=float)
    with _figure(
        figsize=(max(6.0, 0.62 * grid.shape[1] + 2.0), 1.2 + 0.55 * grid.shape[0]),
        layout="constrained",
    ) as fig:
        ax = fig.add_subplot()
        ax.grid(False)
        colours = cmap + ("_r" if higher_is_better else "")
        if values.size == 0:  # no hour had a customer (a closed store)
            ax.text(0.5, 0.5, "no customers", transform=ax.transAxes, ha="center")
            ax.set_title(_plain(title) if title else f"{metric_label(metric)} by hour")
            return fig
        image = ax.imshow(np.ma.masked_invalid(values), aspect="auto", cmap=colours)
        ax.set_xticks(range(grid.shape[1]), [str(c)[:2] for c in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [str(i) for i in grid.index])
        ax.set_xlabel("Hour of arrival (clock hour, hh)")
        ax.set_ylabel("Customers")
        finite = values[np.isfinite(values)]
        middle = float(np.mean([finite.min(), finite.max()])) if finite.size else 0.0
        for (r, c), v in np.ndenumerate(values):
            if np.isfinite(v):
                dark = (v < middle) != higher_is_better
                ax.text(
                    c,
                    r,
                    f"{v:.1f}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if dark else "black",
                )
        bar = fig.colorbar(image, ax=ax, pad=0.01)
        bar.set_label(metric_label(metric))
        ax.set_title(_plain(title) if title else f"{metric_label(metric)} by hour (mean over days)")
    return fig


def root_cause_pareto(root_causes: pd.DataFrame, top: int = 10, title: str | None = None) -> Figure:
    """Pareto bar chart of the causes of delay: minutes per day with CI, and cumulative share.

    Parameters
    ----------
    root_causes : DataFrame
        :meth:`SimulationResult.root_causes` (``label``, ``delay_min_per_day``,
        ``delay_min_half_width``, ``delay_pct``), one scenario.
    top : int
        Largest causes shown.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Bars: customer-minutes of delay per day (95% CI error bars); line: cumulative % of all
        delay (right axis). Causes with no delay are left out.
    """
    rc = root_causes[root_causes["delay_min_per_day"] > 0]
    rc = rc.sort_values("delay_min_per_day", ascending=False, kind="stable").head(top)
    with _figure(figsize=(8.0, 4.2), layout="constrained") as fig:
        ax = fig.add_subplot()
        x = np.arange(len(rc))
        colours = [_cause_colour(str(c)) for c in rc.get("cause", rc["label"])]
        ax.bar(
            x,
            rc["delay_min_per_day"],
            yerr=rc["delay_min_half_width"].fillna(0.0),
            color=colours,
            capsize=3,
            error_kw={"lw": 1.0},
        )
        ax.set_xticks(x, [_plain(s) for s in rc["label"]], rotation=30, ha="right")
        ax.set_ylabel("Delay (customer-minutes per day)")
        ax.set_xlabel("Cause of delay")
        ax.set_ylim(bottom=0)
        share = ax.twinx()
        share.plot(x, rc["delay_pct"].cumsum(), color=PALETTE["all"], marker="o", lw=1.2)
        share.set_ylim(0, 105)
        share.set_ylabel("Cumulative share of delay (%)")
        share.grid(False)
        share.spines["right"].set_visible(True)
        ax.set_title(
            _plain(title)
            if title
            else "Root causes of delay (Pareto; error bars: 95% CI over days)"
        )
        if rc.empty:
            ax.text(0.5, 0.5, "no delay recorded", transform=ax.transAxes, ha="center")
    return fig


def _cause_colour(cause: str) -> str:
    if cause.startswith("cashier"):
        return PALETTE["cashier"]
    if cause.startswith("kiosk"):
        return PALETTE["kiosk"]
    if cause.startswith("help"):
        return PALETTE["attendant"]
    return PALETTE["muted"]


def paired_differences(
    differences: pd.DataFrame,
    metrics: Sequence[str],
    scope: str = "all",
    *,
    base: str | None = None,
    currency: str | None = None,
    title: str | None = None,
) -> Figure:
    """Paired differences (plan minus base) with confidence intervals, one panel per metric.

    Parameters
    ----------
    differences : DataFrame
        :attr:`ComparisonResult.differences` (``scenario, scope, metric, diff_mean,
        diff_low, diff_high, significant``).
    metrics : sequence of str
        Metrics to show, one panel each (each in its own unit).
    scope : str
        ``all``, ``cashier`` or ``kiosk``.
    base : str, optional
        Name of the base plan, for the title.
    currency : str, optional
        For the labels of money metrics.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Per plan a point at the mean difference with its (Bonferroni-adjusted) interval,
        coloured by :data:`checkoutsim.report.direction.EFFECT_COLOURS`: green where the plan
        is better by the metric's direction, vermillion where it is worse, dark grey where a
        metric with no better side differs, grey where the interval includes zero.
    """
    d = differences[differences["scope"] == scope]
    shown = [m for m in metrics if m in set(d["metric"])]
    plans = [str(p) for p in pd.unique(d["scenario"])]
    cols = 1 if len(shown) <= 3 else 2
    rows = max(1, -(-len(shown) // cols))
    with _figure(
        figsize=(8.0 if cols == 1 else 11.0, 0.6 + rows * (0.32 * len(plans) + 0.9)),
        layout="constrained",
    ) as fig:
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        for ax in axes[len(shown) :]:
            ax.set_visible(bool(not shown and ax is axes[0]))
        for ax, metric in zip(axes, shown, strict=False):
            m = d[d["metric"] == metric].set_index("scenario").reindex(plans)
            y = np.arange(len(plans))
            mean = m["diff_mean"].to_numpy(dtype=float)
            err = np.vstack(
                [mean - m["diff_low"].to_numpy(float), m["diff_high"].to_numpy(float) - mean]
            )
            # Better and worse by the metric's direction, never one colour for both.
            kinds = np.array(
                [
                    effect(metric, lo, hi)
                    for lo, hi in zip(m["diff_low"], m["diff_high"], strict=True)
                ]
            )
            for kind, colour in EFFECT_COLOURS.items():
                pick = kinds == kind
                if pick.any():
                    ax.errorbar(
                        mean[pick],
                        y[pick],
                        xerr=err[:, pick],
                        fmt="o",
                        color=colour,
                        capsize=3,
                        lw=1.4,
                    )
            ax.axvline(0.0, color=PALETTE["all"], lw=1.0)
            ax.set_yticks(y, [_plain(p) for p in plans])
            ax.set_ylim(len(plans) - 0.4, -0.6)  # first plan on top, as in the tables
            ax.set_xlabel(f"Δ {directed(metric_label(metric, currency), metric)}")
        if not shown:
            axes[0].text(0.5, 0.5, "no metrics to show", transform=axes[0].transAxes, ha="center")
        fig.suptitle(
            _plain(title)
            if title
            else f"Paired differences Δ = plan minus {_plain(base or 'base')} (scope {scope}):\n"
            "green better, vermillion worse, dark grey differs (no better side), grey unclear"
        )
    return fig


def sweep_pareto(
    results: pd.DataFrame,
    cost: str,
    experience: str,
    *,
    experience_higher_is_better: bool = False,
    currency: str | None = None,
    title: str | None = None,
) -> Figure:
    """Cost against experience for every plan of a sweep, with the Pareto front.

    Parameters
    ----------
    results : DataFrame
        :attr:`SweepResult.results` (``point``, ``<metric>_mean``, ``_ci_low``, ``_ci_high``,
        ``staff_hours``, ``pareto``).
    cost : str
        Metric on the x axis (``total_cost``, ``operating_cost``, ``labour_cost`` or
        ``staff_hours``).
    experience : str
        Metric on the y axis (``wait_p90_min``, ``csat_mean``, ...).
    experience_higher_is_better : bool
        Direction of the experience metric (for the 2-D front line).
    currency : str, optional
        For the label of a money axis.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Every plan with 95% CI error bars; plans on the sweep's Pareto front (``pareto_status``
        ``front``: paired intervals, all of its objectives) highlighted and named, and joined
        by a dashed line in order of cost; plans not distinguishable from a front plan in a
        second colour. The line is drawn from the marked plans only.
    """

    def column(metric: str) -> str:
        return metric if metric in results.columns else f"{metric}_mean"

    xcol, ycol = column(cost), column(experience)
    x = results[xcol].to_numpy(dtype=float)
    y = results[ycol].to_numpy(dtype=float)
    if "pareto_status" in results:
        status = results["pareto_status"].astype(str).to_numpy()
    elif "pareto" in results:
        status = np.where(results["pareto"].to_numpy(dtype=bool), "front", "")
    else:
        status = np.full(len(x), "", dtype=object)
    on_front = status == "front"
    with _figure(figsize=(8.0, 4.8), layout="constrained") as fig:
        ax = fig.add_subplot()
        xerr = _ci_err(results, cost, x)
        yerr = _ci_err(results, experience, y)
        for pick, colour, label in (
            (~on_front & (status != "not distinguishable"), PALETTE["muted"], "plan"),
            (
                status == "not distinguishable",
                PALETTE["cashier"],
                "not distinguishable from the front",
            ),
            (on_front, PALETTE["highlight"], "on the Pareto front"),
        ):
            if pick.any():
                ax.errorbar(
                    x[pick],
                    y[pick],
                    xerr=None if xerr is None else xerr[:, pick],
                    yerr=None if yerr is None else yerr[:, pick],
                    fmt="o",
                    color=colour,
                    capsize=2,
                    lw=1.0,
                    label=label,
                )
        if on_front.sum() > 1:  # the front is the marked plans, in order of cost
            order = np.argsort(x[on_front], kind="stable")
            ax.plot(
                x[on_front][order],
                y[on_front][order],
                ls="--",
                color=PALETTE["highlight"],
                lw=1.0,
                label="front (marked plans)",
            )
        for name, xi, yi, flag in zip(results["point"], x, y, on_front, strict=True):
            if flag:
                ax.annotate(
                    _plain(name), (xi, yi), xytext=(4, 4), textcoords="offset points", fontsize=8
                )
        ax.set_xlabel(metric_label(cost, currency))
        ax.set_ylabel(metric_label(experience, currency))
        ax.set_title(
            _plain(title)
            if title
            else "Cost against experience for every plan (error bars: 95% CI)"
        )
        fig.legend(loc="outside lower center", ncols=3)
    return fig


def _ci_err(results: pd.DataFrame, metric: str, mean: np.ndarray) -> np.ndarray | None:
    low, high = f"{metric}_ci_low", f"{metric}_ci_high"
    if low not in results or high not in results:
        return None
    err = np.vstack([mean - results[low].to_numpy(float), results[high].to_numpy(float) - mean])
    return np.nan_to_num(np.clip(err, 0.0, None))
