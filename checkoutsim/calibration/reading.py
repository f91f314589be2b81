"""Read the store's logs (CSV or Parquet), check them, and repair or refuse messy data.

Every problem is either repaired in a documented way and reported as a note (duplicate rows,
rows outside the store's day, a clock that jumps back, negative durations, outliers, a missing
day), or refused with a :class:`~checkoutsim.calibration.formats.LogDataError` that says what
to fix (unknown or missing columns, unreadable values, unknown cause codes, too many bad rows).
The repairs are listed in docs/calibrate.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from checkoutsim.calibration.formats import (
    CAUSE_CODES,
    CHANNEL_VALUES,
    CLEARED_VALUES,
    KIOSK_EVENTS,
    ROLE_VALUES,
    STAFFING,
    TRANSACTIONS,
    LogDataError,
    TableFormat,
)
from checkoutsim.calibration.robust import theil_sen
from checkoutsim.model.population import MAX_BASKET_ITEMS

__all__ = [
    "CLOCK_JUMP_MIN",
    "DAY_MARGIN_MIN",
    "MAX_BAD_SHARE",
    "OUTLIER_FACTOR",
    "OUTLIER_MIN",
    "Logs",
    "read_logs",
    "read_table",
]

DAY_MARGIN_MIN = 180.0
"""Rows stamped more than this before opening or after closing are not of the store's day
(a till clock set hours wrong): they are dropped."""

CLOCK_JUMP_MIN = 1.0
"""A station's start times may step back by at most this much from one row to the next (rows
in the order the station logged them); a larger step is a clock jump."""

OUTLIER_MIN = 120.0
"""A transaction longer than this is an outlier (a till left open, a suspended sale)."""

OUTLIER_FACTOR = 10.0
"""...and so is one longer than this many times the typical duration of its channel and
basket size (a Theil-Sen line through duration against items)."""

MAX_BAD_SHARE = 0.05
"""More than this share of negative durations is refused rather than repaired: the columns
are more likely swapped or mislabelled than a few rows broken."""

PARTIAL_DAY_SHARE = 0.5
"""A day with fewer transactions than this share of the median day is partial (a lost file
part, a closure): it is left out of the arrival profile."""


@dataclass
class Logs:
    """Checked logs, times in minutes after opening of each row's day.

    Attributes
    ----------
    transactions : DataFrame
        ``day, start_min, end_min, duration_min, channel, station, items, payment_method,
        tender_min, joined_min, outlier`` (``tender_min``/``joined_min`` NaN when not logged).
    events : DataFrame
        ``day, kiosk, at_min, cause, cause_at, clear_min, cleared, wait_min``.
    staffing : DataFrame or None
        ``day, role, station, start_min, end_min``.
    arrival_days : list
        Days fit for the arrival profile (whole, with a sane clock).
    notes : list of str
        What was repaired and how, for the terminal and the report.
    """

    transactions: pd.DataFrame
    events: pd.DataFrame
    staffing: pd.DataFrame | None
    arrival_days: list[pd.Timestamp]
    notes: list[str] = field(default_factory=list)


def read_table(path: Path, fmt: TableFormat) -> pd.DataFrame:
    """Read one log table, checking its columns (CSV or Parquet, by the file's suffix)."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise LogDataError(f"{path}: no such file ({fmt.name} log)")
    try:
        if suffix == ".parquet":
            table = pd.read_parquet(path)
        elif suffix in (".csv", ".txt"):
            table = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        else:
            raise LogDataError(
                f"{path}: expected a .csv or .parquet file for the {fmt.name} log, got "
                f"{suffix or 'no suffix'!r}"
            )
    except LogDataError:
        raise
    except (ValueError, OSError, ImportError) as exc:
        raise LogDataError(f"{path}: cannot read the {fmt.name} log: {exc}") from None
    table.columns = [str(c).strip() for c in table.columns]
    unknown = [c for c in table.columns if c not in fmt.names]
    missing = [c for c in fmt.required if c not in table.columns]
    problems = []
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}")
    if problems:
        raise LogDataError(
            f"{path}: {' and '.join(problems)} in the {fmt.name} log; its columns are "
            f"{', '.join(fmt.names)} (required: {', '.join(fmt.required)}; docs/calibrate.md)"
        )
    return table


