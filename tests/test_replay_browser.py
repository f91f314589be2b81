"""The replay plays in a real browser, and what it draws is what the run recorded (issue 17).

``checkoutsim run --replay`` writes ``replay.html`` beside the run's tables. Headless Chromium
loads it with ``#check=MIN,...``: the page seeks to each minute and writes what its SVG shows
(customers queued per lane, kiosk line, kiosk states, attendant states) into
``<pre id="replay-check">``. The test computes the same from the recorded ``customers`` and
``assists`` and ``faults`` tables (times rounded to whole seconds, as the page stores them)
and, at sample times, checks the totals against the recorded time series too. Chromium is
found, and skipped without CI, as in tests/test_report_browser.py.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import matplotlib.image
import numpy as np
import pandas as pd
import pytest
from test_report_browser import FLAGS, _chromium
from typer.testing import CliRunner

from checkoutsim.cli import app
from checkoutsim.experiments.simulate import simulate
from checkoutsim.report.replay import day_data, seconds, simulated_day
from checkoutsim.report.replay_page import replay_page, write_replay
from checkoutsim.scenario.loader import load_scenario
from checkoutsim.scenario.schema import Scenario

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
WEEKDAY = ROOT / "scenarios" / "weekday.yaml"


def _browse(url: str, tmp_path: Path, *args: str) -> str:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [_chromium(), *FLAGS, f"--user-data-dir={profile}", *args, url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _drawn(page: Path, minutes: list[float], tmp_path: Path) -> list[dict[str, Any]]:
    url = f"{page.as_uri()}#check={','.join(f'{m:.6f}' for m in minutes)}"
    dom = _browse(url, tmp_path, "--dump-dom", "--virtual-time-budget=10000")
    found = re.search(r'<pre id="replay-check"[^>]*>(.*?)</pre>', dom, re.S)
    assert found and found.group(1), "the page's script did not run"
    data = json.loads(html.unescape(found.group(1)))
    assert "error" not in data, data.get("error")
    return list(data["checks"])


def expected(
    customers: pd.DataFrame,
    assists: pd.DataFrame,
    faults: pd.DataFrame,
    lanes: int,
    kiosks: int,
    t: int,
) -> dict[str, Any]:
    """What the recorded tables say at second ``t``: the page's rules, from the tables."""
    arr = seconds(customers["arrival_min"])
    start = seconds(customers["service_start_min"])
    dep = seconds(customers["departure_min"])
    channel = customers["channel"].astype(str).to_numpy()
    lane = customers["lane"].to_numpy()
    inside = (arr <= t) & (t < dep)
    queued = inside & ((start < 0) | (t < start))
    lane_queue = [int(np.sum(queued & (channel == "cashier") & (lane == k))) for k in range(lanes)]
    kiosk_queue = int(np.sum(queued & (channel == "kiosk")))
    stuck = seconds(assists["stuck_min"])
    assigned = seconds(assists["assigned_min"])
    came = seconds(assists["attendant_arrived_min"])
    done = seconds(assists["resolved_min"])
    kiosk = assists["kiosk"].to_numpy()
    attendant = assists["attendant"].to_numpy()
    frozen = sorted({int(k) for k in kiosk[(stuck <= t) & (t < came)]})
    helped = sorted({int(k) for k in kiosk[(came <= t) & (t < done)]})
    busy = {int(a) for a in attendant[(assigned <= t) & (t < done)]}
    down, repaired = seconds(faults["down_min"]), seconds(faults["repaired_min"])
    fault_kiosk, repairer = faults["kiosk"].to_numpy(), faults["attendant"].to_numpy()
    out_of_order = sorted({int(k) for k in fault_kiosk[(down <= t) & (t < repaired)]})
    on_fault = (seconds(faults["assigned_min"]) <= t) & (t < repaired) & (repairer >= 0)
    busy |= {int(a) for a in repairer[on_fault]}
    return {
        "lane_queue": lane_queue,
        "kiosk_queue": kiosk_queue,
        "frozen": frozen,
        "helped": helped,
        "out_of_order": out_of_order,
        "busy_attendants": sorted(busy),
    }


def _compare(panel: dict[str, Any], want: dict[str, Any]) -> None:
    assert panel["lane_queue"] == want["lane_queue"]
    assert panel["kiosk_queue"] == want["kiosk_queue"]
    states = panel["kiosk_state"]
    assert [k for k, s in enumerate(states) if s == "frozen"] == want["frozen"]
    assert [k for k, s in enumerate(states) if s == "helped"] == want["helped"]
    assert [k for k, s in enumerate(states) if s == "out_of_order"] == want["out_of_order"]
    people = panel["attendant_state"]
    assert [a for a, s in enumerate(people) if s in BUSY] == want["busy_attendants"]


BUSY = ("walking", "helping", "repairing")


