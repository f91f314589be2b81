"""Every figure renders from a real (small) run, carries its labels, and shows the right data.

The data checks recompute what a figure should show by another route (group-bys on the raw
tables, the summary tables) and compare with what was drawn.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from checkoutsim import Scenario, SimulationResult, simulate
from checkoutsim.experiments.compare import ComparisonResult, compare
from checkoutsim.experiments.run_store import RunStore
from checkoutsim.experiments.sweep import SweepResult, load_sweep, run_sweep
from checkoutsim.report import plots
from checkoutsim.report.direction import directed

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def result(weekday: Scenario) -> SimulationResult:
    return simulate(weekday, 3, seed=11)


@pytest.fixture(scope="module")
def comparison() -> ComparisonResult:
    return compare(ROOT / "scenarios" / "plans" / "weekday_variants.yaml", 2, 5)


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> SweepResult:
    folder = tmp_path_factory.mktemp("sweep")
    path = folder / "sweep.yaml"
    path.write_text(
        f"base: {ROOT / 'scenarios' / 'weekday.yaml'}\nreplications: 2\n"
        "grid: {kiosks.count: [4, 10], 'staffing[*].attendants': [1, 2]}\n"
    )
    return run_sweep(load_sweep(path), RunStore(folder / "runs"))


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60)
    data = buffer.getvalue()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return data


def _line(ax: matplotlib.axes.Axes, label: str) -> matplotlib.lines.Line2D:
    return next(line for line in ax.get_lines() if line.get_label() == label)


def test_queue_length_over_day(result: SimulationResult) -> None:
    fig = plots.queue_length_over_day(result.timeseries)
    _png(fig)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Time of day (hh:mm)"
    assert ax.get_ylabel() == "Customers queueing (interval average)"
    assert "3 days" in ax.get_title()
    expected = result.timeseries.groupby("clock", sort=True)  # the plot groups by clock minute
    for ch in ("cashier", "kiosk"):
        line = _line(ax, f"{ch} (mean)")
        assert to_hex(line.get_color()) == to_hex(plots.PALETTE[ch])
        np.testing.assert_allclose(line.get_ydata(), expected[f"{ch}_queue_avg"].mean())
    # The x axis is clock time: the first sample is 5 minutes after the 08:00 opening.
    assert _line(ax, "cashier (mean)").get_xdata()[0] == pytest.approx(8 + 5 / 60)


def test_wait_ecdf_marks_target_and_shares(result: SimulationResult) -> None:
    target = result.target_wait_min
    fig = plots.wait_ecdf(result.customers, target)
    _png(fig)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Queue wait (minutes)"
    assert ax.get_ylabel() == "Served customers waiting at most x (%)"
    vertical = [
        line for line in ax.get_lines() if np.allclose(np.asarray(line.get_xdata()), target)
    ]
    assert vertical, "target wait is not marked"
    served = result.customers[result.customers["outcome"] == "served"]
    for ch in ("cashier", "kiosk"):
        waits = served.loc[served["channel"] == ch, "queue_wait_min"].to_numpy()
        within = 100.0 * np.mean(waits <= target)
        line = next(li for li in ax.get_lines() if str(li.get_label()).startswith(f"{ch}:"))
        assert f"{within:.0f}% within target" in str(line.get_label())
        x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
        # The step curve's height at the target is the share within target; it ends at 100%.
        assert y[np.searchsorted(x, target, side="right") - 1] == pytest.approx(within)
        assert y[-1] == pytest.approx(100.0)


def test_hour_heatmaps_match_the_hourly_summary(result: SimulationResult) -> None:
    hourly = plots.channel_hourly(result)
    grid = plots.hourly_by_channel(hourly, "wait_p90_min")
    assert list(grid.index) == ["all", "cashier", "kiosk"]
    by_hour = result.summary_by_hour()
    p90 = by_hour[by_hour["metric"] == "wait_p90_min"].set_index("hour")["mean"]
    np.testing.assert_allclose(grid.loc["all", p90.index].to_numpy(float), p90.to_numpy(float))
    # The cashier row, recomputed from the customers: p90 per day and hour, mean over days.
    served = result.customers[
        (result.customers["outcome"] == "served") & (result.customers["channel"] == "cashier")
    ]
    direct = (
        served.groupby(["rep", "arrival_hour"], observed=True)["queue_wait_min"]
        .quantile(0.9)
        .groupby(level="arrival_hour", observed=True)
        .mean()
    )
    np.testing.assert_allclose(grid.loc["cashier", direct.index.astype(str)], direct.to_numpy())

    fig = plots.hour_heatmap(grid, "wait_p90_min")
    _png(fig)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Hour of arrival (clock hour, hh)"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["all", "cashier", "kiosk"]
    assert fig.axes[1].get_ylabel() == "Queue wait, p90 (min)"  # the colour bar
    np.testing.assert_allclose(ax.images[0].get_array().filled(np.nan), grid.to_numpy(float))

    csat = plots.hour_heatmap(
        plots.hourly_by_channel(hourly, "csat_mean"), "csat_mean", higher_is_better=True
    )
    _png(csat)
    assert csat.axes[1].get_ylabel() == "CSAT, mean (1-5, estimate)"
    values = csat.axes[0].images[0].get_array().compressed()
    assert values.size and np.all((values >= 1) & (values <= 5))


def test_utilisation_over_day(result: SimulationResult) -> None:
    fig = plots.utilisation_over_day(result.timeseries)
    _png(fig)
    top, bottom = fig.axes[:2]
    assert top.get_ylabel() == "Utilisation (% of on-duty time busy)"
    assert bottom.get_ylabel() == "On duty (servers)"
    assert bottom.get_xlabel() == "Time of day (hh:mm)"
    ts = result.timeseries.groupby("clock", sort=True)  # the plot groups by clock minute
    for role, col in (("cashier", "cashiers"), ("kiosk", "kiosks"), ("attendant", "attendants")):
        util = _line(top, f"{role} (mean)")
        assert to_hex(util.get_color()) == to_hex(plots.PALETTE[role])
        y = np.asarray(util.get_ydata(), dtype=float)
        assert np.nanmin(y) >= 0 and np.nanmax(y) <= 100
        duty = _line(bottom, f"{role} (mean)")
        np.testing.assert_allclose(duty.get_ydata(), ts[f"{col}_on_duty_avg"].mean())


def test_root_cause_pareto(result: SimulationResult) -> None:
    rc = result.root_causes()
    fig = plots.root_cause_pareto(rc)
    _png(fig)
    ax, share = fig.axes[:2]
    assert ax.get_ylabel() == "Delay (customer-minutes per day)"
    assert share.get_ylabel() == "Cumulative share of delay (%)"
    shown = rc[rc["delay_min_per_day"] > 0].sort_values("delay_min_per_day", ascending=False)
    heights = [patch.get_height() for patch in ax.patches]
    np.testing.assert_allclose(heights, shown["delay_min_per_day"].to_numpy())
    assert [t.get_text() for t in ax.get_xticklabels()] == list(shown["label"])
    assert np.all(np.diff(heights) <= 0)
    assert share.get_lines()[0].get_ydata()[-1] == pytest.approx(shown["delay_pct"].sum())


@pytest.mark.parametrize("name", ["x$^$", "$", "50$ off", r"a_b^c\\$"])
def test_names_with_dollar_signs_draw_as_typed(result: SimulationResult, name: str) -> None:
    # Issue 19 item 8: a cause named x$^$ crashed run --report (matplotlib math text).
    rc = result.root_causes().copy()
    rc.loc[rc.index[0], "label"] = name
    rc.loc[rc.index[0], "delay_min_per_day"] = rc["delay_min_per_day"].max() + 1
    fig = plots.root_cause_pareto(rc, title=f"store {name}")
    _png(fig)
    ax = fig.axes[0]
    shown = ax.get_xticklabels()[0]
    assert shown.get_text().replace(r"\$", "$") == name
    assert fig.axes[0].get_title().replace(r"\$", "$") == f"store {name}"


def test_paired_differences(comparison: ComparisonResult) -> None:
    metrics = ["wait_p90_min", "reneged", "labour_cost", "csat_mean"]
    fig = plots.paired_differences(
        comparison.differences, metrics, base=comparison.base, currency="USD"
    )
    _png(fig)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == len(metrics)
    d = comparison.differences[comparison.differences["scope"] == "all"]
    plans = comparison.plans[1:]
    for ax, metric in zip(visible, metrics, strict=True):
        assert ax.get_xlabel() == "Δ " + directed(plots.metric_label(metric, "USD"), metric)
        assert [t.get_text() for t in ax.get_yticklabels()] == plans
        drawn: dict[float, float] = {}
        for line in ax.get_lines():
            xs, ys = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
            if line.get_marker() == "o":
                drawn.update(zip(ys.tolist(), xs.tolist(), strict=True))
        want = d[d["metric"] == metric].set_index("scenario")["diff_mean"]
        assert [drawn[i] for i in range(len(plans))] == pytest.approx(want[plans].to_list())
    assert "plan minus weekday" in fig.get_suptitle()
    assert plots.metric_label("labour_cost", "USD") == "Labour, total (USD per day)"


def test_sweep_pareto(swept: SweepResult) -> None:
    results = swept.results
    cost, experience = swept.minimise[0], "wait_p90_min"
    fig = plots.sweep_pareto(results, cost, experience, currency="USD")
    _png(fig)
    ax = fig.axes[0]
    assert ax.get_xlabel() == plots.metric_label(cost, "USD")
    assert ax.get_ylabel() == "Queue wait, p90 (min)"
    named = sorted(t.get_text() for t in ax.texts)
    assert named == sorted(results.loc[results["pareto"], "point"])
    assert named, "a sweep always has a plan on the front"
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "on the Pareto front" in labels
    # the dashed front line goes through the marked plans only, in order of cost
    front = results[results["pareto"]].sort_values(cost if cost in results else f"{cost}_mean")
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    if len(front) > 1:
        (line,) = dashed
        assert np.asarray(line.get_ydata()).tolist() == pytest.approx(
            front["wait_p90_min_mean"].tolist()
        )
    else:
        assert not dashed


def test_no_pyplot_figures_or_settings_leak(result: SimulationResult) -> None:
    before = dict(matplotlib.rcParams)
    plt.close("all")
    plots.queue_length_over_day(result.timeseries)
    plots.root_cause_pareto(result.root_causes())
    assert plt.get_fignums() == []
    assert dict(matplotlib.rcParams) == before


def test_heatmap_leaves_missing_hours_blank() -> None:
    grid = pd.DataFrame(
        [[1.0, np.nan], [2.0, 3.0]], index=["all", "kiosk"], columns=["08:00", "09:00"]
    )
    fig = plots.hour_heatmap(grid, "wait_p90_min")
    _png(fig)
    assert [t.get_text() for t in fig.axes[0].texts] == ["1.0", "2.0", "3.0"]
