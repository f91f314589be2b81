"""The replay's data and files (issue 17); the browser side is tests/test_replay_browser.py."""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from checkoutsim.cli import app
from checkoutsim.experiments.simulate import simulate
from checkoutsim.report.replay import (
    ATTENDANT_STATES,
    KIOSK_STATES,
    Interval,
    day_data,
    seconds,
    simulated_day,
    state_at,
    timeline,
)
from checkoutsim.report.replay_page import encode_data, replay_page
from checkoutsim.results.tables import SimulationResult
from checkoutsim.scenario.loader import load_scenario
from checkoutsim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]
WEEKDAY = ROOT / "scenarios" / "weekday.yaml"
LEAN = ROOT / "scenarios" / "lean_staffing.yaml"
runner = CliRunner()


def _embedded(page: str) -> dict[str, Any]:
    found = re.search(r'data-encoding="(\w+)">(.*?)</script>', page, re.S)
    assert found
    encoding, text = found.groups()
    if encoding == "gzip":
        text = gzip.decompress(base64.b64decode(text)).decode("utf-8")
    data: dict[str, Any] = json.loads(text.replace("<\\/", "</"))
    return data


def _states(flat: dict[str, list[int]], entity: int, second: int) -> int:
    lo, hi = flat["off"][entity], flat["off"][entity + 1]
    t, s, w, o = (flat[k][lo:hi] for k in "tswo")
    changes = list(zip(t, s, w, o, strict=True))
    return state_at(changes, second)


def test_timeline_keeps_the_highest_state_and_merges_repeats() -> None:
    changes = timeline(
        [
            Interval(0, 100, 1),  # idle all along
            Interval(10, 50, 2),  # busy
            Interval(20, 30, 3),  # frozen inside the busy spell
            Interval(50, 60, 2),  # busy again straight after: no change at 50
            Interval(70, 70, 4),  # empty: dropped
        ]
    )
    assert [(t, s) for t, s, _, _ in changes] == [
        (0, 1),
        (10, 2),
        (20, 3),
        (30, 2),
        (60, 1),
        (100, -1),
    ]
    assert [state_at(changes, t) for t in (-1, 0, 19, 20, 29, 30, 59, 60, 100)] == [
        -1,
        1,
        2,
        3,
        3,
        2,
        2,
        1,
        -1,
    ]


def _faulty(scenario: Scenario) -> Scenario:
    """``scenario`` with kiosks breaking down often: attendant repairs and technician call-outs."""
    d = scenario.to_dict()
    d["kiosks"]["faults"] = [
        {
            "name": "paper_or_cash",
            "per_kiosk_hour": 0.25,
            "repair_min": {"kind": "lognormal", "mean": 2.0, "sd": 1.0},
            "cleared_by": "attendant",
        },
        {
            "name": "hardware",
            "per_kiosk_hour": 0.03,
            "repair_min": {"kind": "fixed", "value": 45.0},
            "cleared_by": "technician",
        },
    ]
    return Scenario.model_validate(d)


def _check_levels(scenario: Scenario, seed: int) -> SimulationResult:
    """Queues, busy kiosks and busy attendants rebuilt from the day's columns and timelines
    equal the recorder's own levels at every sample time away from an event."""
    result = simulate(scenario, 1, seed, workers=1, progress=False)
    data = day_data(result, 0)
    c = {k: np.asarray(v) for k, v in data["customers"].items()}
    ts = result.timeseries
    assists = [result.assists[k].to_numpy() * 60 for k in result.assists if k.endswith("_min")]
    faults = [result.faults[k].to_numpy() * 60 for k in FAULT_TIMES]
    # Seconds are rounded: a level read within a second of an event may differ.
    events = np.concatenate([c["arr"], c["start"], c["dep"], *assists, *faults])
    busy_kiosk = {KIOSK_STATES.index(s) for s in ("scanning", "frozen", "helped")}
    checked = 0
    for row in ts.itertuples():
        t = round(row.time_min * 60)
        if np.any(np.abs(events - row.time_min * 60) < 1):
            continue
        queued = (c["arr"] <= t) & (t < c["dep"]) & ((c["start"] < 0) | (t < c["start"]))
        assert np.sum(queued & (c["ch"] == 0)) == row.cashier_queue
        assert np.sum(queued & (c["ch"] == 1)) == row.kiosk_queue
        kiosks = [_states(data["kiosks"], k, t) for k in range(scenario.kiosks.count)]
        assert sum(s in busy_kiosk for s in kiosks) == row.kiosks_busy
        people = [_states(data["attendants"], a, t) for a in range(data["meta"]["attendants"])]
        assert sum(s >= 2 for s in people) == row.attendants_busy  # walking, helping, repairing
        checked += 1
    assert checked > 100
    return result


FAULT_TIMES = ("down_min", "assigned_min", "attendant_arrived_min", "repaired_min")


def test_day_data_reproduces_the_recorded_levels_at_every_sample() -> None:
    _check_levels(load_scenario(WEEKDAY), 5)