def _bad_row(path: Path, table: pd.DataFrame, bad: pd.Series, column: str, what: str) -> None:
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        line = f"line {first + 2}" if path.suffix.lower() != ".parquet" else f"row {first + 1}"
        raise LogDataError(
            f"{path}: {column} is not {what} at {line} ({table[column].iloc[first]!r}); "
            f"{int(bad.sum())} row(s) like it"
        )


_OFFSET = r"(?:[+-]\d{2}:?\d{2}|Z)$"


def _timestamps(
    path: Path, table: pd.DataFrame, column: str, required: bool, notes: list[str]
) -> pd.Series:
    raw = table[column]
    if raw.dtype == object or pd.api.types.is_string_dtype(raw):
        text = raw.astype("string").str.strip()
        offset = text.str.contains(_OFFSET, regex=True).fillna(False)
        if offset.any():
            # A daylight-saving change gives two offsets in one day; the store's day runs on
            # wall-clock time, so the offset is dropped rather than converted.
            notes.append(
                f"{path.name}: {column} carries UTC offsets on {int(offset.sum())} row(s): "
                "read as local wall-clock time, offsets dropped"
            )
            raw = text.str.replace(_OFFSET, "", regex=True)
    elif isinstance(raw.dtype, pd.DatetimeTZDtype):
        raw = raw.dt.tz_localize(None)
    parsed = pd.to_datetime(raw, errors="coerce", format="mixed")
    bad = parsed.isna() & (raw.notna() if not required else True)
    _bad_row(path, table, bad, column, "a timestamp (YYYY-MM-DD HH:MM[:SS])")
    return parsed


def _numbers(path: Path, table: pd.DataFrame, column: str, required: bool) -> pd.Series:
    raw = table[column]
    parsed = pd.to_numeric(raw, errors="coerce").astype(float)
    bad = (parsed.isna() | ~np.isfinite(parsed)) & (raw.notna() if not required else True)
    _bad_row(path, table, bad, column, "a finite number")
    return parsed


def _choices(path: Path, table: pd.DataFrame, column: str, allowed: tuple[str, ...]) -> pd.Series:
    values = table[column].astype(str).str.strip().str.lower()
    _bad_row(path, table, ~values.isin(allowed), column, f"one of {', '.join(allowed)}")
    return values


def _minutes(stamps: pd.Series, days: pd.Series, open_min: int) -> np.ndarray:
    return ((stamps - days).dt.total_seconds() / 60.0 - open_min).to_numpy()


def _drop_duplicates(table: pd.DataFrame, name: str, notes: list[str]) -> pd.DataFrame:
    dup = table.duplicated(keep="first")
    if dup.any():
        notes.append(
            f"{name}: dropped {int(dup.sum())} duplicate row(s) (identical in every column; a "
            "file read twice or a re-sent batch)"
        )
    return table[~dup]


