"""``calibrate``: log files in, a validated calibrated scenario (and its YAML) out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checkoutsim.calibration.fitting import Calibration, calibrate_logs
from checkoutsim.calibration.formats import (
    CAUSE_CODES,
    KIOSK_EVENTS,
    STAFFING,
    TRANSACTIONS,
    LogDataError,
    TableFormat,
)
from checkoutsim.calibration.reading import read_logs
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


def calibrate(
    folder: Path, base: Scenario, *, name: str = "calibrated", command: str = ""
) -> Calibrated:
    """Calibrate ``base`` from the logs in ``folder`` (file names as in docs/calibrate.md).

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
    cal = calibrate_logs(logs, base)
    scenario, comments = calibrated_scenario(cal, base, name)
    header = (
        f"Calibrated by `{command or 'checkoutsim calibrate'}` from {cal.transactions:,} "
        f"transactions over {cal.days} day(s).\n"
        "Every figure marked 'fitted' was estimated from the logs, with its 95% confidence\n"
        "interval; the rest comes from the base scenario. See the calibration report."
    )
    return Calibrated(cal, scenario, scenario_yaml(scenario, comments, header))
