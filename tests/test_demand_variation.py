"""Demand that varies by day: a gamma day-level multiplier (issue 15, item 2)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from checkoutsim import Scenario, ScenarioError, load_scenario
from checkoutsim.cli import app
from checkoutsim.model.population import day_demand_multiplier, draw_arrival_times
from checkoutsim.model.streams import Source, Streams

ROOT = Path(__file__).resolve().parents[1]
WEEKDAY = ROOT / "scenarios" / "weekday.yaml"
Z = 3.29  # two-sided 99.9%: a fixed-seed check that fails only if the law is wrong


def _with_cv(scenario: Scenario, cv: float) -> Scenario:
    return scenario.with_overrides({"arrivals": {"day_to_day_cv": cv}})


def test_multiplier_has_mean_one_and_variance_cv_squared(weekday: Scenario) -> None:
    cv = 0.15
    s = _with_cv(weekday, cv)
    m = np.array([day_demand_multiplier(s, Streams(seed=7, rep=r)) for r in range(20_000)])
    n = m.size
    assert abs(m.mean() - 1.0) <= Z * m.std(ddof=1) / math.sqrt(n)
    # Standard error of the sample variance from the sample's own fourth central moment.
    var = m.var(ddof=1)
    m4 = np.mean((m - m.mean()) ** 4)
    se_var = math.sqrt((m4 - var**2) / n)
    assert abs(var - cv**2) <= Z * se_var
    assert (m > 0).all()


def test_zero_dispersion_draws_nothing_and_keeps_the_arrivals(weekday: Scenario) -> None:
    assert weekday.arrivals.day_to_day_cv == 0.0
    assert day_demand_multiplier(weekday, Streams(seed=1, rep=0)) == 1.0
    explicit = _with_cv(weekday, 0.0)
    streams = Streams(seed=11, rep=3)
    a = draw_arrival_times(weekday, streams.generator(Source.ARRIVALS))
    b = draw_arrival_times(
        explicit, streams.generator(Source.ARRIVALS), day_demand_multiplier(explicit, streams)
    )
    np.testing.assert_array_equal(a, b)


def test_day_totals_are_overdispersed_as_a_gamma_mixed_poisson(weekday: Scenario) -> None:
    cv = 0.2
    s = _with_cv(weekday, cv)
    mean_total = sum(
        b.customers_per_hour * (s.minutes_after_open(b.end) - s.minutes_after_open(b.start)) / 60
        for b in s.arrivals.profile
    )
    totals = []
    for rep in range(1_000):
        streams = Streams(seed=5, rep=rep)
        mult = day_demand_multiplier(s, streams)
        totals.append(draw_arrival_times(s, streams.generator(Source.ARRIVALS), mult).size)
    t = np.array(totals, dtype=float)
    expected_var = mean_total + (cv * mean_total) ** 2  # Poisson part + demand part
    # Sample variance of 1,000 near-normal totals: relative standard error about sqrt(2/n).
    assert abs(t.var(ddof=1) / expected_var - 1) <= Z * math.sqrt(2 / t.size) * 1.5
    assert abs(t.mean() - mean_total) <= Z * t.std(ddof=1) / math.sqrt(t.size)
    # Far above Poisson variance: the CIs now carry demand uncertainty.
    assert t.var(ddof=1) > 10 * mean_total


@pytest.mark.parametrize("bad", [-0.1, 0.51, "0.1", True])
def test_bad_dispersion_is_a_located_error(tmp_path: Path, bad: object) -> None:
    data = yaml.safe_load(WEEKDAY.read_text())
    data["arrivals"]["day_to_day_cv"] = bad
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError, match="day_to_day_cv"):
        load_scenario(path)


def test_run_shows_a_p90_day_only_when_demand_varies(tmp_path: Path) -> None:
    data = yaml.safe_load(WEEKDAY.read_text())
    data["arrivals"]["day_to_day_cv"] = 0.15
    path = tmp_path / "varies.yaml"
    path.write_text(yaml.safe_dump(data))
    runner = CliRunner()
    varied = runner.invoke(
        app, ["run", str(path), "-n", "6", "--report", "--out", str(tmp_path / "a")]
    )
    assert varied.exit_code == 0, varied.output
    assert "p90 day" in varied.output and "Average day" in varied.output
    assert 'id="day-spread-table"' in (tmp_path / "a" / "report.html").read_text()
    plain = runner.invoke(app, ["run", str(WEEKDAY), "-n", "2", "--out", str(tmp_path / "b")])
    assert plain.exit_code == 0, plain.output
    assert "p90 day" not in plain.output


def test_p90_day_is_the_worse_side_quantile_over_days(weekday: Scenario) -> None:
    from checkoutsim import simulate
    from checkoutsim.report.day_spread import day_spread

    result = simulate(_with_cv(weekday, 0.15), 8, 3, workers=1)
    spread = day_spread(result).set_index("metric")
    m = result.metrics()
    for metric, q in (("wait_p90_min", 0.9), ("csat_mean", 0.1)):  # csat: higher is better
        days = m[(m["scope"] == "all") & (m["metric"] == metric)]["value"].to_numpy()
        assert spread.loc[metric, "p90_day"] == pytest.approx(np.quantile(days, q))
        assert spread.loc[metric, "mean"] == pytest.approx(days.mean())
