"""Results folders cannot be mixed, escaped or corrupted (issue 19, items 1, 2, 5 and 6).

Every command that writes results checks its folder before simulating, holds the folder's lock
for its whole life, and writes a manifest (last) that lists exactly the files beside it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from checkoutsim.cli import app
from checkoutsim.experiments.run_store import CorruptDayError, RunStore, StoredDayWarning
from checkoutsim.experiments.sweep import load_sweep, run_sweep
from checkoutsim.model.store import run_replication
from checkoutsim.results.folder import (
    LOCK,
    MANIFEST,
    FolderLockedError,
    ResultsFolderError,
    open_results_folder,
)
from checkoutsim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
MMC = ROOT / "scenarios" / "validation" / "mmc.yaml"
runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, " ".join(res.output.split())


def _listed_equals_present(out: Path) -> None:
    """The manifest lists exactly the (visible) files in the folder, with their sizes."""
    manifest = json.loads((out / MANIFEST).read_text())
    present = {
        p.relative_to(out).as_posix(): p.stat().st_size
        for p in out.rglob("*")
        if p.is_file()
        and p.name != MANIFEST
        and not p.name.startswith(".")
        and "runs" not in p.relative_to(out).parts
    }
    assert manifest["files"] == present


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test if the command starts simulating."""

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulated before the output folder was checked")

    # The commands import these when they run (the CLI starts without them), so they are
    # replaced in the modules that define them.
    import checkoutsim.experiments.executors
    import checkoutsim.experiments.simulate  # noqa: F401

    for module, name in (
        ("checkoutsim.experiments.simulate", "simulate"),
        ("checkoutsim.experiments.executors", "make_executor"),
    ):
        monkeypatch.setattr(sys.modules[module], name, forbidden)
    yield


# -- item 1: one writer per folder; the manifest describes exactly the files beside it ---------


def test_a_second_command_on_a_locked_folder_stops_before_simulating(
    tmp_path: Path, no_simulation: None
) -> None:
    out = tmp_path / "o"
    with open_results_folder(out):  # another command holds the folder
        for args in (
            ["run", str(MMC), "-n", "2", "-o", str(out)],
            ["compare", str(MMC), str(MMC), "-n", "2", "-o", str(out)],
            ["optimize", str(MMC), "-t", "wait_p90_min<=4", "-o", str(out)],
        ):
            code, text = _run(*args)
            assert code == 2, text
            assert f"another checkoutsim command is writing to {out}" in text
            assert "Traceback" not in text


def test_the_lock_is_held_until_the_manifest_is_written(tmp_path: Path) -> None:
    out = tmp_path / "o"
    with open_results_folder(out) as folder:
        with pytest.raises(FolderLockedError), open_results_folder(out):
            pass
        folder.write_text("a.csv", "x\n")
        folder.finish("test")
    with open_results_folder(out):  # released with the command
        pass


def test_a_later_run_leaves_nothing_stale_beside_its_manifest(tmp_path: Path) -> None:
    out = tmp_path / "o"
    code, text = _run("run", str(MMC), "-n", "2", "-w", "1", "--report", "-o", str(out))
    assert code == 0, text
    assert (out / "report.html").exists()
    code, text = _run("run", str(MMC), "-n", "3", "--seed", "5", "-w", "1", "-o", str(out))
    assert code == 0, text
    assert not (out / "report.html").exists()  # the first run's report is not this run's
    _listed_equals_present(out)
    manifest = json.loads((out / MANIFEST).read_text())
    customers = pd.read_parquet(out / "customers.parquet")
    assert manifest["seed"] == 5 and manifest["replications"] == 3
    assert set(customers["seed"]) == {5} and customers["rep"].nunique() == 3


def test_a_sweep_locks_its_whole_folder_and_drops_an_earlier_report(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"base: {MMC}\nreplications: 2\ngrid: {{cashiers.lanes: [4, 5]}}\n")
    out = tmp_path / "sw"
    code, text = _run("sweep", str(sweep), "-w", "1", "--report", "-o", str(out))
    assert code == 0, text
    with open_results_folder(out):
        code, text = _run("sweep", str(sweep), "-w", "1", "-o", str(out))
        assert code == 2 and "another checkoutsim command is writing" in text
    code, text = _run("sweep", str(sweep), "-w", "1", "-o", str(out))
    assert code == 0, text
    assert not (out / "report.html").exists()
    _listed_equals_present(out)


