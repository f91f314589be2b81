"""Changing a scenario from Python (issue 18): one obvious call, validated like a file."""

from __future__ import annotations

import pytest

import checkoutsim
from checkoutsim import Scenario, ScenarioError, with_overrides, with_staffing


def test_with_staffing_changes_one_block_only(weekday: Scenario) -> None:
    evening = with_staffing(weekday, start="16:00", cashiers=6, attendants=3)
    before = {b.start: b for b in weekday.staffing}
    for block in evening.staffing:
        if block.start == "16:00":
            assert (block.cashiers, block.attendants) == (6, 3)
            assert block.express_cashiers == before["16:00"].express_cashiers
        else:
            assert block == before[block.start]
    assert evening.name == weekday.name


def test_with_overrides_takes_plan_file_keys_and_paths(weekday: Scenario) -> None:
    bigger = with_overrides(
        weekday, {"kiosks": {"count": 12}, "staffing[*].attendants": 2}, name="bigger"
    )
    assert bigger.name == "bigger" and bigger.kiosks.count == 12
    assert {b.attendants for b in bigger.staffing} == {2}
    assert weekday.kiosks.count == 8  # the original is untouched


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: with_staffing(s, start="16:00", cashiers=25), "25 staffed lanes but only 10"),
        (lambda s: with_staffing(s, start="16:30", cashiers=2), "no element of staffing has"),
        (lambda s: with_staffing(s, start="16:00"), "give at least one count"),
        (lambda s: with_overrides(s, {"kiosk.count": 3}), "no key 'kiosk'"),
        (lambda s: with_overrides(s, {"kiosks": {"cont": 3}}), "kiosks.cont"),
    ],
)
def test_a_change_that_makes_no_sense_is_refused(
    weekday: Scenario, call: object, message: str
) -> None:
    with pytest.raises(ScenarioError, match=message):
        call(weekday)  # type: ignore[operator]


def test_the_functions_are_public() -> None:
    assert {"with_overrides", "with_staffing"} <= set(checkoutsim.__all__)
