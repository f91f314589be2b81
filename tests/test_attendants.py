"""The attendant's whole job (issue 13, item 1): notice delay, remote clearing, dispatch rules
with a kiosk-bank geometry, kiosk faults; their schema rules and their invariants."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkoutsim.model.kiosk_faults import draw_faults
from checkoutsim.model.recorder import RunColumns
from checkoutsim.model.store import run_replication
from checkoutsim.model.streams import Source, Streams
from checkoutsim.scenario.loader import load_scenario
from checkoutsim.scenario.schema import Scenario
from checkoutsim.validation.measures import day_tables, little_ratio

ROOT = Path(__file__).resolve().parents[1]


@cache
def _base() -> dict[str, Any]:
    """A short, busy lean day: 2 hours at the weekday peak, one attendant for twelve kiosks."""
    d = load_scenario(ROOT / "scenarios" / "validation" / "little.yaml").to_dict()
    d["name"] = "attendant_test"
    d["kiosks"]["count"] = 8
    d["staffing"] = [
        {"start": "09:00", "end": "15:00", "cashiers": 1, "express_cashiers": 0, "attendants": 1}
    ]
    return d


def _scenario(**attendants: Any) -> Scenario:
    d = _base()
    d = {**d, "attendants": {**d["attendants"], **attendants}}
    if "geometry" in attendants:
        d["attendants"].pop("walk_min", None)
    return Scenario.model_validate(d)


def _with(d: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    import copy

    out = copy.deepcopy(d)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


# -- schema ------------------------------------------------------------------------------------


def _problems(d: dict[str, Any]) -> str:
    with pytest.raises(ValueError) as info:
        Scenario.model_validate(d)
    return str(info.value)


def test_an_id_check_cleared_remotely_is_refused() -> None:
    d = _base()
    # little.yaml's second cause is age_check: an ID check by name.
    msg = _problems(_with(d, ("kiosks", "confusion", 1, "clearing"), "remote"))
    assert "ID check" in msg and "in_person" in msg
    # A cause of another name flagged as an ID check is refused too.
    flagged = _with(d, ("kiosks", "confusion", 0, "id_check"), True)
    assert "ID check" in _problems(_with(flagged, ("kiosks", "confusion", 0, "clearing"), "remote"))
    # The others may be remote.
    Scenario.model_validate(_with(d, ("kiosks", "confusion", 0, "clearing"), "remote"))


@pytest.mark.parametrize(
    ("attendants", "expected"),
    [
        ({"dispatch": "nearest"}, "needs attendants.geometry"),
        ({"other_work_share": 0.3}, "needs other_work_task_min"),
        ({"other_work_task_min": {"kind": "fixed", "value": 1}}, "only used with"),
        ({"geometry": {"kiosk_spacing_m": 1.2}, "walk_min": None}, None),
        ({"other_work_share": 0.95}, "less than or equal to 0.9"),
        ({"notice_growth_per_open_freeze": -1.0}, "greater than or equal to 0"),
        ({"geometry": {"walk_m_per_min": 0.5}}, "greater than or equal to 1"),
    ],
)
def test_attendant_settings_are_checked(attendants: dict[str, Any], expected: str | None) -> None:
    d = _base()
    d = {**d, "attendants": {**d["attendants"], **attendants}}
    if attendants.get("walk_min", 0) is None:
        d["attendants"].pop("walk_min")
    if expected is None:
        Scenario.model_validate(d)
    else:
        assert expected in _problems(d)


def test_walk_is_given_once() -> None:
    d = _base()
    both = _with(d, ("attendants", "geometry"), {"kiosk_spacing_m": 1.0})
    assert "not both" in _problems(both)
    neither = _with(d, ("attendants", "walk_min"), None)
    assert "one of them is needed" in _problems(neither)


def test_kiosk_positions_must_match_the_kiosk_count() -> None:
    d = _with(_base(), ("attendants", "walk_min"), None)
    d = _with(d, ("attendants", "geometry"), {"positions_m": [0.0, 1.0, 2.0]})
    assert "3 kiosk positions for 8 kiosks" in _problems(d)


def test_old_files_keep_todays_defaults() -> None:
    s = load_scenario(ROOT / "scenarios" / "validation" / "little.yaml")
    att = s.attendants
    assert (att.dispatch, att.notice_min, att.other_work_share, att.geometry) == (
        "fcfs",
        None,
        0.0,
        None,
    )
    assert all(c.clearing == "in_person" for c in s.kiosks.confusion)
    assert s.kiosks.faults == []


# -- the day -----------------------------------------------------------------------------------


def _run(s: Scenario, rep: int = 0, seed: int = 3) -> RunColumns:
    return run_replication(s, rep, seed)


def test_a_fixed_notice_delay_is_the_time_from_freeze_to_notice() -> None:
    cols = _run(_scenario(notice_min={"kind": "fixed", "value": 0.75}))
    a = cols.assists
    assert a["stuck_min"].size > 50
    np.testing.assert_allclose(a["noticed_min"] - a["stuck_min"], 0.75, atol=1e-9)
    assert np.all(a["assigned_min"] >= a["noticed_min"] - 1e-12)


def test_notice_grows_with_the_freezes_already_open() -> None:
    base = _run(_scenario(notice_min={"kind": "fixed", "value": 0.5}))
    grown = _run(
        _scenario(notice_min={"kind": "fixed", "value": 0.5}, notice_growth_per_open_freeze=1.0)
    )
    delay = grown.assists["noticed_min"] - grown.assists["stuck_min"]
    # One attendant: with k freezes open the delay is 0.5 (1 + k), k = 0, 1, 2, ...
    k = delay / 0.5 - 1.0
    np.testing.assert_allclose(k, np.round(k), atol=1e-9)
    assert k.min() == 0 and k.max() >= 1
    wait = lambda c: np.mean(c.assists["attendant_arrived_min"] - c.assists["stuck_min"])  # noqa: E731
    assert wait(grown) > wait(base)


def test_other_work_delays_about_its_share_of_freezes() -> None:
    cols = _run(
        _scenario(other_work_share=0.5, other_work_task_min={"kind": "fixed", "value": 2.0})
    )
    delay = cols.assists["noticed_min"] - cols.assists["stuck_min"]
    assert np.all((delay >= 0) & (delay <= 2.0))
    share = np.mean(delay > 0)
    n = delay.size
    # Binomial(n, 0.5): within 4 standard deviations.
    assert abs(share - 0.5) < 4 * np.sqrt(0.25 / n)
    # The remaining part of a 2-minute task is uniform: mean 1 minute.
    assert abs(delay[delay > 0].mean() - 1.0) < 4 * (2 / np.sqrt(12)) / np.sqrt((delay > 0).sum())


def test_remote_causes_have_no_walk_and_in_person_ones_do() -> None:
    d = _with(_base(), ("kiosks", "confusion", 0, "clearing"), "remote")
    cols = _run(Scenario.model_validate(d))
    a = cols.assists
    walk = a["attendant_arrived_min"] - a["assigned_min"]
    remote = a["cause"] == 0
    assert remote.any() and (~remote).any()
    assert np.all(walk[remote] == 0.0)
    assert np.all(walk[~remote] >= 0.05 - 1e-12)  # triangular walk from 0.05 minutes


def _geometry_scenario(dispatch: str, remote_first: bool = False) -> Scenario:
    d = _with(_base(), ("attendants", "walk_min"), None)
    d = _with(d, ("attendants", "geometry"), {"kiosk_spacing_m": 2.0, "station_m": 7.0})
    d = _with(d, ("attendants", "dispatch"), dispatch)
    d = _with(d, ("kiosks", "confusion", 2, "priority"), 1)
    d = _with(d, ("kiosks", "confusion", 0, "priority"), 3)
    d = _with(d, ("kiosks", "confusion", 1, "priority"), 2)
    if remote_first:
        d = _with(d, ("kiosks", "confusion", 0, "clearing"), "remote")
    return Scenario.model_validate(d)


def _positions_before(s: Scenario, a: dict[str, np.ndarray]) -> np.ndarray:
    """Where each assist's attendant stood when assigned (from the previous in-person clear)."""
    geo = s.attendants.geometry
    assert geo is not None
    kiosk_m = np.array(geo.kiosk_positions(s.kiosks.count))
    remote = np.array([c.clearing == "remote" for c in s.kiosks.confusion])
    where = np.empty(a["assigned_min"].size)
    for attendant in np.unique(a["attendant"]):
        rows = np.flatnonzero(a["attendant"] == attendant)
        rows = rows[np.argsort(a["assigned_min"][rows], kind="stable")]
        here = geo.station_m
        for r in rows:
            where[r] = here
            if not remote[a["cause"][r]]:
                here = kiosk_m[a["kiosk"][r]]
    return where