def read_logs(
    transactions: Path,
    kiosk_events: Path | None,
    cause_codes: Path | None,
    staffing: Path | None,
    *,
    open_min: int,
    close_min: int,
) -> Logs:
    """Read, check and repair the logs of a store open ``open_min``-``close_min`` each day.

    Parameters
    ----------
    transactions, kiosk_events, cause_codes, staffing : Path
        The log files (kiosk events need cause codes; staffing is optional).
    open_min, close_min : int
        Opening and closing, minutes after midnight (from the base scenario).

    Returns
    -------
    Logs
        Clean tables and the notes of every repair.

    Raises
    ------
    LogDataError
        For a log that cannot be used; the message says what to fix.
    """
    notes: list[str] = []
    t = read_table(transactions, TRANSACTIONS)
    t = _drop_duplicates(t, transactions.name, notes)
    if "end" not in t.columns and "duration_min" not in t.columns:
        raise LogDataError(
            f"{transactions}: give the service end as an 'end' or a 'duration_min' column "
            "(neither is there)"
        )
    start = _timestamps(transactions, t, "start", True, notes)
    if "end" in t.columns:
        end = _timestamps(transactions, t, "end", True, notes)
        duration = (end - start).dt.total_seconds().to_numpy() / 60.0
    else:
        duration = _numbers(transactions, t, "duration_min", True).to_numpy()
    items = _numbers(transactions, t, "items", True)
    channel = _choices(transactions, t, "channel", CHANNEL_VALUES)
    day = start.dt.normalize()
    frame = pd.DataFrame(
        {
            "day": day.to_numpy(),
            "start_min": _minutes(start, day, open_min),
            "duration_min": duration,
            "channel": channel.to_numpy(),
            "station": t["station"].astype(str).str.strip().to_numpy(),
            "items": items.to_numpy(),
            "payment_method": t["payment_method"].astype(str).str.strip().to_numpy(),
            "tender_min": (
                _numbers(transactions, t, "tender_min", False).to_numpy()
                if "tender_min" in t.columns
                else np.nan
            ),
            "joined_min": (
                _minutes(_timestamps(transactions, t, "joined_at", False, notes), day, open_min)
                if "joined_at" in t.columns
                else np.nan
            ),
        }
    )
    frame = _screen_transactions(frame, transactions.name, open_min, close_min, notes)
    arrival_days = _whole_days(frame, transactions.name, notes)
    arrival_days = _clock_jumps(frame, transactions.name, arrival_days, notes)
    frame["end_min"] = frame["start_min"] + frame["duration_min"]
    events = (
        _read_events(kiosk_events, cause_codes, frame, open_min, notes)
        if kiosk_events is not None
        else _no_events()
    )
    rota = _read_staffing(staffing, open_min, notes) if staffing is not None else None
    return Logs(frame.reset_index(drop=True), events, rota, arrival_days, notes)


def _screen_transactions(
    frame: pd.DataFrame, name: str, open_min: int, close_min: int, notes: list[str]
) -> pd.DataFrame:
    n = len(frame)
    if n == 0:
        raise LogDataError(f"{name}: no transactions to calibrate from")
    day_len = close_min - open_min
    outside = (frame["start_min"] < -DAY_MARGIN_MIN) | (
        frame["start_min"] > day_len + DAY_MARGIN_MIN
    )
    if outside.any():
        notes.append(
            f"{name}: dropped {int(outside.sum())} row(s) stamped more than "
            f"{DAY_MARGIN_MIN:.0f} min outside opening hours (a till clock set wrong)"
        )
        frame = frame[~outside]
    small = frame["items"] < 1
    if small.any():
        notes.append(
            f"{name}: dropped {int(small.sum())} row(s) with fewer than 1 item (voids, returns)"
        )
        frame = frame[~small]
    huge = frame["items"] > MAX_BASKET_ITEMS
    if huge.any():
        notes.append(
            f"{name}: dropped {int(huge.sum())} row(s) with more than {MAX_BASKET_ITEMS:,} items "
            "(the model's largest basket; a quantity typed into the item count?)"
        )
        frame = frame[~huge]
    frame = frame.assign(items=np.rint(frame["items"]).astype(np.int64))
    negative = frame["duration_min"] < 0
    if negative.mean() > MAX_BAD_SHARE:
        raise LogDataError(
            f"{name}: {int(negative.sum())} of {len(frame)} transactions end before they start "
            f"(more than {MAX_BAD_SHARE:.0%}): are 'start' and 'end' swapped, or in different "
            "time zones? Refused rather than repaired"
        )
    if negative.any():
        notes.append(
            f"{name}: dropped {int(negative.sum())} transaction(s) that end before they start "
            "(negative duration)"
        )
        frame = frame[~negative]
    expected = _typical_duration(frame)
    outlier = (frame["duration_min"] > OUTLIER_MIN) | (
        frame["duration_min"] > OUTLIER_FACTOR * expected
    )
    if outlier.any():
        notes.append(
            f"{name}: {int(outlier.sum())} transaction(s) longer than {OUTLIER_MIN:.0f} min or "
            f"{OUTLIER_FACTOR:.0f}x the typical duration of their channel and basket size are "
            "outliers: "
            "left out of the service-time fits, kept as arrivals"
        )
    return frame.assign(outlier=outlier.to_numpy())


