"""The satisfaction, service_recovery and costs sections of a scenario file."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkoutsim import Scenario, ScenarioError, load_scenario
from checkoutsim.scenario.loader import dump_scenario_yaml
from checkoutsim.scenario.schema import Costs, Satisfaction

ROOT = Path(__file__).resolve().parents[1]


def test_files_without_the_sections_get_the_documented_defaults(weekday: Scenario) -> None:
    assert weekday.satisfaction == Satisfaction()
    assert weekday.costs == Costs()
    assert weekday.service_recovery is None  # coupons are off unless a scenario turns them on


def test_lean_staffing_turns_the_coupon_book_on(lean: Scenario) -> None:
    assert lean.service_recovery is not None
    assert lean.service_recovery.coupons_per_book > 0
    assert lean.service_recovery.coupons_per_shift is None  # a book per season, not per shift


def test_sections_round_trip_through_yaml(lean: Scenario, tmp_path: Path) -> None:
    path = tmp_path / "lean.yaml"
    path.write_text(dump_scenario_yaml(lean), encoding="utf-8")
    assert load_scenario(path) == lean


def _write(tmp_path: Path, extra: str) -> Path:
    text = (ROOT / "scenarios" / "weekday.yaml").read_text(encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def test_unknown_key_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "satisfaction:\n  csat:\n    no_wait_scor: 4.5\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    text = str(err.value)
    assert "satisfaction.csat.no_wait_scor" in text
    assert "unknown key" in text
    lines = path.read_text().splitlines()
    assert err.value.problems[0].line == len(lines)


@pytest.mark.parametrize(
    ("extra", "key", "words"),
    [
        (
            "satisfaction:\n  csat:\n    balked_score: 4.9\n",
            "satisfaction.csat.balked_score",
            "must not exceed no_wait_score",
        ),
        (
            "satisfaction:\n  csat:\n    no_wait_score: 6\n",
            "satisfaction.csat.no_wait_score",
            "less than or equal to 5",
        ),
        (
            "satisfaction:\n  nps:\n    baseline_promoter_pct: 70\n"
            "    baseline_detractor_pct: 40\n",
            "satisfaction.nps.baseline_detractor_pct",
            "<= 100",
        ),
        (
            "costs:\n  cashier_wage_per_hour: -1\n",
            "costs.cashier_wage_per_hour",
            "greater than or equal to 0",
        ),
        (
            "service_recovery:\n  coupons_per_shift: 2.5\n",
            "service_recovery.coupons_per_shift",
            "whole number",
        ),
        (
            "satisfaction:\n  effort:\n    easiest_score: 8\n",
            "satisfaction.effort.easiest_score",
            "less than or equal to 7",
        ),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, extra: str, key: str, words: str) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(_write(tmp_path, extra))
    problem = err.value.problems[0]
    assert problem.key_path == key
    assert words in problem.message
    assert problem.line is not None
