"""Week files and shift rules: validated, with located errors (issue 15, item 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from checkoutsim import ScenarioError
from checkoutsim.scenario.shifts import ShiftRules
from checkoutsim.scenario.week import load_week, load_week_or_scenario

ROOT = Path(__file__).resolve().parents[1]
WEEKDAY = ROOT / "scenarios" / "weekday.yaml"


def _week(tmp_path: Path, shifts: object = None, days: object = None) -> Path:
    data: dict[str, object] = {
        "base": str(WEEKDAY),
        "days": days or {"monday": {}, "saturday": {"store": {"close": "20:00"}}},
    }
    if shifts is not None:
        data["shifts"] = shifts
    path = tmp_path / "week.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_a_week_resolves_each_day_type(tmp_path: Path) -> None:
    week = load_week(
        _week(tmp_path, days={"monday": {}, "saturday": {"store": {"close": "21:00"}}})
    )
    assert list(week.days) == ["monday", "saturday"]
    assert week.days["saturday"].name == "saturday"
    assert week.shifts == ShiftRules()  # default rules


def test_a_scenario_is_a_one_day_week() -> None:
    week = load_week_or_scenario(WEEKDAY)
    assert list(week.days) == ["weekday"]


@pytest.mark.parametrize(
    ("shifts", "where", "says"),
    [
        ({"slot_min": 20}, "shifts.slot_min", "15"),
        ({"roles": {"cashier": {"lengths_h": [4.25]}}}, "shifts", "not a multiple of 30 min"),
        ({"roles": {"baker": {"lengths_h": [4]}}}, "shifts.roles", "baker"),
        ({"roles": {"cashier": {"lengths_h": [4], "colour": 1}}}, "colour", "colour"),
        (
            {"roles": {"cashier": {"lengths_h": [4], "min_on_duty": 3, "max_on_duty": 2}}},
            "shifts.roles.cashier",
            "below min_on_duty",
        ),
        (
            {"roles": {"cashier": {"lengths_h": [4], "max_hours_per_person_per_week": 40}}},
            "shifts.roles.cashier",
            "needs headcount",
        ),
        ({"premiums": [{"start": "20:00", "end": "19:00", "pct": 25}]}, "premiums", "not after"),
        ({"premiums": [{"start": "20:00", "end": "24:00", "pct": -5}]}, "pct", "greater"),
        (
            {
                "breaks": [
                    {
                        "min_shift_h": 6,
                        "length_min": 30,
                        "earliest_after_min": 300,
                        "latest_after_min": 120,
                    }
                ]
            },
            "breaks",
            "before earliest_after_min",
        ),
        (
            {
                "roles": {"cashier": {"lengths_h": [6]}},
                "breaks": [
                    {
                        "min_shift_h": 6,
                        "length_min": 60,
                        "earliest_after_min": 330,
                        "latest_after_min": 330,
                    }
                ],
            },
            "shifts",
            "no room for its break",
        ),
        (
            {"roles": {"cashier": {"lengths_h": [4], "earliest_start": 830}}},
            "earliest_start",
            "quoted",
        ),
    ],
)
def test_bad_rules_are_located_errors(
    tmp_path: Path, shifts: dict[str, object], where: str, says: str
) -> None:
    path = _week(tmp_path, shifts=shifts)
    with pytest.raises(ScenarioError) as info:
        load_week(path)
    text = str(info.value)
    assert str(path) in text and where in text and says in text, text
    assert any(p.line is not None for p in info.value.problems)


def test_a_bad_day_override_points_at_its_line(tmp_path: Path) -> None:
    path = _week(tmp_path, days={"monday": {}, "sunday": {"store": {"close": "25:00"}}})
    with pytest.raises(ScenarioError) as info:
        load_week(path)
    (problem,) = info.value.problems
    assert problem.key_path.startswith("days.sunday.store.close") and problem.line is not None