def _near_event(
    customers: pd.DataFrame, assists: pd.DataFrame, faults: pd.DataFrame, minute: float
) -> bool:
    """Whether an event lies within a second of ``minute`` (rounding could then move it)."""
    times = np.concatenate(
        [
            customers[c].to_numpy(dtype=float)
            for c in ("arrival_min", "service_start_min", "departure_min")
        ]
        + [
            assists[c].to_numpy(dtype=float)
            for c in ("stuck_min", "assigned_min", "attendant_arrived_min", "resolved_min")
        ]
        + [
            faults[c].to_numpy(dtype=float)
            for c in ("down_min", "assigned_min", "attendant_arrived_min", "repaired_min")
        ]
    )
    return bool(np.any(np.abs(times - minute) < 1.0 / 60.0))


def _screenshot(page: Path, minute: float, tmp_path: Path) -> np.ndarray:
    shot = tmp_path / f"shot-{minute:g}.png"
    _browse(
        f"{page.as_uri()}#at={minute:g}", tmp_path, f"--screenshot={shot}", "--window-size=1300,900"
    )
    pixels = matplotlib.image.imread(shot)[..., :3]
    ink = np.any(pixels < 0.9, axis=-1)
    assert pixels.shape[:2] == (900, 1300)
    assert pixels.std() > 0.05 and 0.02 < ink.mean() < 0.9, "the screenshot is blank"
    return pixels


def test_run_replay_draws_the_recorded_day(tmp_path: Path) -> None:
    # The command runs in this process: the page and the files are the point, not the process.
    out = tmp_path / "run"
    args = ["run", str(WEEKDAY), "-n", "1", "--workers", "1", "--replay", "--report"]
    done = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert done.exit_code == 0, (done.output, done.exception)
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert "replay.html" in manifest["files"]
    assert 'href="replay.html"' in (out / "report.html").read_text("utf-8")
    customers = pd.read_parquet(out / "customers.parquet")
    assists = pd.read_parquet(out / "assists.parquet")
    faults = pd.read_parquet(out / "faults.parquet")
    ts = pd.read_parquet(out / "timeseries.parquet")
    scenario = load_scenario(WEEKDAY)
    lanes = scenario.cashiers.lanes + (
        scenario.cashiers.express.lanes if scenario.cashiers.express else 0
    )
    kiosks = scenario.kiosks.count

    # Three moments worth looking at: the longest cashier queue and the busiest attendants
    # among the samples, and the middle of the longest wait of a frozen kiosk for help.
    samples = ts[ts["time_min"] < scenario.store.day_length_min]
    samples = samples[[not _near_event(customers, assists, faults, m) for m in samples["time_min"]]]
    rush = float(samples.loc[samples["cashier_queue"].idxmax(), "time_min"])
    help_ = float(samples.loc[samples["attendants_busy"].idxmax(), "time_min"])
    wait = assists["attendant_arrived_min"] - assists["stuck_min"]
    longest = assists.loc[wait.idxmax()]
    frozen = round((longest["stuck_min"] + longest["attendant_arrived_min"]) * 30) / 60
    minutes = [rush, help_, frozen]

    checks = _drawn(out / "replay.html", minutes, tmp_path)
    assert [c["minute"] for c in checks] == pytest.approx(minutes)
    for minute, check in zip(minutes, checks, strict=True):
        (panel,) = check["panels"]
        want = expected(customers, assists, faults, lanes, kiosks, round(minute * 60))
        _compare(panel, want)
        row = ts[ts["time_min"] == minute]
        if not row.empty:  # a sample time: the drawn totals are the recorded levels too
            assert sum(panel["lane_queue"]) == int(row["cashier_queue"].iloc[0])
            assert panel["kiosk_queue"] == int(row["kiosk_queue"].iloc[0])
            busy = sum(s in BUSY for s in panel["attendant_state"])
            assert busy == int(row["attendants_busy"].iloc[0])
            scanning = sum(s in ("scanning", "frozen", "helped") for s in panel["kiosk_state"])
            assert scanning == int(row["kiosks_busy"].iloc[0])
    # Lanes open as the staffing block of the moment says (a closing lane may still serve).
    for minute, check in zip(minutes, checks, strict=True):
        block = [b for b in scenario.staffing if scenario.minutes_after_open(b.start) <= minute][-1]
        regular = scenario.cashiers.lanes
        open_ = [k for k, s in enumerate(check["panels"][0]["lane_state"]) if s == "open"]
        assert open_ == [*range(block.cashiers), *range(regular, regular + block.express_cashiers)]
    # Hovering a customer shows their record.
    hover = checks[0]["hover"]
    assert hover["shown"]
    record = dict(hover["rows"])
    row = customers[customers["customer_id"] == hover["id"]].iloc[0]
    assert record["Customer"].startswith(f"#{hover['id']} ")
    assert record["Basket"] == f"{row['basket_items']} items"
    assert record["Queue wait"] == f"{round(row['queue_wait_min'] * 60) / 60:.1f} min"
    assert record["Satisfaction"] == f"{round(row['satisfaction'] * 100) / 100:.2f} / 5"
    # The moments chosen show something: a queue, a busy attendant, a frozen kiosk.
    assert sum(checks[0]["panels"][0]["lane_queue"]) > 0
    assert any(s != "idle" and s != "off" for s in checks[1]["panels"][0]["attendant_state"])
    assert int(longest["kiosk"]) in [
        k for k, s in enumerate(checks[2]["panels"][0]["kiosk_state"]) if s == "frozen"
    ]

    first = _screenshot(out / "replay.html", rush, tmp_path)
    second = _screenshot(out / "replay.html", 30, tmp_path)
    assert np.mean(np.any(np.abs(first - second) > 0.1, axis=-1)) > 0.001, "same picture"