# -- item 2: names never lead outside the results folder; user files are never overwritten ----


def test_a_scenario_named_dot_dot_writes_nothing_outside_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = MMC.read_text()
    mine = "# my own scenario, with comments\n" + text.replace("name: mmc", 'name: ".."', 1)
    assert 'name: ".."' in mine
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenario.yaml").write_text(mine)
    (tmp_path / "summary.csv").write_text("my,own\n1,2\n")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    code, out = _run("run", "scenario.yaml", "-n", "2", "-w", "1")
    assert code == 2, out
    assert "Traceback" not in out
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


def test_default_folders_stay_under_results() -> None:
    from checkoutsim.cli import UserError, _default_folder

    assert _default_folder("weekday") == Path("results") / "weekday"
    assert _default_folder("sweeps", "grid") == Path("results") / "sweeps" / "grid"
    for bad in ("..", ".", "", "a/b", "../x", "a\\b"):
        with pytest.raises(UserError, match="cannot be a folder under results/"):
            _default_folder(bad)


def test_a_folder_of_the_users_own_files_is_refused_untouched(
    tmp_path: Path, no_simulation: None
) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "summary.csv").write_text("precious\n")
    (out / "notes.txt").write_text("precious\n")
    code, text = _run("run", str(MMC), "-n", "2", "-o", str(out))
    assert code == 2, text
    assert "already holds files that checkoutsim did not write (notes.txt, summary.csv)" in text
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "summary.csv"]
    assert (out / "summary.csv").read_text() == "precious\n"


def test_a_file_name_cannot_leave_the_folder(tmp_path: Path) -> None:
    with open_results_folder(tmp_path / "o") as folder:
        for name in ("../x.csv", "/etc/x", "a/../../x", ""):
            with pytest.raises(ResultsFolderError):
                folder.write_text(name, "x")
        (tmp_path / "elsewhere").mkdir()
        (tmp_path / "o" / "link").symlink_to(tmp_path / "elsewhere")
        with pytest.raises(ResultsFolderError, match="outside"):
            folder.write_text("link/x.csv", "x")
    assert not list((tmp_path / "elsewhere").iterdir())


# -- item 5: --out problems before simulating; leftovers cleaned; a failed report keeps the rest


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "optimize"])
def test_an_unusable_out_is_refused_before_simulating(
    tmp_path: Path, command: str, no_simulation: None
) -> None:
    out = tmp_path / "a_file"
    out.write_text("not a folder")
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"base: {MMC}\nreplications: 2\ngrid: {{cashiers.lanes: [4, 5]}}\n")
    args = {
        "run": ["run", str(MMC)],
        "compare": ["compare", str(MMC), str(MMC)],
        "sweep": ["sweep", str(sweep)],
        "optimize": ["optimize", str(MMC), "-t", "wait_p90_min<=4"],
    }[command]
    code, text = _run(*args, "-o", str(out))
    assert code == 2, text
    assert f"{out} is a file, not a folder" in text and "Traceback" not in text


def test_a_full_disk_is_found_before_simulating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_simulation: None
) -> None:
    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("checkoutsim.results.folder.os.fsync", full)
    code, text = _run("run", str(MMC), "-n", "2", "-o", str(tmp_path / "o"))
    assert code == 2, text
    assert "cannot write into the results folder" in text and "No space left" in text
    assert not [p for p in (tmp_path / "o").iterdir() if p.name.endswith(".tmp")]


def test_leftover_temporary_files_are_removed_on_start(tmp_path: Path) -> None:
    out = tmp_path / "o"
    code, text = _run("run", str(MMC), "-n", "2", "-w", "1", "-o", str(out))
    assert code == 0, text
    leftover = out / ".customers.parquet.k3j2.tmp"  # a run killed while writing
    leftover.write_bytes(b"\0" * 1000)
    code, text = _run("run", str(MMC), "-n", "2", "-w", "1", "-o", str(out))
    assert code == 0, text
    assert not leftover.exists()