def _typical_duration(frame: pd.DataFrame) -> np.ndarray:
    """Per row, the duration a robust line through duration against items gives its basket,
    per channel (Theil-Sen on at most 2,000 rows: robust to the very outliers it screens)."""
    out = np.empty(len(frame))
    rng = np.random.default_rng(0)
    for channel in CHANNEL_VALUES:
        mask = (frame["channel"] == channel).to_numpy()
        if not mask.any():
            continue
        x = frame["items"].to_numpy(dtype=float)[mask]
        y = frame["duration_min"].to_numpy(dtype=float)[mask]
        pick = rng.choice(x.shape[0], min(x.shape[0], 2_000), replace=False)
        if np.unique(x[pick]).shape[0] > 1:
            slope, intercept = theil_sen(y[pick], x[pick])
        else:
            slope, intercept = 0.0, float(np.median(y))
        floor = max(float(np.median(y)) * 0.1, 1e-3)
        out[mask] = np.maximum(intercept + slope * x, floor)
    return out


def _whole_days(frame: pd.DataFrame, name: str, notes: list[str]) -> list[pd.Timestamp]:
    counts = frame.groupby("day").size()
    days = list(counts.index)
    expected = pd.date_range(min(days), max(days), freq="D")
    for missing in expected.difference(pd.DatetimeIndex(days)):
        notes.append(
            f"{name}: no transactions on {missing:%Y-%m-%d} ({missing:%a}), between the first "
            "and last day: left out (a closure or a missing file), not counted as a day of "
            "zero customers"
        )
    partial = counts[counts < PARTIAL_DAY_SHARE * counts.median()]
    for day, count in partial.items():
        notes.append(
            f"{name}: {day:%Y-%m-%d} has {count} transactions, under "
            f"{PARTIAL_DAY_SHARE:.0%} of the median day ({counts.median():.0f}): a partial "
            "day, left out of the arrival profile"
        )
    return [d for d in days if d not in partial.index]


def _clock_jumps(
    frame: pd.DataFrame, name: str, days: list[pd.Timestamp], notes: list[str]
) -> list[pd.Timestamp]:
    # Rows of a station in the order it logged them: a start far before the latest start so
    # far means its clock was set back (a daylight-saving change, a manual reset).
    latest = frame.groupby(["day", "station"])["start_min"].cummax()
    jump = frame["start_min"] < latest - CLOCK_JUMP_MIN
    if not jump.any():
        return days
    bad = frame.loc[jump, ["day", "station"]].drop_duplicates()
    where = ", ".join(f"{d:%Y-%m-%d} {s}" for d, s in bad.head(5).itertuples(index=False))
    more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
    notes.append(
        f"{name}: the clock jumps back on {where}{more} ({int(jump.sum())} row(s)): those "
        "days are left out of the arrival profile (their times of day cannot be trusted); "
        "their service durations are kept"
    )
    jumped = set(bad["day"])
    return [d for d in days if d not in jumped]


def _no_events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "day": pd.Series(dtype="datetime64[ns]"),
            "kiosk": pd.Series(dtype=object),
            "at_min": pd.Series(dtype=float),
            "cause": pd.Series(dtype=object),
            "cause_at": pd.Series(dtype=object),
            "clear_min": pd.Series(dtype=float),
            "cleared": pd.Series(dtype=object),
            "wait_min": pd.Series(dtype=float),
        }
    )