@pytest.mark.parametrize("remote_first", [False, True])
def test_walk_is_distance_over_speed_from_where_the_attendant_stands(remote_first: bool) -> None:
    s = _geometry_scenario("fcfs", remote_first)
    a = _run(s).assists
    geo = s.attendants.geometry
    assert geo is not None
    kiosk_m = np.array(geo.kiosk_positions(s.kiosks.count))
    remote = np.array([c.clearing == "remote" for c in s.kiosks.confusion])[a["cause"]]
    expected = np.abs(kiosk_m[a["kiosk"]] - _positions_before(s, a)) / geo.walk_m_per_min
    expected[remote] = 0.0
    walk = a["attendant_arrived_min"] - a["assigned_min"]
    np.testing.assert_allclose(walk, expected, atol=1e-9)


def _queued_choices(a: dict[str, np.ndarray]) -> list[tuple[int, np.ndarray]]:
    """(assist taken from the queue, the assists waiting beside it at that moment)."""
    out = []
    noticed, assigned = a["noticed_min"], a["assigned_min"]
    for x in np.flatnonzero(assigned > noticed):
        t = assigned[x]
        waiting = np.flatnonzero((noticed < t) & (assigned > t))
        out.append((int(x), waiting))
    return out


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), dispatch=st.sampled_from(["fcfs", "priority", "nearest"]))
def test_a_free_attendant_takes_the_freeze_the_rule_says(seed: int, dispatch: str) -> None:
    s = _geometry_scenario(dispatch, remote_first=True)
    a = _run(s, seed=seed).assists
    rank = np.array([c.priority for c in s.kiosks.confusion])[a["cause"]]
    geo = s.attendants.geometry
    assert geo is not None
    kiosk_m = np.array(geo.kiosk_positions(s.kiosks.count))[a["kiosk"]]
    where = _positions_before(s, a)
    for x, waiting in _queued_choices(a):
        if dispatch == "fcfs":
            assert np.all(a["noticed_min"][waiting] >= a["noticed_min"][x])
        elif dispatch == "priority":
            assert np.all(rank[waiting] >= rank[x])
        else:
            distance = np.abs(kiosk_m - where[x])
            assert np.all(distance[waiting] >= distance[x] - 1e-9)


