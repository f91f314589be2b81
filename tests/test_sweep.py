"""Sweeps: grid and point files, validation, Pareto front, resumable loss-free storage."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from checkoutsim import ScenarioError, load_scenario
from checkoutsim.cli import app
from checkoutsim.experiments import sweep as sweep_module
from checkoutsim.experiments.comparison_files import write_sweep
from checkoutsim.experiments.executors import SequentialExecutor, Task
from checkoutsim.experiments.pareto import paired_front
from checkoutsim.experiments.run_store import RunStore
from checkoutsim.experiments.sweep import GridPoints, load_sweep, pareto_front, run_sweep

ROOT = Path(__file__).resolve().parents[1]
WEEKDAY = ROOT / "scenarios" / "weekday.yaml"


def _sweep_file(tmp_path: Path, body: str, name: str = "sweep.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"base: {WEEKDAY}\n{body}")
    return path


def test_shipped_grid_is_three_by_three_by_two() -> None:
    sweep = load_sweep(ROOT / "scenarios" / "sweeps" / "weekday_grid.yaml")
    assert len(sweep.points) == 18 and len({p.key for p in sweep.points}) == 18
    assert sweep.factors == [
        "staffing[start=16:00].cashiers",
        "kiosks.count",
        "staffing[*].attendants",
    ]
    first, last = sweep.points[0], sweep.points[-1]
    assert first.name == "p01" and last.name == "p18"
    assert first.factors == {
        "staffing[start=16:00].cashiers": 4,
        "kiosks.count": 6,
        "staffing[*].attendants": 1,
    }
    s = last.scenario
    assert s.staffing[4].cashiers == 6 and s.kiosks.count == 10
    assert {b.attendants for b in s.staffing} == {2}
    weekday = load_scenario(WEEKDAY)
    assert [b.cashiers for b in s.staffing[:4]] == [b.cashiers for b in weekday.staffing[:4]]


def test_points_file(tmp_path: Path) -> None:
    path = _sweep_file(
        tmp_path,
        """replications: 2
points:
  - kiosks.count: 6
  - kiosks: {count: 10}
    staffing[*].attendants: 2
