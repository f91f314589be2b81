"""Messy logs: each problem gives a clear note (a documented repair) or a clear refusal."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from checkoutsim.calibration.export import export_logs, write_logs
from checkoutsim.calibration.formats import LogDataError
from checkoutsim.calibration.reading import read_logs
from checkoutsim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(ROOT / "scenarios/weekday.yaml")


@pytest.fixture(scope="module")
def clean(scenario, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("logs")
    write_logs(export_logs(scenario, 3, 2), folder)
    return folder


def _copy(clean: Path, tmp_path: Path) -> Path:
    for path in clean.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    return tmp_path


def _read(folder: Path, scenario, staffing: bool = True):
    return read_logs(
        folder / "transactions.csv",
        folder / "kiosk_events.csv",
        folder / "cause_codes.csv",
        folder / "staffing.csv" if staffing else None,
        open_min=scenario.store.open_min,
        close_min=scenario.store.open_min + scenario.store.day_length_min,
    )


def _edit(folder: Path, name: str, change) -> None:
    path = folder / f"{name}.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(table).to_csv(path, index=False)


def test_clean_logs_give_no_notes(clean: Path, scenario) -> None:
    logs = _read(clean, scenario)
    assert logs.notes == []
    assert len(logs.arrival_days) == 3


def test_unknown_and_missing_columns_are_refused(clean, scenario, tmp_path) -> None:
    folder = _copy(clean, tmp_path)
    _edit(folder, "transactions", lambda t: t.rename(columns={"items": "item_count"}))
    with pytest.raises(LogDataError, match=r"missing column\(s\) items.*unknown column\(s\) item_"):
        _read(folder, scenario)


def test_unreadable_value_names_its_line(clean, scenario, tmp_path) -> None:
    folder = _copy(clean, tmp_path)

    def spoil(t: pd.DataFrame) -> pd.DataFrame:
        t.loc[4, "start"] = "yesterday"
        return t

    _edit(folder, "transactions", spoil)
    with pytest.raises(LogDataError, match=r"start is not a timestamp.*line 6"):
        _read(folder, scenario)


def test_duplicate_rows_are_dropped_and_counted(clean, scenario, tmp_path) -> None:
    folder = _copy(clean, tmp_path)
    _edit(folder, "transactions", lambda t: pd.concat([t, t.iloc[:7]]))
    logs = _read(folder, scenario)
    assert any("dropped 7 duplicate row(s)" in n for n in logs.notes)
    assert len(logs.transactions) == len(_read(clean, scenario).transactions)


def test_clock_jump_leaves_the_day_out_of_arrivals(clean, scenario, tmp_path) -> None:
    folder = _copy(clean, tmp_path)

    def jump(t: pd.DataFrame) -> pd.DataFrame:
        stamps = pd.to_datetime(t["start"])
        lane = (t["station"] == "L01") & (stamps.dt.day == 3) & (stamps.dt.hour >= 12)
        for column in ("start", "end"):
            shifted = pd.to_datetime(t.loc[lane, column]) - pd.Timedelta(hours=1)
            t.loc[lane, column] = shifted.dt.strftime("%Y-%m-%d %H:%M:%S.%f")
        return t

    _edit(folder, "transactions", jump)
    logs = _read(folder, scenario)
    assert any("clock jumps back on 2026-03-03 L01" in n for n in logs.notes)
    assert pd.Timestamp("2026-03-03") not in logs.arrival_days
    assert len(logs.arrival_days) == 2


def test_rows_hours_outside_the_day_are_dropped(clean, scenario, tmp_path) -> None:
    folder = _copy(clean, tmp_path)

    def shift(t: pd.DataFrame) -> pd.DataFrame:
        t.loc[:2, "start"] = "2026-03-02 01:00:00"
        t.loc[:2, "end"] = "2026-03-02 01:02:00"
        return t

    _edit(folder, "transactions", shift)
    notes = _read(folder, scenario).notes
    assert any("3 row(s) stamped more than 180 min outside" in n for n in notes)


def test_a_few_negative_durations_are_dropped(clean, scenario, tmp_path) -> None:
    folder = _copy(clean, tmp_path)

    def swap(t: pd.DataFrame) -> pd.DataFrame:
        t.loc[10:14, ["start", "end"]] = t.loc[10:14, ["end", "start"]].to_numpy()
        return t

    _edit(folder, "transactions", swap)
    logs = _read(folder, scenario)
    assert any("dropped 5 transaction(s) that end before they start" in n for n in logs.notes)
    assert (logs.transactions["duration_min"] >= 0).all()


def test_many_negative_durations_are_refused(clean, scenario, tmp_path) -> None:
    folder = _copy(clean, tmp_path)
    _edit(folder, "transactions", lambda t: t.rename(columns={"start": "end", "end": "start"}))
    with pytest.raises(LogDataError, match="swapped"):
        _read(folder, scenario)


def test_outliers_are_flagged_not_fitted(clean, scenario, tmp_path) -> None:
    folder = _copy(clean, tmp_path)

    def stretch(t: pd.DataFrame) -> pd.DataFrame:
        ends = pd.to_datetime(t.loc[20:22, "start"]) + pd.Timedelta(hours=3)
        t.loc[20:22, "end"] = ends.dt.strftime("%Y-%m-%d %H:%M:%S.%f")
        return t

    _edit(folder, "transactions", stretch)
    logs = _read(folder, scenario)
    assert any("3 transaction(s) longer than 120 min" in n for n in logs.notes)
    assert int(logs.transactions["outlier"].sum()) == 3


def test_a_missing_day_is_left_out_not_zero(clean, scenario, tmp_path) -> None:
    folder = _copy(clean, tmp_path)
    _edit(folder, "transactions", lambda t: t[~t["start"].str.startswith("2026-03-03")])
    _edit(folder, "kiosk_events", lambda t: t[~t["at"].str.startswith("2026-03-03")])
    logs = _read(folder, scenario)
    assert any("no transactions on 2026-03-03 (Tue)" in n for n in logs.notes)
    assert logs.arrival_days == [pd.Timestamp("2026-03-02"), pd.Timestamp("2026-03-04")]


def test_an_unknown_cause_code_is_refused(clean, scenario, tmp_path) -> None:
    folder = _copy(clean, tmp_path)

    def recode(t: pd.DataFrame) -> pd.DataFrame:
        t.loc[:3, "cause_code"] = "X99"
        return t

    _edit(folder, "kiosk_events", recode)
    with pytest.raises(LogDataError, match=r"missing from cause_codes.csv: X99 \(4\)"):
        _read(folder, scenario)


def test_unknown_file_suffix_is_refused(clean, scenario, tmp_path) -> None:
    folder = _copy(clean, tmp_path)
    (folder / "transactions.csv").rename(folder / "transactions.xlsx")
    with pytest.raises(LogDataError, match=r"expected a \.csv or \.parquet"):
        read_logs(folder / "transactions.xlsx", None, None, None, open_min=480, close_min=1260)


def _messy(t: pd.DataFrame) -> pd.DataFrame:
    """Duplicates, a clock jump, negative durations, outliers and a missing day at once."""
    t = pd.concat([t, t.iloc[:5]])
    t = t[~t["start"].str.startswith("2026-03-03")].reset_index(drop=True)
    t.loc[10:12, ["start", "end"]] = t.loc[10:12, ["end", "start"]].to_numpy()
    ends = pd.to_datetime(t.loc[20:21, "start"]) + pd.Timedelta(hours=3)
    t.loc[20:21, "end"] = ends.dt.strftime("%Y-%m-%d %H:%M:%S.%f")
    lane = (t["station"] == "L01") & t["start"].str.startswith("2026-03-04 1")
    for column in ("start", "end"):
        shifted = pd.to_datetime(t.loc[lane, column]) - pd.Timedelta(hours=1)
        t.loc[lane, column] = shifted.dt.strftime("%Y-%m-%d %H:%M:%S.%f")
    return t


def test_messy_logs_calibrate_to_a_valid_scenario(clean, scenario, tmp_path) -> None:
    from checkoutsim.calibration.pipeline import calibrate

    folder = _copy(clean, tmp_path)
    _edit(folder, "transactions", _messy)
    done = calibrate(folder, scenario)
    notes = " ".join(done.calibration.notes)
    for expected in (
        "duplicate",
        "clock jumps back",
        "end before they start",
        "outliers",
        "no transactions on 2026-03-03",
    ):
        assert expected in notes
    assert done.calibration.arrivals.days == [pd.Timestamp("2026-03-02")]
    assert "# fitted" in done.yaml


@pytest.mark.parametrize("variant", ["no kiosk events or rota", "duration, no tender or join"])
def test_minimal_logs_calibrate(clean, scenario, tmp_path, variant) -> None:
    from checkoutsim.calibration.pipeline import calibrate

    folder = _copy(clean, tmp_path)
    if variant == "no kiosk events or rota":
        for stem in ("kiosk_events", "cause_codes", "staffing"):
            (folder / f"{stem}.csv").unlink()
        done = calibrate(folder, scenario)
        assert done.scenario.kiosks.confusion == scenario.kiosks.confusion
        assert done.scenario.staffing == scenario.staffing
    else:

        def strip(t: pd.DataFrame) -> pd.DataFrame:
            seconds = (pd.to_datetime(t["end"]) - pd.to_datetime(t["start"])).dt.total_seconds()
            t = t.drop(columns=["end", "tender_min", "joined_at"])
            return t.assign(duration_min=seconds / 60)

        _edit(folder, "transactions", strip)
        done = calibrate(folder, scenario)
        notes = " ".join(done.calibration.notes)
        assert "no tender_min logged" in notes
        assert "service start" in done.calibration.arrivals.source
        assert re.search(
            r"probably waited.*: \d+% of transactions", done.calibration.arrivals.source
        )
        assert done.scenario.customers.payment_min == scenario.customers.payment_min


def test_one_day_and_a_rare_cause_still_calibrate(clean, scenario, tmp_path) -> None:
    from checkoutsim.calibration.pipeline import calibrate

    folder = _copy(clean, tmp_path)
    _edit(folder, "transactions", lambda t: t[t["start"].str.startswith("2026-03-02")])
    day = lambda t: t[t["at"].str.startswith("2026-03-02")]  # noqa: E731
    _edit(
        folder,
        "kiosk_events",
        lambda t: pd.concat(
            [day(t)[day(t)["cause_code"] != "E04"], day(t)[day(t)["cause_code"] == "E04"].head(2)]
        ),
    )
    done = calibrate(folder, scenario)
    assert done.calibration.days == 1
    rare = {c.name: c for c in done.calibration.causes}["payment_failure"]
    assert rare.chosen == "exponential" and rare.resolve_mean.n == 2
    from checkoutsim.calibration.report import calibration_report

    assert '<section id="kiosk">' in calibration_report(done)


def test_a_rota_off_the_minute_gives_whole_minute_blocks(clean, scenario, tmp_path) -> None:
    from checkoutsim.calibration.pipeline import calibrate

    folder = _copy(clean, tmp_path)

    def nudge(t: pd.DataFrame) -> pd.DataFrame:
        later = pd.to_datetime(t["start"]) + pd.Timedelta(seconds=20)
        t["start"] = later.where(t["start"].str[11:16] == "10:00", pd.to_datetime(t["start"]))
        t["start"] = pd.to_datetime(t["start"]).dt.strftime("%Y-%m-%d %H:%M:%S.%f")
        return t

    _edit(folder, "staffing", nudge)
    done = calibrate(folder, scenario)
    starts = [b.start for b in done.scenario.staffing]
    assert starts == [b.start for b in scenario.staffing]


def test_utc_offsets_across_a_clock_change_are_read_as_wall_clock(clean, scenario, tmp_path):
    folder = _copy(clean, tmp_path)

    def offsets(t: pd.DataFrame) -> pd.DataFrame:
        early = pd.to_datetime(t["start"]).dt.hour < 12
        for column in ("start", "end", "joined_at"):
            t[column] = t[column] + early.map({True: "+01:00", False: "+02:00"})
        return t

    _edit(folder, "transactions", offsets)
    logs = _read(folder, scenario)
    assert any("UTC offsets" in n and "wall-clock" in n for n in logs.notes)
    assert len(logs.transactions) == len(_read(clean, scenario).transactions)


def test_a_tiny_log_with_a_huge_basket_still_calibrates(clean, scenario, tmp_path) -> None:
    from checkoutsim.calibration.pipeline import calibrate

    folder = _copy(clean, tmp_path)

    def tiny(t: pd.DataFrame) -> pd.DataFrame:
        t = t.head(40).copy()
        t.loc[3, "items"] = "250000"
        return t

    _edit(folder, "transactions", tiny)
    _edit(folder, "kiosk_events", lambda t: t.head(3))
    done = calibrate(folder, scenario)
    assert any("more than 1,000 items" in n for n in done.calibration.notes)
    assert done.scenario.name == "calibrated"
