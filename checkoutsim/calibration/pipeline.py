"""``calibrate``: log files in, a validated calibrated scenario (and its YAML) out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from checkoutsim.calibration.fitting import Calibration, calibrate_logs
from checkoutsim.calibration.formats import (
    CAUSE_CODES,
    KIOSK_EVENTS,
    STAFFING,
    TRANSACTIONS,
    LogDataError,
    TableFormat,
)
from checkoutsim.calibration.preferences import PreferenceFit, fit_preferences, kiosk_share_cells
from checkoutsim.calibration.reading import Logs, read_logs
from checkoutsim.calibration.scenario_out import calibrated_scenario, scenario_yaml
from checkoutsim.scenario.schema import Scenario

__all__ = ["Calibrated", "calibrate", "find_log"]


@dataclass(frozen=True)
class Calibrated:
    """What ``calibrate`` produced."""

    calibration: Calibration
    scenario: Scenario
    yaml: str


def find_log(folder: Path, fmt: TableFormat) -> Path | None:
    """``folder/<stem>.csv`` or ``.parquet``; None when neither exists, an error when both."""
    found = [
        p
        for p in (folder / f"{fmt.file_stem}.csv", folder / f"{fmt.file_stem}.parquet")
        if p.is_file()
    ]
    if len(found) > 1:
        raise LogDataError(f"{folder}: both {found[0].name} and {found[1].name}; keep one")
    return found[0] if found else None


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def only_weekdays(logs: Logs, weekdays: list[str]) -> Logs:
    """The logs of the days that fall on ``weekdays`` (``Mon`` ... ``Sun``)."""
    wanted = {d.strip()[:3].title() for d in weekdays}
    unknown = wanted - set(WEEKDAYS)
    if unknown:
        raise LogDataError(
            f"unknown weekday(s) {', '.join(sorted(unknown))}: use {', '.join(WEEKDAYS)}"
        )
    keep = [WEEKDAYS.index(d) for d in wanted]

    def on(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[pd.DatetimeIndex(frame["day"]).day_of_week.isin(keep)].copy()

    transactions = on(logs.transactions)
    if transactions.empty:
        raise LogDataError(f"no transactions on {', '.join(sorted(wanted))} in the logs")
    owner_days = set(transactions["day"])
    return Logs(
        transactions,
        on(logs.events),
        on(logs.staffing) if logs.staffing is not None else None,
        [d for d in logs.arrival_days if d in owner_days],
        [*logs.notes, f"only {', '.join(sorted(wanted))}: {len(owner_days)} day(s) used"],
    )


def _preferences(logs: Logs, scenario: Scenario, days: int, workers: int | None) -> PreferenceFit:
    t = logs.transactions
    joined = t["joined_min"].to_numpy(dtype=float)
    use_joined = bool(np.isfinite(joined).all())
    when = joined if use_joined else t["start_min"].to_numpy(dtype=float)
    observed = kiosk_share_cells(
        np.floor(when / 60),
        t["items"].to_numpy(),
        (t["channel"] == "kiosk").to_numpy(),
        scenario.customers.kiosk_item_limit or 10**9,
    )
    column = "arrival_min" if use_joined else "service_start_min"
    return fit_preferences(scenario, observed, arrival_column=column, days=days, workers=workers)


def calibrate(
    folder: Path,
    base: Scenario,
    *,
    name: str = "calibrated",
    command: str = "",
    weekdays: list[str] | None = None,
    preferences: bool = False,
    workers: int | None = 1,
) -> Calibrated:
    """Calibrate ``base`` from the logs in ``folder`` (file names as in docs/calibrate.md).

    ``weekdays`` (``["Sat"]``, ``["Mon", "Tue"]``) keeps only those days: a store whose days
    differ calibrates one scenario per kind of day (the report's weekday table shows whether
    they differ).

    ``preferences=True`` also fits the channel preference shares by simulation
    (:mod:`~checkoutsim.calibration.preferences`: about 80 scenario variants of as many days
    as the logs hold, at least 5; ``workers`` processes).

    Raises
    ------
    LogDataError
        For logs that cannot be used (the message says what to fix).
    """
    if not folder.is_dir():
        raise LogDataError(f"{folder}: not a folder of logs (docs/calibrate.md)")
    transactions = find_log(folder, TRANSACTIONS)
    if transactions is None:
        raise LogDataError(f"{folder}: no transactions.csv or transactions.parquet")
    events = find_log(folder, KIOSK_EVENTS)
    logs = read_logs(
        transactions,
        events,
        find_log(folder, CAUSE_CODES),
        find_log(folder, STAFFING),
        open_min=base.store.open_min,
        close_min=base.store.open_min + base.store.day_length_min,
    )
    if events is None:
        logs.notes.append("no kiosk_events log: confusion causes kept from the base scenario")
    if weekdays:
        logs = only_weekdays(logs, weekdays)
    cal = calibrate_logs(logs, base)
    scenario, comments = calibrated_scenario(cal, base, name)
    if preferences:
        cal.preferences = _preferences(logs, scenario, max(cal.days, 5), workers)
        if not cal.preferences.identified:
            cal.notes.append(
                "channel preferences: the moment surface is not convex, so these logs do not "
                "pin the shares down; the grid's best point is written with a wide interval"
            )
        scenario, comments = calibrated_scenario(cal, base, name)
    header = (
        f"Calibrated by `{command or 'checkoutsim calibrate'}` from {cal.transactions:,} "
        f"transactions over {cal.days} day(s).\n"
        "Every figure marked 'fitted' was estimated from the logs, with its 95% confidence\n"
        "interval; the rest comes from the base scenario. See the calibration report."
    )
    return Calibrated(cal, scenario, scenario_yaml(scenario, comments, header))
