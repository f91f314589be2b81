"""Issue 18, "A verdict, not 37 rows": the verdict that opens a run's summary, and better/worse
drawn by each metric's direction in the terminal, the HTML reports and the difference figure."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from rich.console import Console
from typer.testing import CliRunner

from checkoutsim.cli import app
from checkoutsim.experiments.compare import ComparisonResult, compare
from checkoutsim.experiments.simulate import simulate
from checkoutsim.experiments.sweep import STAFF_HOURS
from checkoutsim.report import plots
from checkoutsim.report.comparison_tables import difference_table
from checkoutsim.report.direction import EFFECT_COLOURS
from checkoutsim.report.html import comparison_report, run_report
from checkoutsim.report.tables import summary_sections
from checkoutsim.report.verdict import hour_spans, verdict_table
from checkoutsim.results.tables import SimulationResult
from checkoutsim.results.verdict import classify, run_verdict
from checkoutsim.scenario.loader import ScenarioError, load_scenario
from checkoutsim.scenario.metrics import DIRECTIONS, direction, effect
from checkoutsim.scenario.targets import Target, parse_target

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()

# A store whose only trouble is one hour: 60 customers an hour all morning, cashiers only (no
# balking, no reneging), four cashiers, then one from 09:00 to 10:00 (a cashier's transaction
# takes about 1.3 minutes, so one cashier is overloaded and the line grows all hour), then
# eight to clear it.
ONE_BAD_HOUR = """\
name: one_bad_hour
store: {open: "08:00", close: "11:00"}
arrivals:
  profile:
    - {start: "08:00", end: "11:00", customers_per_hour: 60}
customers:
  basket_items: {kind: lognormal, mean: 12, sd: 16}
  payment_min: {kind: gamma, mean: 0.26, sd: 0.08}
  patience_min: null
  balking: null
  channel: {never_kiosk_share: 1.0, prefer_kiosk_share: 0.0}
  kiosk_item_limit: null
cashiers:
  lanes: 8
  scan_min_per_item: {kind: gamma, mean: 0.05, sd: 0.02}
  fixed_min: {kind: gamma, mean: 0.40, sd: 0.15}
  express: null
kiosks:
  count: 0
  scan_min_per_item: {kind: gamma, mean: 0.13, sd: 0.06}
  fixed_min: {kind: gamma, mean: 0.30, sd: 0.12}
attendants:
  walk_min: {kind: triangular, low: 0.05, mode: 0.10, high: 0.25}
staffing:
  - {start: "08:00", end: "09:00", cashiers: 4, attendants: 0}
  - {start: "09:00", end: "10:00", cashiers: 1, attendants: 0}
  - {start: "10:00", end: "11:00", cashiers: 8, attendants: 0}