""",
    )
    sweep = load_sweep(path)
    assert sweep.factors == ["kiosks.count", "staffing[*].attendants"]
    assert [p.scenario.kiosks.count for p in sweep.points] == [6, 10]
    assert sweep.points[0].factors == {"kiosks.count": 6}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("grid:\n  kiosks.count: [6, -1]\n", ":3: grid.kiosks.count[1]: input should be"),
        ("grid:\n  kiosks.count: [6, 6]\n", ":3: grid.kiosks.count[1]: value 6 is listed twice"),
        ("grid:\n  kiosk.count: [6]\n", ":3: grid.kiosk.count[0]: no key 'kiosk'"),
        (
            "grid:\n  cashiers.lanes: [3, 10]\n",
            ":3: grid: point p01 (cashiers.lanes=3): in the resolved scenario, staffing[2]",
        ),
        ("grid:\n  kiosks.count: []\n", ":3: grid.kiosks.count:"),
        ("points: [{kiosks.count: 3}]\ngrid: {kiosks.count: [3]}\n", ":1: give either grid"),
        ("replications: 3\n", ":1: give either grid"),
        ("points:\n  - kiosks.cont: 3\n", ":3: points[0].kiosks.cont: no key 'cont'"),
        ("grid: {kiosks.count: [3]}\npareto: {minimize: [x]}\n", ":3: pareto.minimize: unknown"),
    ],
)
def test_sweep_file_problems(tmp_path: Path, body: str, expected: str) -> None:
    path = _sweep_file(tmp_path, body)
    with pytest.raises(ScenarioError) as info:
        load_sweep(path)
    problems = [str(p) for p in info.value.problems]
    assert any(p.startswith(str(path) + expected) for p in problems), problems


def test_unknown_pareto_metric_stops_before_the_rest_runs(tmp_path: Path) -> None:
    path = _sweep_file(
        tmp_path,
        "replications: 2\ngrid: {kiosks.count: [6, 8]}\npareto: {minimise: [wait_p99_min]}\n",
    )
    store = RunStore(tmp_path / "out" / "runs")
    with pytest.raises(ScenarioError, match=r"pareto: unknown metric.*wait_p99_min"):
        run_sweep(load_sweep(path), store)
    assert len(list(store.root.rglob("*.npz"))) == 1  # one day ran, and it was kept


def test_pareto_front() -> None:
    table = pd.DataFrame(
        {
            "cost": [1.0, 2.0, 2.0, 3.0, 1.0, np.nan],
            "wait": [5.0, 3.0, 4.0, 1.0, 5.0, 0.0],
            "csat": [4.0, 4.0, 4.0, 4.0, 4.5, 5.0],
        }
    )
    # Row 2 is dominated by row 1; row 0 by row 4 (same cost and wait, better CSAT).
    front = pareto_front(table, ["cost", "wait"], ["csat"])
    assert front.tolist() == [False, True, False, True, True, False]
    assert pareto_front(table, ["cost", "wait"]).tolist() == [True, True, False, True, True, False]


_WOBBLE = np.array([1.0, -1.0] * 5)
"""Day-to-day noise of a difference with mean 0 (the sign of a mean is then set exactly)."""


def test_plans_that_differ_only_by_noise_are_not_both_on_the_front() -> None:
    rng = np.random.default_rng(11)
    common = rng.normal(0.0, 1.0, 10)  # the day's customers, shared by both plans (CRN)
    wait = np.vstack([3.0 + common, 3.0 + common])
    wait[1] += 0.005 + 0.02 * _WOBBLE  # plan 1 differs from plan 0 by noise only
    csat = np.vstack([4.0 - 0.1 * common, 4.0 - 0.1 * common])
    csat[1] += 0.001 + 0.005 * _WOBBLE
    cost = np.full((2, 10), 1000.0)
    values = {"cost": cost, "wait": wait, "csat": csat}
    means = pd.DataFrame({k: v.mean(axis=1) for k, v in values.items()})
    # On the means each plan wins somewhere, so both were "on the front"...
    assert (means["wait"][0] < means["wait"][1]) != (means["csat"][0] > means["csat"][1])
    assert pareto_front(means, ["cost", "wait"], ["csat"]).tolist() == [True, True]
    # ...but no paired interval excludes 0: one represents both on the front.
    marks = paired_front(values, ["cost", "wait"], ["csat"])
    assert sorted(marks.status) == ["front", "not distinguishable"]
    other = marks.status.index("not distinguishable")
    assert marks.reference[other] == 1 - other
    assert marks.front.sum() == 1


def test_significantly_worse_on_one_and_equal_elsewhere_is_dominated() -> None:
    rng = np.random.default_rng(12)
    common = rng.normal(0.0, 1.0, 10)
    wait = np.vstack([3.0 + common, 3.5 + common + rng.normal(0.0, 0.05, 10)])
    csat = np.vstack([4.0 - 0.1 * common, 4.001 - 0.1 * common + 0.01 * _WOBBLE])
    values = {"cost": np.full((2, 10), 1000.0), "wait": wait, "csat": csat}
    means = pd.DataFrame({k: v.mean(axis=1) for k, v in values.items()})
    assert means["csat"][1] > means["csat"][0]  # plan 1 "wins" CSAT by noise
    assert pareto_front(means, ["cost", "wait"], ["csat"]).tolist() == [True, True]
    marks = paired_front(values, ["cost", "wait"], ["csat"])
    assert marks.status == ["front", "dominated"] and marks.reference == [None, 0]


def test_a_significant_gain_keeps_a_dearer_plan_on_the_front() -> None:
    rng = np.random.default_rng(13)
    common = rng.normal(0.0, 1.0, 10)
    wait = np.vstack([3.0 + common, 2.0 + common + rng.normal(0.0, 0.05, 10)])
    cost = np.array([[1000.0] * 10, [1100.0] * 10])  # fixed by the staffing: exact
    marks = paired_front({"cost": cost, "wait": wait}, ["cost", "wait"])
    assert marks.status == ["front", "front"]
    # the same gain hidden in noise: the cheaper plan dominates (no worse, cheaper for sure)
    noisy = np.vstack([3.0 + common, 2.9 + common + rng.normal(0.0, 1.0, 10)])
    assert paired_front({"cost": cost, "wait": noisy}, ["cost", "wait"]).status == [
        "front",
        "dominated",
    ]


def test_front_intervals_are_bonferroni_adjusted_over_every_pair_and_noisy_objective() -> None:
    rng = np.random.default_rng(14)
    n, reps = 6, 10
    common = rng.normal(0.0, 1.0, reps)
    cost = np.repeat(np.full(n, 1000.0)[:, None], reps, axis=1)  # exact: not counted
    wait = 3.0 + common + rng.normal(0.0, 0.1, (n, reps))
    marks = paired_front({"cost": cost, "wait": wait}, ["cost", "wait"], level=0.95)
    assert marks.comparisons == n * (n - 1) // 2  # 15 pairs x 1 noisy objective
    assert marks.level_adjusted == pytest.approx(1 - 0.05 / 15)
    # A difference with t = 3.5 over 10 days: significant alone (t crit 2.26), not among
    # 15 comparisons (t crit 3.9): the plans cannot be told apart.
    d = _WOBBLE / _WOBBLE.std(ddof=1) * 0.1
    two = np.vstack([3.0 + common, 3.0 + common + 3.5 * 0.1 / np.sqrt(reps) + d])
    alone = paired_front({"wait": two}, ["wait"])
    assert alone.status == ["front", "dominated"]
    family = np.vstack([two, 3.0 + common + rng.normal(5.0, 0.1, (4, reps))])
    marks = paired_front({"wait": family}, ["wait"])
    assert marks.status[:2] == ["front", "not distinguishable"]


def test_identical_plans_of_a_sweep_share_one_place_on_the_front(tmp_path: Path) -> None:
    path = _sweep_file(
        tmp_path,
        """replications: 3