def test_dispatch_rules_change_the_order_not_the_work() -> None:
    runs = {d: _run(_geometry_scenario(d)).assists for d in ("fcfs", "priority", "nearest")}
    counts = {d: a["stuck_min"].size for d, a in runs.items()}
    assert len(set(counts.values())) == 1 or max(counts.values()) - min(counts.values()) < 10

    # Priority serves rank-1 causes sooner than fcfs does.
    def help_wait(a: dict[str, np.ndarray], cause: int) -> float:
        m = a["cause"] == cause
        return float(np.mean(a["assigned_min"][m] - a["noticed_min"][m]))

    assert help_wait(runs["priority"], 2) < help_wait(runs["fcfs"], 2)


def test_help_queue_little_law_holds_with_notice_and_other_work() -> None:
    s = _scenario(
        notice_min={"kind": "exponential", "mean": 0.3},
        other_work_share=0.3,
        other_work_task_min={"kind": "lognormal", "mean": 2.0, "sd": 1.0},
        notice_growth_per_open_freeze=0.5,
    )
    day = day_tables(s, 0, 3, _run(s))
    for line in ("cashier", "kiosk", "help"):
        assert little_ratio(day, line) == pytest.approx(1.0, rel=1e-9)


# -- faults ------------------------------------------------------------------------------------


def _fault_scenario() -> Scenario:
    d = _with(_base(), ("kiosks", "count"), 3)  # a busy bank: faults wait for a customer
    d = _with(
        d,
        ("kiosks", "faults"),
        [
            {
                "name": "receipt_paper",
                "per_kiosk_hour": 0.3,
                "repair_min": {"kind": "fixed", "value": 1.5},
                "cleared_by": "attendant",
            },
            {
                "name": "scanner",
                "per_kiosk_hour": 0.1,
                "repair_min": {"kind": "fixed", "value": 20.0},
                "cleared_by": "technician",
            },
        ],
    )
    return Scenario.model_validate(d)


def test_a_kiosk_out_of_order_serves_nobody_until_repaired() -> None:
    s = _fault_scenario()
    cols = _run(s)
    f, c = cols.faults, cols.customers
    assert f["kind"].size > 5 and set(f["kind"].tolist()) == {0, 1}
    tech = f["kind"] == 1
    assert np.all(f["attendant"][tech] == -1)
    np.testing.assert_allclose((f["repaired_min"] - f["down_min"])[tech], 20.0, atol=1e-9)
    att = ~tech
    assert np.all(f["attendant"][att] >= 0)
    assert np.all(f["repaired_min"][att] - f["assigned_min"][att] >= 1.5 + 0.05 - 1e-9)
    assert np.all(f["down_min"] >= f["struck_min"])
    # Every fault struck (one block, every kiosk on) put a kiosk out of order, most of them
    # after waiting for its customer to finish.
    drawn = draw_faults(s, Streams(3, 0).generator(Source.FAULTS)).fault_min
    assert f["kind"].size == drawn.size
    assert np.mean(f["down_min"] > f["struck_min"]) > 0.3
    kiosk_customers = (c["channel"] == 1) & np.isfinite(c["service_start_min"])
    for k, down, up in zip(f["kiosk"], f["down_min"], f["repaired_min"], strict=True):
        mine = kiosk_customers & (c["lane"] == k)
        start, end = c["service_start_min"][mine], c["departure_min"][mine]
        assert not np.any((start < up - 1e-9) & (end > down + 1e-9)), "served while down"


def test_faults_lengthen_the_kiosk_wait_and_keep_the_customers() -> None:
    plain = _run(_scenario())
    faulty = _run(_fault_scenario())
    # Same customers (faults have their own stream).
    np.testing.assert_array_equal(plain.customers["arrival_min"], faulty.customers["arrival_min"])
    kiosk = lambda c: c.customers["queue_wait_min"][c.customers["channel"] == 1].mean()  # noqa: E731
    assert kiosk(faulty) > kiosk(plain)