def test_replay_levels_match_the_time_series_with_kiosks_breaking_down() -> None:
    """With frequent faults, attendants repairing kiosks are busy in the replay as in the time
    series, and every outage shows its kiosk out of order and its attendant repairing."""
    scenario = _faulty(load_scenario(WEEKDAY))
    result = _check_levels(scenario, 5)
    f = result.faults
    assert len(f) > 20 and set(f["kind"]) == {"paper_or_cash", "hardware"}
    data = day_data(result, 0)
    out, repairing = KIOSK_STATES.index("out_of_order"), ATTENDANT_STATES.index("repairing")
    down, fixed = seconds(f["down_min"]), seconds(f["repaired_min"])
    arrived = seconds(f["attendant_arrived_min"])
    for k, a, lo, came, hi in zip(f["kiosk"], f["attendant"], down, arrived, fixed, strict=True):
        if hi - lo < 2:
            continue
        assert _states(data["kiosks"], int(k), int(lo + hi) // 2) == out
        if a >= 0 and hi - came >= 2:
            assert _states(data["attendants"], int(a), int(came + hi) // 2) == repairing
    assert data["meta"]["faults"] == ["paper_or_cash", "hardware"]


def test_a_day_not_in_the_run_is_refused() -> None:
    result = simulate(load_scenario(WEEKDAY), 2, 1, workers=1, progress=False)
    with pytest.raises(ValueError, match="day 5 is not in the run: it simulated days 0 to 1"):
        day_data(result, 5)


def test_the_replay_command_replays_the_very_day_run_simulated() -> None:
    scenario = load_scenario(WEEKDAY)
    result = simulate(scenario, 3, 11, workers=1, progress=False)
    assert simulated_day(scenario, 2, 11) == day_data(result, 2)


def test_the_page_is_self_contained_and_data_round_trips() -> None:
    scenario = load_scenario(WEEKDAY)
    day = simulated_day(scenario, 0, 3, label="a </script> plan")
    page = replay_page([day], title="t")
    assert _embedded(page)["days"][0] == day
    # No resource from elsewhere: no links, sources, imports or fetches.
    for needle in ("<link", " src=", "url(", "@import", "fetch(", "XMLHttpRequest", "https:"):
        assert needle not in page
    assert re.findall(r"http://[^\"' ]*", page) == ["http://www.w3.org/2000/svg"]  # a name
    packed = replay_page([day], title="t", compress=True)
    assert 'data-encoding="gzip"' in packed and _embedded(packed)["days"][0] == day
    text, encoding = encode_data([day])
    assert encoding == "json" and "</script" not in text


def test_replay_command_writes_one_listed_file(tmp_path: Path) -> None:
    out = tmp_path / "r"
    result = runner.invoke(
        app, ["replay", str(WEEKDAY), "--day", "1", "--seed", "4", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert list(manifest["files"]) == ["replay.html"]
    assert (manifest["day"], manifest["seed"]) == (1, 4)
    meta = _embedded((out / "replay.html").read_text("utf-8"))["days"][0]["meta"]
    assert (meta["name"], meta["day"], meta["seed"]) == ("weekday", 1, 4)


def test_replay_command_refuses_a_bad_scenario(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nstore: {open: '08:00'}\n")
    result = runner.invoke(app, ["replay", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert not (tmp_path / "o" / "replay.html").exists()


def test_run_writes_a_replay_only_when_asked(tmp_path: Path) -> None:
    plain = runner.invoke(
        app,
        [
            "run",
            str(WEEKDAY),
            "-n",
            "2",
            "--workers",
            "1",
            "--report",
            "--out",
            str(tmp_path / "a"),
        ],
    )
    assert plain.exit_code == 0, plain.output
    assert not (tmp_path / "a" / "replay.html").exists()
    assert "replay.html" not in (tmp_path / "a" / "report.html").read_text("utf-8")
    asked = runner.invoke(
        app,
        [
            "run",
            str(WEEKDAY),
            "-n",
            "2",
            "--workers",
            "1",
            "--replay",
            "--out",
            str(tmp_path / "b"),
        ],
    )
    assert asked.exit_code == 0, asked.output
    assert "replay.html" in json.loads((tmp_path / "b" / "manifest.json").read_text())["files"]


def test_compare_replay_puts_every_plan_side_by_side(tmp_path: Path) -> None:
    out = tmp_path / "c"
    result = runner.invoke(
        app,
        [
            "compare",
            str(WEEKDAY),
            str(LEAN),
            "-n",
            "2",
            "--workers",
            "1",
            "--replay",
            "--report",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    files = json.loads((out / "manifest.json").read_text("utf-8"))["files"]
    assert {"replay.html", "report.html"} <= set(files)
    days = _embedded((out / "replay.html").read_text("utf-8"))["days"]
    assert [d["meta"]["label"] for d in days] == ["weekday", "lean_staffing"]
    # Common random numbers: both plans meet the very same customers on day 0.
    assert days[0]["customers"]["arr"] == days[1]["customers"]["arr"]
    assert 'href="replay.html"' in (out / "report.html").read_text("utf-8")