def test_a_failed_report_keeps_the_manifest_of_complete_results(tmp_path: Path) -> None:
    out = tmp_path / "o"
    code, text = _run("run", str(MMC), "-n", "2", "-w", "1", "-o", str(out))
    assert code == 0, text
    (out / "report.html").mkdir()  # the report cannot replace a folder: its write fails
    code, text = _run("run", str(MMC), "-n", "2", "-w", "1", "--report", "-o", str(out))
    assert code == 2, text
    assert "cannot write the report" in text and "the other results are complete" in text
    assert "Traceback" not in text
    manifest = json.loads((out / MANIFEST).read_text())
    assert "report.html" not in manifest["files"]
    assert set(manifest["files"]) >= {"customers.parquet", "summary.csv", "scenario.yaml"}


def test_a_report_that_crashes_still_leaves_a_complete_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("a bug in the report")

    monkeypatch.setattr("checkoutsim.report.html.run_report", broken)
    out = tmp_path / "o"
    res = runner.invoke(app, ["run", str(MMC), "-n", "2", "-w", "1", "--report", "-o", str(out)])
    assert isinstance(res.exception, RuntimeError)
    _listed_equals_present(out)


# -- item 6: a corrupted stored day is set aside and simulated again ---------------------------


def _store_one(tmp_path: Path) -> tuple[RunStore, str]:
    scenario = load_scenario(MMC)
    store = RunStore(tmp_path / "runs")
    store.save("k", 1, 0, run_replication(scenario, 0, 1))
    return store, "k"


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),  # truncated
        lambda p: p.write_bytes(b""),  # empty
        lambda p: p.write_bytes(b"not a zip at all"),
    ],
    ids=["truncated", "empty", "garbage"],
)
def test_an_unreadable_day_is_named_and_set_aside(tmp_path: Path, damage: object) -> None:
    store, key = _store_one(tmp_path)
    path = store.path(key, 1, 0)
    damage(path)  # type: ignore[operator]
    with pytest.raises(CorruptDayError, match=str(path.name)):
        store.load(key, 1, 0)
    with pytest.warns(StoredDayWarning, match="simulated again"):
        assert store.load_or_set_aside(key, 1, 0) is None
    assert not path.exists() and path.with_name(path.name + ".corrupt").exists()
    assert not store.has(key, 1, 0)


def test_a_sweep_resumes_over_corrupted_days_to_the_same_result(tmp_path: Path) -> None:
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(f"base: {MMC}\nreplications: 3\ngrid: {{cashiers.lanes: [4, 5]}}\n")
    out = tmp_path / "sw"
    code, text = _run("sweep", str(sweep_file), "-w", "1", "-o", str(out))
    assert code == 0, text
    first = pd.read_csv(out / "results.csv")
    days = sorted((out / "runs").rglob("*.npz"))
    days[0].write_bytes(days[0].read_bytes()[:100])
    days[1].write_bytes(b"")
    code, text = _run("sweep", str(sweep_file), "-w", "1", "-o", str(out))
    assert code == 0, text
    assert text.count("warning:") == 2 and days[0].name in text and days[1].name in text
    assert "Simulated 2 day(s), reused 4 stored" in text
    pd.testing.assert_frame_equal(pd.read_csv(out / "results.csv"), first)


def test_the_library_sweep_also_refills_a_corrupted_day(tmp_path: Path) -> None:
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(f"base: {MMC}\nreplications: 2\ngrid: {{cashiers.lanes: [4, 5]}}\n")
    sweep = load_sweep(sweep_file)
    store = RunStore(tmp_path / "runs")
    first = run_sweep(sweep, store)
    day = sorted(store.root.rglob("*.npz"))[-1]
    day.write_bytes(b"")
    with pytest.warns(StoredDayWarning):
        again = run_sweep(sweep, store)
    assert (again.ran, again.reused) == (1, 3)
    pd.testing.assert_frame_equal(again.metrics, first.metrics)
    columns = np.load(day, allow_pickle=False)  # rewritten whole
    assert "meta" in columns.files


def test_the_lock_file_marks_an_interrupted_folder_as_ours(tmp_path: Path) -> None:
    out = tmp_path / "o"
    with open_results_folder(out) as folder:
        folder.write_text("customers.parquet", "partial")  # interrupted before the manifest
    assert (out / LOCK).exists() and not (out / MANIFEST).exists()
    with open_results_folder(out) as folder:  # not refused as somebody else's folder
        assert folder.path == out
    assert os.listdir(out)  # nothing was deleted by opening it