def _read_events(
    path: Path,
    codes_path: Path | None,
    transactions: pd.DataFrame,
    open_min: int,
    notes: list[str],
) -> pd.DataFrame:
    if codes_path is None:
        raise LogDataError(
            f"{path}: kiosk events need the cause-code table (--cause-codes) that maps each "
            "cause_code to a confusion cause"
        )
    codes = read_table(codes_path, CAUSE_CODES)
    codes["cause_code"] = codes["cause_code"].astype(str).str.strip()
    if codes["cause_code"].duplicated().any():
        dup = codes.loc[codes["cause_code"].duplicated(), "cause_code"].tolist()
        raise LogDataError(f"{codes_path}: cause_code listed twice: {', '.join(dup)}")
    cause_at = (
        _choices(codes_path, codes, "at", ("scan", "payment"))
        if "at" in codes.columns
        else pd.Series("scan", index=codes.index)
    )
    cause_of = dict(zip(codes["cause_code"], codes["cause"].astype(str).str.strip(), strict=True))
    at_of = dict(zip(codes["cause_code"], cause_at, strict=True))
    e = read_table(path, KIOSK_EVENTS)
    e = _drop_duplicates(e, path.name, notes)
    code = e["cause_code"].astype(str).str.strip()
    unknown = code[~code.isin(list(cause_of))]
    if len(unknown):
        listed = ", ".join(f"{c} ({n})" for c, n in unknown.value_counts().head(10).items())
        raise LogDataError(
            f"{path}: {len(unknown)} event(s) have cause codes missing from {codes_path.name}: "
            f"{listed}. Add each code to {codes_path.name} with the cause it belongs to "
            "(a new cause name is fine); refused rather than guessed"
        )
    at = _timestamps(path, e, "at", True, notes)
    day = at.dt.normalize()
    clear = _numbers(path, e, "clear_min", True)
    _bad_row(path, e, clear < 0, "clear_min", "a duration of 0 or more")
    wait = _numbers(path, e, "wait_min", False) if "wait_min" in e.columns else np.nan
    events = pd.DataFrame(
        {
            "day": day.to_numpy(),
            "kiosk": e["kiosk"].astype(str).str.strip().to_numpy(),
            "at_min": _minutes(at, day, open_min),
            "cause": code.map(cause_of).to_numpy(),
            "cause_at": code.map(at_of).to_numpy(),
            "clear_min": clear.to_numpy(),
            "cleared": _choices(path, e, "cleared", CLEARED_VALUES).to_numpy(),
            "wait_min": wait if np.isscalar(wait) else np.asarray(wait),
        }
    )
    kiosks = set(transactions.loc[transactions["channel"] == "kiosk", "station"])
    stray = ~events["kiosk"].isin(kiosks)
    if stray.any():
        notes.append(
            f"{path.name}: dropped {int(stray.sum())} event(s) on kiosks with no transaction in "
            "the transactions log"
        )
        events = events[~stray]
    return events.reset_index(drop=True)


def _read_staffing(path: Path, open_min: int, notes: list[str]) -> pd.DataFrame:
    s = read_table(path, STAFFING)
    s = _drop_duplicates(s, path.name, notes)
    start = _timestamps(path, s, "start", True, notes)
    end = _timestamps(path, s, "end", True, notes)
    _bad_row(path, s, end < start, "end", "after the stint's start")
    day = start.dt.normalize()
    return pd.DataFrame(
        {
            "day": day.to_numpy(),
            "role": _choices(path, s, "role", ROLE_VALUES).to_numpy(),
            "station": s["station"].astype(str).str.strip().to_numpy(),
            "start_min": _minutes(start, day, open_min),
            "end_min": _minutes(end, day, open_min),
        }
    )