def test_side_by_side_plays_in_lock_step_and_gzip_data_loads(tmp_path: Path) -> None:
    """Two plans on one clock; the same page with gzipped data draws the same."""
    lean = load_scenario(ROOT / "scenarios" / "lean_staffing.yaml")
    weekday = load_scenario(WEEKDAY)
    seed = weekday.run.seed
    days = [simulated_day(weekday, 1, seed, "weekday"), simulated_day(lean, 1, seed, "lean")]
    plain = write_replay(tmp_path, replay_page(days, title="two plans", compress=False))
    packed_dir = tmp_path / "packed"
    packed_dir.mkdir()
    packed = write_replay(packed_dir, replay_page(days, title="two plans", compress=True))
    assert 'data-encoding="gzip"' in packed.read_text("utf-8")
    minutes = [100.0, 555.5]
    checks = _drawn(plain, minutes, tmp_path)
    assert _drawn(packed, minutes, tmp_path) == checks
    for check in checks:
        a, b = check["panels"]
        assert (a["label"], b["label"]) == ("weekday", "lean")
        assert a["clock"] == b["clock"]
    for k, scenario in enumerate((weekday, lean)):
        result = simulate(scenario, 2, seed, workers=1, progress=False)
        customers = result.customers[result.customers["rep"] == 1]
        assists = result.assists[result.assists["rep"] == 1]
        faults = result.faults[result.faults["rep"] == 1]
        lanes = scenario.cashiers.lanes + (
            scenario.cashiers.express.lanes if scenario.cashiers.express else 0
        )
        for minute, check in zip(minutes, checks, strict=True):
            want = expected(
                customers, assists, faults, lanes, scenario.kiosks.count, round(minute * 60)
            )
            _compare(check["panels"][k], want)


def test_kiosks_out_of_order_and_attendants_repairing_are_drawn(tmp_path: Path) -> None:
    """A day with frequent faults: mid-outage, the page shows what the faults table says."""
    d = load_scenario(WEEKDAY).to_dict()
    d["kiosks"]["faults"] = [
        {
            "name": "paper_or_cash",
            "per_kiosk_hour": 0.3,
            "repair_min": {"kind": "fixed", "value": 4.0},
            "cleared_by": "attendant",
        },
        {
            "name": "hardware",
            "per_kiosk_hour": 0.06,
            "repair_min": {"kind": "fixed", "value": 40.0},
            "cleared_by": "technician",
        },
    ]
    scenario = Scenario.model_validate(d)
    result = simulate(scenario, 1, 2, workers=1, progress=False)
    customers, assists, faults = result.customers, result.assists, result.faults
    page = write_replay(tmp_path, replay_page([day_data(result, 0)], title="faults"))
    lanes = scenario.cashiers.lanes + (
        scenario.cashiers.express.lanes if scenario.cashiers.express else 0
    )
    # The middle of repairs (both kinds, the technician's first), away from any event.
    middles = ((faults["attendant_arrived_min"] + faults["repaired_min"]) / 2).round(3)
    clear = [not _near_event(customers, assists, faults, m) for m in middles]
    fixer = faults["attendant"].to_numpy()
    minutes = sorted(
        middles[clear & (fixer >= 0)].head(4).tolist()
        + middles[clear & (fixer < 0)].head(2).tolist()
    )
    assert len(minutes) >= 5
    checks = _drawn(page, minutes, tmp_path)
    for minute, check in zip(minutes, checks, strict=True):
        (panel,) = check["panels"]
        t = round(minute * 60)
        want = expected(customers, assists, faults, lanes, scenario.kiosks.count, t)
        assert want["out_of_order"]
        _compare(panel, want)
    repairing = [s for c in checks for s in c["panels"][0]["attendant_state"] if s == "repairing"]
    assert repairing