points:
  - kiosks.count: 6
  - {kiosks.count: 6, description: the same plan under another name}
  - kiosks.count: 10
""",
    )
    result = run_sweep(load_sweep(path), RunStore(tmp_path / "runs"))
    r = result.results.set_index("point")
    # Same scenario, same days: equal on every objective. On means both were efficient.
    assert pareto_front(result.results, ["operating_cost_mean"], []).tolist()[:2] == [True, True]
    assert r.loc["p01", "pareto_status"] == "front"
    assert r.loc["p02", "pareto_status"] == "not distinguishable"
    assert r.loc["p02", "pareto_reference"] == "p01"
    # (p03 may join them: 3 days cannot tell 10 kiosks from 6 on the noisy total cost)
    assert result.indistinguishable_points["p02"] == "p01"
    assert "p02" not in result.pareto_points
    assert result.marks.level == 0.95


def test_rerun_reuses_every_stored_day_and_refills_a_missing_one(tmp_path: Path) -> None:
    path = _sweep_file(tmp_path, "replications: 3\ngrid: {kiosks.count: [6, 10]}\n")
    sweep = load_sweep(path)
    store = RunStore(tmp_path / "out" / "runs")
    first = run_sweep(sweep, store)
    assert (first.ran, first.reused) == (6, 0)
    # A leftover of an interrupted write is cleaned up, never mistaken for a result.
    key = sweep.points[0].key
    (store.root / key / ".seed1_rep0.npz.abc.tmp").write_bytes(b"partial")
    second = run_sweep(sweep, store)
    assert (second.ran, second.reused) == (0, 6)
    assert not list(store.root.rglob("*.tmp"))
    pd.testing.assert_frame_equal(first.results, second.results)
    store.path(key, sweep.seed, 1).unlink()
    third = run_sweep(sweep, store)
    assert (third.ran, third.reused) == (1, 5)
    pd.testing.assert_frame_equal(first.metrics, third.metrics)
    assert third.results["pareto"].dtype == bool


def test_stored_day_reads_back_exactly(tmp_path: Path) -> None:
    from checkoutsim import run_replication

    scenario = load_scenario(WEEKDAY)
    columns = run_replication(scenario, 2, 9)
    store = RunStore(tmp_path)
    store.save("k", 9, 2, columns)
    back = store.load("k", 9, 2)
    for part in ("customers", "assists", "timeseries"):
        a, b = getattr(columns, part), getattr(back, part)
        assert a.keys() == b.keys()
        for name in a:
            assert a[name].dtype == b[name].dtype
            np.testing.assert_array_equal(a[name], b[name])
    assert back.end_min == columns.end_min
    # A file is only ever read as the day it says it holds.
    os.replace(store.path("k", 9, 2), store.path("k", 9, 3))
    with pytest.raises(ValueError, match="holds"):
        store.load("k", 9, 3)


def _default_signals() -> None:
    # A child inherits ignored signals, and Python then never installs its Ctrl-C handler: a
    # test that ran a pool worker's initialiser in this process (it ignores SIGINT) must not
    # make the sweep deaf to the signal this test sends.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _start_sweep(path: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "checkoutsim", "sweep", str(path), "--out", str(out), "-w", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_default_signals,
    )


def _wait_for_files(out: Path, n: int, proc: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = len(list((out / "runs").rglob("*.npz"))) if (out / "runs").exists() else 0
        if found >= n or proc.poll() is not None:
            return found
        time.sleep(0.02)
    raise AssertionError("the sweep stored nothing in time")


def _check_store_is_clean(out: Path) -> int:
    """Every file under a real name is complete; return how many days are stored."""
    store = RunStore(out / "runs")
    days = 0
    for path in (out / "runs").rglob("*"):
        if path.is_dir() or path.name == ".checkoutsim.lock" or path.name.endswith(".tmp"):
            continue
        if path.name == "scenario.json":
            continue
        assert path.suffix == ".npz", path
        key = path.parent.name
        seed, rep = (int(x) for x in path.stem.replace("seed", "").split("_rep"))
        store.load(key, seed, rep)  # complete and readable
        days += 1
    return days


@pytest.mark.slow
def test_killed_sweep_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    path = _sweep_file(
        tmp_path,
        "replications: 5\ngrid:\n  kiosks.count: [6, 8]\n  staffing[*].attendants: [1, 2]\n",
    )
    # Enough days that the kill lands mid-sweep on an idle machine too: SIGKILL needs no
    # handler, so it lands within a poll (20 ms) of the fourth file, a day or two later at most.
    total = 4 * 5
    out = tmp_path / "killed"
    proc = _start_sweep(path, out)
    try:
        _wait_for_files(out, 4, proc)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # pool workers of the killed sweep
    assert proc.returncode == -signal.SIGKILL
    stored = _check_store_is_clean(out)
    assert 4 <= stored < total, "the kill came too late to test anything"
    assert not (out / "manifest.json").exists()

    # The same command resumes: in this process (the kill above is the real process's; how
    # the next command reads the store does not depend on its being a process of its own).
    resumed = CliRunner().invoke(app, ["sweep", str(path), "--out", str(out), "-w", "2"])
    assert resumed.exit_code == 0, (resumed.output, resumed.exception)
    text = " ".join(resumed.stdout.split())
    assert f"Simulated {total - stored} day(s), reused {stored} stored" in text

    reference = tmp_path / "reference"
    result = run_sweep(load_sweep(path), RunStore(reference / "runs"))
    assert result.ran == total
    write_sweep(result, reference)
    for name in ("results.csv", "summary.csv", "metrics_by_rep.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(out / name), pd.read_csv(reference / name))


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_keeps_every_finished_day(tmp_path: Path, sig: signal.Signals) -> None:
    # Far more days than can finish between the third stored day and the signal (40 days did,
    # once, on an idle machine, and the sweep then ended normally before it was interrupted).
    path = _sweep_file(
        tmp_path, "replications: 200\ngrid:\n  kiosks.count: [6, 7, 8, 9, 10, 11, 12]\n"
    )
    out = tmp_path / "out"
    proc = _start_sweep(path, out)
    try:
        _wait_for_files(out, 3, proc)
        os.kill(proc.pid, sig)
        _, stderr = proc.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 128 + sig, stderr.decode()  # 130 for Ctrl-C, 143 for SIGTERM
    message = " ".join(stderr.decode().split())
    assert "interrupted:" in message and "run the same command again" in message
    assert "Traceback" not in message
    assert _check_store_is_clean(out) >= 3


def test_sweep_seed_and_replications_have_the_scenario_ranges(tmp_path: Path) -> None:
    for body, key in (
        ("seed: 9223372036854775808\n", "seed"),
        ("replications: 10001\n", "replications"),
    ):
        path = _sweep_file(tmp_path, body + "grid: {kiosks.count: [6, 10]}\n")
        with pytest.raises(ScenarioError, match=key):
            load_sweep(path)


_BIG_GRID = """replications: 2
grid:
  staffing[start=16:00].cashiers: [3, 4, 5, 6, 7, 8, 9, 10]
  kiosks.count: [{}]
  staffing[*].attendants: [1, 2, 3, 4, 5]
  staffing[start=11:00].cashiers: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
  customers.kiosk_item_limit: [{}]