run: {replications: 10, seed: 7}
"""


@pytest.fixture(scope="module")
def bad_hour_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("verdict") / "one_bad_hour.yaml"
    path.write_text(ONE_BAD_HOUR + "targets:\n  - wait_p90_min <= 4\n")
    return path


@pytest.fixture(scope="module")
def bad_hour(bad_hour_file: Path) -> SimulationResult:
    return simulate(load_scenario(bad_hour_file), 10, 7)


# -- the registry ----------------------------------------------------------------------------


def test_every_metric_a_run_reports_has_a_direction() -> None:
    result = simulate(load_scenario(ROOT / "scenarios" / "weekday.yaml"), 2, 3)
    names = set(result.metrics()["metric"]) | set(result.hourly()["metric"]) | {STAFF_HOURS}
    assert names - set(DIRECTIONS) == set()


@pytest.mark.parametrize(
    ("metric", "low", "high", "expected"),
    [
        ("wait_p90_min", 0.5, 1.5, "worse"),
        ("wait_p90_min", -1.5, -0.5, "better"),
        ("csat_mean", 0.1, 0.3, "better"),
        ("csat_mean", -0.3, -0.1, "worse"),
        ("labour_cost", -12.0, -8.0, "better"),
        ("reneged", -1.0, 2.0, "unclear"),
        ("arrivals", 3.0, 9.0, "neutral"),
        ("csat_mean", math.nan, math.nan, "unclear"),
    ],
)
def test_effect_follows_the_metric_direction(
    metric: str, low: float, high: float, expected: str
) -> None:
    assert effect(metric, low, high) == expected


def test_directions_of_the_main_metrics() -> None:
    assert direction("wait_p90_min") == "lower"
    assert direction("csat_mean") == "higher"
    assert direction("within_target_pct") == "higher"
    assert direction("cashiers_utilisation_pct") == "neutral"


# -- judging one unit -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "mean", "low", "high", "n", "expected"),
    [
        ("wait_p90_min<=4", 3.0, 2.5, 3.5, 10, "met"),
        ("wait_p90_min<=4", 5.0, 4.5, 5.5, 10, "breached"),
        ("wait_p90_min<=4", 3.8, 3.4, 4.2, 10, "cannot tell"),  # mean meets it, interval straddles
        ("wait_p90_min<=4", 4.2, 3.8, 4.6, 10, "cannot tell"),  # mean misses it, straddles
        ("wait_p90_min<=4", 4.0, 4.0, 4.0, 10, "met"),  # on the line, no spread
        ("csat>=4", 4.3, 4.1, 4.5, 10, "met"),
        ("csat>=4", 3.7, 3.5, 3.9, 10, "breached"),
        ("wait_p90_min<=4", 9.0, 9.0, 9.0, 1, "cannot tell"),  # one day: no interval
        ("wait_p90_min<=4", math.nan, math.nan, math.nan, 0, "no data"),
    ],
)
def test_classify(target: str, mean: float, low: float, high: float, n: int, expected: str) -> None:
    assert classify(parse_target(target), mean, low, high, n) == expected


def test_hour_spans_join_consecutive_hours() -> None:
    assert (
        hour_spans(["16:00", "17:00", "19:00", "08:00"]) == "08:00-09:00, 16:00-18:00, 19:00-20:00"
    )


# -- the verdict on a constructed case ------------------------------------------------------


def test_verdict_names_the_one_hour_that_breaches(bad_hour: SimulationResult) -> None:
    verdict = run_verdict(bad_hour)
    (check,) = verdict.checks
    assert check.source == "scenario" and str(check.target) == "wait_p90_min<=4"
    status = {h.unit: h.status for h in check.hours}
    assert status == {"08:00": "met", "09:00": "breached", "10:00": "met"}
    assert check.worst_hour is not None and check.worst_hour.unit == "09:00"
    assert check.status == verdict.status == "breached"
    # The figures are the hourly summary's, not a second computation.
    hourly = bad_hour.summary_by_hour().query("metric == 'wait_p90_min'").set_index("hour")
    for h in check.hours:
        assert h.mean == pytest.approx(hourly.loc[h.unit, "mean"])
        assert (h.ci_low, h.ci_high) == pytest.approx(
            (hourly.loc[h.unit, "ci_low"], hourly.loc[h.unit, "ci_high"])
        )


def test_a_threshold_inside_the_interval_cannot_be_told(bad_hour: SimulationResult) -> None:
    hourly = bad_hour.summary_by_hour().query("metric == 'wait_p90_min'").set_index("hour")
    mean = float(hourly.loc["09:00", "mean"])
    (check,) = run_verdict(bad_hour, [Target("wait_p90_min", "<=", mean)]).checks
    nine = next(h for h in check.hours if h.unit == "09:00")
    assert nine.status == "cannot tell"
    assert check.status == "cannot tell"  # no hour is surely breached; 09:00 is open


def test_higher_is_better_targets_are_judged_the_other_way(bad_hour: SimulationResult) -> None:
    (check,) = run_verdict(bad_hour, [parse_target("within_target_pct>=80")]).checks
    status = {h.unit: h.status for h in check.hours}
    assert status["09:00"] == "breached" and status["08:00"] == "met"


def test_default_target_is_the_scenarios_target_wait(bad_hour: SimulationResult) -> None:
    scenario = bad_hour.scenario.model_copy(update={"targets": []})
    plain = SimulationResult(
        scenario, bad_hour.seed, bad_hour.replications, bad_hour.customers, bad_hour.assists,
        bad_hour.timeseries, coupons=bad_hour.coupons,
    )  # fmt: skip
    (check,) = run_verdict(plain).checks
    assert check.source == "default"
    assert check.target == Target("wait_p90_min", "<=", scenario.run.target_wait_min)


def test_terminal_verdict_names_breach_and_worst_hour(bad_hour: SimulationResult) -> None:
    console = Console(width=80, record=True, color_system=None)
    console.print(verdict_table(run_verdict(bad_hour)))
    text = console.export_text()
    assert "Verdict: 1 of 1 target breached" in text
    assert "breached in 1 of 3 hours: 09:00-10:00" in text
    assert "worst hour 09:00" in text
    assert max(len(line) for line in text.splitlines()) <= 80


# -- scenario files and the command line ------------------------------------------------------


def test_scenario_targets_report_every_mistake_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(ONE_BAD_HOUR + "targets:\n  - wait_p90 <= 4\n  - csat >= high\n  - x = 1\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    first = ONE_BAD_HOUR.count("\n") + 2  # the line after "targets:"
    assert re.search(
        rf"s\.yaml:{first}: targets\[0\]: unknown metric 'wait_p90'.*wait_p90_min", message
    )
    assert f"s.yaml:{first + 1}: targets[1]: value 'high'" in message
    assert f"s.yaml:{first + 2}: targets[2]: expected METRIC<=VALUE" in message


def test_targets_do_not_change_the_run_store_key(bad_hour_file: Path) -> None:
    from checkoutsim.experiments.run_store import scenario_key

    with_targets = load_scenario(bad_hour_file)
    without = with_targets.model_copy(update={"targets": []})
    assert with_targets.targets and scenario_key(with_targets) == scenario_key(without)


def test_run_prints_the_verdict_first_and_takes_target_options(
    bad_hour_file: Path, tmp_path: Path
) -> None:
    args = ["run", str(bad_hour_file), "-n", "3", "-w", "1", "-o", str(tmp_path / "a")]
    result = runner.invoke(app, [*args, "--target", "csat>=1", "--target", "reneged<=0"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index("Verdict:") < out.index("Customers arriving")
    assert "csat_mean >= 1: met" in out and "wait_p90_min" not in out.split("one_bad_hour:")[0]


def test_run_json_carries_the_verdict(bad_hour_file: Path, tmp_path: Path) -> None:
    args = ["run", str(bad_hour_file), "-n", "3", "-w", "1", "--json", "-o", str(tmp_path / "j")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)["verdict"]
    (target,) = verdict["targets"]
    assert target["target"] == "wait_p90_min<=4" and target["source"] == "scenario"
    assert [h["unit"] for h in target["hours"]] == ["08:00", "09:00", "10:00"]
    assert verdict["status"] == target["status"]


@pytest.mark.parametrize("bad", ["wait<=4", "wait_p90_min<4", "csat>=nan"])
def test_a_bad_target_option_is_a_user_error(bad_hour_file: Path, tmp_path: Path, bad: str) -> None:
    args = ["run", str(bad_hour_file), "-n", "2", "-o", str(tmp_path / "b"), "--target", bad]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "--target" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "b").exists()  # refused before simulating


# -- HTML run report --------------------------------------------------------------------------


def test_html_report_opens_with_the_verdict(bad_hour: SimulationResult) -> None:
    document = run_report(bad_hour)
    assert document.index('id="verdict"') < document.index('id="summary"')
    hours = document[document.index('id="verdict-hours-table"') :]
    row = re.search(r"<tr><td>09:00</td><td class=\"([a-z-]+)\">", hours)
    assert row is not None and row.group(1) == "breached"
    assert re.search(r"<tr><td>08:00</td><td class=\"met\">", hours)


def test_summary_labels_carry_the_direction(bad_hour: SimulationResult) -> None:
    labels = {row[0] for _, rows in summary_sections(bad_hour) for row in rows}
    assert "Queue wait, p90 (min) ↓" in labels
    assert "Served within target (%) ↑" in labels
    assert "Customers arriving" in labels  # demand: no better side


# -- comparisons: better and worse are not the same colour -------------------------------------


@pytest.fixture(scope="module")
def more_cashiers(bad_hour_file: Path) -> ComparisonResult:
    base = load_scenario(bad_hour_file)
    more = base.with_overrides({"staffing": [
        {"start": "08:00", "end": "09:00", "cashiers": 4, "attendants": 0},
        {"start": "09:00", "end": "10:00", "cashiers": 3, "attendants": 0},
        {"start": "10:00", "end": "11:00", "cashiers": 8, "attendants": 0},
    ]})  # fmt: skip
    return compare({"base": base, "more": more}, 5, 11)


def _cell_style(table: object, column: int, label_start: str) -> str:
    rows = table.columns[0]._cells  # type: ignore[attr-defined]
    i = next(k for k, c in enumerate(rows) if str(c).startswith(label_start))
    return str(table.columns[column]._cells[i])  # type: ignore[attr-defined]


def test_terminal_differences_colour_better_and_worse(more_cashiers: ComparisonResult) -> None:
    table = difference_table(more_cashiers, "more", ["wait_p90_min", "labour_cost"], "all")
    wait = _cell_style(table, 1, "Queue wait, p90")  # fewer minutes: better
    labour = _cell_style(table, 1, "Labour, total")  # more money: worse
    assert wait.startswith("[bold green]") and labour.startswith("[bold red]")
    console = Console(width=100, record=True, color_system="truecolor")
    console.print(table)
    ansi = console.export_text(styles=True)
    assert "\x1b[1;32m" in ansi and "\x1b[1;31m" in ansi  # green and red really drawn


def test_html_differences_say_better_or_worse(more_cashiers: ComparisonResult) -> None:
    document = comparison_report(more_cashiers, metrics=["wait_p90_min", "labour_cost"])
    table = document[document.index('id="differences-table"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr><td>more</td><td>([^<]+)</td>(.*?)</tr>", table)
    kinds = {label: re.findall(r'class="([a-z]+)"', cells) for label, cells in rows}
    assert set(kinds["Queue wait, p90 (min) ↓"]) == {"better"}
    assert set(kinds["Labour, total (USD per day) ↓"]) == {"worse"}
    assert "yes, better" in table and "yes, worse" in table


def test_difference_figure_colours_by_direction() -> None:
    d = pd.DataFrame(
        {
            "scenario": ["p"] * 4,
            "scope": ["all"] * 4,
            "metric": ["wait_p90_min", "csat_mean", "labour_cost", "reneged"],
            "diff_mean": [1.0, 0.2, -10.0, 0.5],
            "diff_low": [0.5, 0.1, -12.0, -1.0],
            "diff_high": [1.5, 0.3, -8.0, 2.0],
            "significant": [True, True, True, False],
        }
    )
    fig = plots.paired_differences(d, list(d["metric"]), base="b")
    colours = {}
    for ax in fig.axes[:4]:
        (line,) = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
        colours[ax.get_xlabel()] = to_hex(line.get_color()).upper()
    expected = {"wait_p90_min": "worse", "csat_mean": "better", "labour_cost": "better",
                "reneged": "unclear"}  # fmt: skip
    for (label, colour), (metric, kind) in zip(colours.items(), expected.items(), strict=True):
        assert colour == EFFECT_COLOURS[kind].upper(), (label, metric)
    assert np.unique(list(colours.values())).size == 3


def test_a_store_wide_figure_cannot_hide_a_channel_that_misses_the_target() -> None:
    """The lean plan pushes most customers to the kiosks, whose short waits pull the store-wide
    p90 down; a threshold between the store-wide interval and the cashier customers' one is met
    by the day as a whole and missed by the cashier's customers, so the target is breached."""
    lean = load_scenario(Path(__file__).resolve().parents[1] / "scenarios/lean_staffing.yaml")
    result = simulate(lean, replications=3, seed=3, workers=1)
    s = result.summary().set_index(["scope", "metric"])
    store_high = float(s.loc[("all", "wait_p90_min"), "ci_high"])
    cashier_low = float(s.loc[("cashier", "wait_p90_min"), "ci_low"])
    assert store_high < cashier_low  # the premise: cashier customers wait clearly longer
    threshold = (store_high + cashier_low) / 2
    check = run_verdict(result, [Target("wait_p90_min", "<=", threshold)]).checks[0]
    assert check.day.status == "met"
    statuses = {c.unit: c.status for c in check.channels}
    assert statuses["cashier"] == "breached"
    assert check.status == "breached"
    console = Console(width=80, record=True, color_system=None)
    console.print(verdict_table(run_verdict(result, [Target("wait_p90_min", "<=", threshold)])))
    text = console.export_text()
    assert "cashier customers" in text and "breached" in text
