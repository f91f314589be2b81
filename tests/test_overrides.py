"""Override paths: parse, set, and refuse what does not exist."""

from __future__ import annotations

import pytest

from checkoutsim import Scenario
from checkoutsim.scenario.overrides import (
    Every,
    Index,
    Key,
    PathError,
    Where,
    apply_overrides,
    parse_path,
    set_path,
)


def test_parse_path_steps() -> None:
    assert parse_path("kiosks.count") == (Key("kiosks"), Key("count"))
    assert parse_path("staffing[*].cashiers") == (Key("staffing"), Every(), Key("cashiers"))
    assert parse_path("staffing[-1].attendants") == (Key("staffing"), Index(-1), Key("attendants"))
    assert parse_path("staffing[start=16:00].cashiers") == (
        Key("staffing"),
        Where("start", "16:00"),
        Key("cashiers"),
    )
    assert parse_path('kiosks.confusion[name="age_check"].probability')[2] == Where(
        "name", "age_check"
    )


@pytest.mark.parametrize("bad", ["", "kiosks..count", "kiosks.count[", "a[b]", " kiosks", "a-b"])
def test_parse_path_rejects_malformed(bad: str) -> None:
    with pytest.raises(PathError, match="malformed"):
        parse_path(bad)


def test_set_path_everywhere_one_and_by_field(weekday: Scenario) -> None:
    data = weekday.to_dict()
    locs = set_path(data, "staffing[*].attendants", 3)
    assert locs == [("staffing", i, "attendants") for i in range(len(weekday.staffing))]
    assert {b["attendants"] for b in data["staffing"]} == {3}
    assert set_path(data, "staffing[start=16:00].cashiers", 6) == [("staffing", 4, "cashiers")]
    assert set_path(data, "staffing[-1].cashiers", 1) == [("staffing", 5, "cashiers")]
    set_path(data, "kiosks.confusion[name=age_check].probability", 0.1)
    changed = Scenario.model_validate(data)
    assert [b.cashiers for b in changed.staffing] == [2, 3, 4, 3, 6, 1]
    assert changed.kiosks.confusion[1].probability == 0.1
    # The scenario the data came from is untouched.
    assert weekday.staffing[4].cashiers == 5


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("kiosk.count", "no key 'kiosk' under the top level"),
        ("staffing[*].cashier", "no key 'cashier' under staffing[0]"),
        ("staffing[9].cashiers", "index 9 is out of range"),
        ("staffing[start=16:30].cashiers", "no element of staffing has start = '16:30'"),
        ("kiosks[0].count", "kiosks is not a list"),
        ("kiosks.count.value", "kiosks.count is not a mapping"),
    ],
)
def test_set_path_refuses_what_is_not_there(weekday: Scenario, path: str, message: str) -> None:
    with pytest.raises(PathError, match=message.replace("[", r"\[").replace("]", r"\]")):
        set_path(weekday.to_dict(), path, 1)


def test_set_path_under_null_says_so(weekday: Scenario) -> None:
    data = weekday.to_dict()
    data["cashiers"]["express"] = None
    with pytest.raises(PathError, match=r"cashiers\.express is null"):
        set_path(data, "cashiers.express.lanes", 1)


def test_apply_overrides_merges_nested_keys_and_records_origins(weekday: Scenario) -> None:
    data, origins = apply_overrides(
        weekday.to_dict(), {"kiosks": {"count": 10}, "staffing[*].attendants": 2}
    )
    assert data["kiosks"]["count"] == 10
    assert data["kiosks"]["confusion"] == weekday.to_dict()["kiosks"]["confusion"]
    assert origins[0].loc == ("kiosks", "count") and origins[0].source == ("kiosks", "count")
    assert origins[1].source == ("staffing[*].attendants",)
    assert Scenario.model_validate(data).kiosks.count == 10