def _holds_flock(pid: int, path: Path) -> bool:
    """Whether process ``pid`` holds an ``flock`` on ``path`` (Linux: ``/proc/locks``)."""
    try:
        inode = os.stat(path).st_ino
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return False
    for line in lines:
        f = line.split()
        if len(f) > 5 and f[1] == "FLOCK" and f[4] == str(pid) and f[5].endswith(f":{inode}"):
            return True
    return False


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks")
def test_two_real_runs_into_one_folder_never_mix(tmp_path: Path) -> None:
    """The issue's reproduction: a long run, then a short one into the same --out.

    The long run is stopped (SIGSTOP) while it holds the folder's lock and resumed once the
    short one has ended: the short one always meets a held lock, however loaded the machine,
    without the long one having to simulate for longer than the short one takes to start.
    """
    import signal
    import subprocess
    import time

    out = tmp_path / "o"
    weekday = ROOT / "scenarios" / "weekday.yaml"

    def start(*args: str) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "checkoutsim", "run", *args, "-w", "1", "-o", str(out)]
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    long = start(str(weekday), "-n", "4", "--seed", "1", "--json")
    try:
        deadline = time.monotonic() + 60
        while not _holds_flock(long.pid, out / LOCK) and long.poll() is None:
            assert time.monotonic() < deadline, "the long run never took the folder's lock"
            time.sleep(0.001)
        long.send_signal(signal.SIGSTOP)
        short = start(str(MMC), "-n", "2", "--seed", "2", "--json")
        _, short_err = short.communicate(timeout=300)
    finally:
        long.send_signal(signal.SIGCONT)
    _, long_err = long.communicate(timeout=300)
    codes = {"long": long.returncode, "short": short.returncode}
    assert sorted(codes.values()) == [0, 2], (codes, long_err, short_err)
    refused = short_err if short.returncode == 2 else long_err
    assert "another checkoutsim command is writing to" in " ".join(refused.split())
    # Whatever won, the folder is one run's: the manifest and every table agree.
    manifest = json.loads((out / MANIFEST).read_text())
    customers = pd.read_parquet(out / "customers.parquet")
    assert set(customers["seed"]) == {manifest["seed"]}
    assert customers["rep"].nunique() == manifest["replications"]
    assert set(customers["scenario"]) == {manifest["scenario"]}
    _listed_equals_present(out)


def test_a_generic_runs_lock_does_not_make_a_folder_ours(
    tmp_path: Path, no_simulation: None
) -> None:
    # Review of issue 19: another tool's runs/.lock made a folder of the user's files "ours".
    out = tmp_path / "proj"
    (out / "runs").mkdir(parents=True)
    (out / "runs" / ".lock").touch()
    (out / "scenario.yaml").write_text("# mine\n")
    code, text = _run("run", str(MMC), "-n", "1", "-o", str(out))
    assert code == 2 and "already holds files that checkoutsim did not write" in text
    assert (out / "scenario.yaml").read_text() == "# mine\n"


def test_files_of_an_interrupted_command_are_cleaned_by_the_next(tmp_path: Path) -> None:
    # A compare wrote its files, then a run died while writing (no manifest): the next run must
    # not leave the compare's or the dead run's files beside its own manifest.
    out = tmp_path / "o"
    code, text = _run("compare", str(MMC), str(MMC), "-n", "2", "-w", "1", "-o", str(out))
    assert code == 0, text
    assert (out / "differences.csv").exists() and (out / "scenarios").is_dir()
    with open_results_folder(out) as folder:  # the run that dies after two files
        folder.write_text("customers.parquet", "partial")
        folder.write_text("extra_of_the_dead_run.csv", "x")
    assert not (out / MANIFEST).exists()
    code, text = _run("run", str(MMC), "-n", "2", "-w", "1", "-o", str(out))
    assert code == 0, text
    assert not (out / "differences.csv").exists() and not (out / "scenarios").exists()
    assert not (out / "extra_of_the_dead_run.csv").exists()
    _listed_equals_present(out)


def test_an_interrupt_says_what_the_folder_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("checkoutsim.report.html.run_report", interrupted)
    out = tmp_path / "o"
    code, text = _run("run", str(MMC), "-n", "2", "-w", "1", "--report", "-o", str(out))
    assert code == 130, text
    assert f"the results in {out} are complete" in text  # written before the report was asked
    _listed_equals_present(out)