""".format(", ".join(str(k) for k in range(1, 26)), ", ".join(str(k) for k in range(6, 26)))


class _StopError(Exception):
    pass


class _FirstTaskOnly(SequentialExecutor):
    """Takes the first task it is given, notes what had been resolved by then, and stops."""

    def __init__(self, calls: list[int]):
        self.calls = calls
        self.resolved_at_first_task: int | None = None

    def map(self, tasks):  # type: ignore[no-untyped-def]
        for task in tasks:
            assert isinstance(task, Task)
            self.resolved_at_first_task = len(self.calls)
            raise _StopError
        yield from ()


def test_a_200000_point_grid_is_resolved_lazily_and_streamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    resolve = sweep_module.resolve_overrides

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return resolve(*args, **kwargs)

    monkeypatch.setattr(sweep_module, "resolve_overrides", counting)
    sweep = load_sweep(_sweep_file(tmp_path, _BIG_GRID))
    assert isinstance(sweep.points, GridPoints) and len(sweep.points) == 200_000
    # At load: the first point and every other value of each factor alone, not the grid.
    assert len(calls) == 1 + 7 + 24 + 4 + 9 + 19
    loaded = len(calls)
    last = sweep.points[199_999]  # any point on its own, without its predecessors
    assert last.name == "p200000" and len(calls) == loaded + 1
    assert last.factors == {
        "staffing[start=16:00].cashiers": 10,
        "kiosks.count": 25,
        "staffing[*].attendants": 5,
        "staffing[start=11:00].cashiers": 10,
        "customers.kiosk_item_limit": 25,
    }
    assert last.scenario.kiosks.count == 25 and last.scenario.customers.kiosk_item_limit == 25
    assert sweep.points[1].factors["customers.kiosk_item_limit"] == 7  # the last varies fastest
    # Running: the first day is handed to the executor once its point is resolved.
    before = len(calls)
    seen: list[tuple[int, int]] = []
    executor = _FirstTaskOnly(calls)
    with pytest.raises(_StopError):
        run_sweep(
            sweep,
            RunStore(tmp_path / "runs"),
            executor=executor,
            resolving=lambda done, total: seen.append((done, total)),
        )
    assert executor.resolved_at_first_task == before + 1
    assert seen == [(1, 200_000)]


def test_a_bad_combination_of_a_lazy_grid_is_reported_after_the_good_ones_ran(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sweep_module, "EAGER_POINTS", 2)
    # 4 lanes suit 2 cashiers, and 5 cashiers suit 10 lanes, but 5 cashiers on 4 lanes do not
    path = _sweep_file(
        tmp_path,
        "replications: 2\ngrid:\n  cashiers.lanes: [10, 4]\n  staffing[*].cashiers: [2, 5]\n",
    )
    sweep = load_sweep(path)
    assert isinstance(sweep.points, GridPoints)
    store = RunStore(tmp_path / "runs")
    with pytest.raises(ScenarioError) as info:
        run_sweep(sweep, store)
    problems = [str(p) for p in info.value.problems]
    assert any("point p04 (cashiers.lanes=4, staffing[*].cashiers=5)" in p for p in problems)
    assert len(list(store.root.rglob("*.npz"))) == 3 * 2  # every valid point's days are kept


def test_a_sweep_whose_tables_would_not_fit_in_memory_is_refused_after_one_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sweep_module, "MEMORY_SHARE", 1e-9)  # as if memory were all but gone
    path = _sweep_file(tmp_path, "replications: 3\ngrid: {kiosks.count: [6, 8]}\n")
    store = RunStore(tmp_path / "runs")
    with pytest.raises(ScenarioError, match=r"2 plans x 3 days x \d+ metrics need about"):
        run_sweep(load_sweep(path), store)
    assert len(list(store.root.rglob("*.npz"))) == 1  # refused after its first day


def test_default_front_is_on_total_cost_and_labour_keeps_the_operating_cost(
    tmp_path: Path,
) -> None:
    # Issue 14: the sweep's cost axis is the total cost per day, as optimize's objective.
    path = _sweep_file(tmp_path, "replications: 3\ngrid: {kiosks.count: [6, 10]}\n")
    store = RunStore(tmp_path / "runs")
    total = run_sweep(load_sweep(path), store)
    assert total.minimise == ["total_cost", "wait_p90_min"]
    # Lost margin and shrink move with the day's customers: the total cost is noisy and is
    # counted in the Bonferroni family; one pair x 3 noisy objectives.
    assert total.marks.noisy == ("total_cost", "wait_p90_min", "csat_mean")
    assert total.marks.comparisons == 3
    labour = run_sweep(dataclasses.replace(load_sweep(path), objective="labour"), store)
    assert (labour.ran, labour.reused) == (0, 6)  # same days: only the axis differs
    assert labour.minimise == ["operating_cost", "wait_p90_min"]
    assert "operating_cost" not in labour.marks.noisy  # fixed by the staffing and kiosks
    assert labour.marks.comparisons == 2
    with pytest.raises(ValueError, match="objective must be one of total, labour"):
        dataclasses.replace(load_sweep(path), objective="revenue")


def test_total_cost_decides_the_front_where_operating_cost_cannot() -> None:
    # Plan b is cheaper to run (operating cost) but loses margin every day: on the total
    # cost it is significantly worse, on the operating cost significantly better.
    rng = np.random.default_rng(3)
    reps = 10
    common = rng.normal(0.0, 1.0, reps)
    wait = np.vstack([3.0 + common, 3.0 + common])  # the same on the experience axis
    operating = np.array([[1200.0] * reps, [1100.0] * reps])
    lost_margin = np.vstack([50.0 + 5 * common, 250.0 + 5 * common + rng.normal(0, 2, reps)])
    total = operating + lost_margin
    by_total = paired_front({"total_cost": total, "wait": wait}, ["total_cost", "wait"])
    by_labour = paired_front(
        {"operating_cost": operating, "wait": wait}, ["operating_cost", "wait"]
    )
    assert by_total.status == ["front", "dominated"] and by_total.noisy == ("total_cost", "wait")
    assert by_labour.status == ["dominated", "front"] and by_labour.noisy == ("wait",)
