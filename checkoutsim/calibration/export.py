"""Simulated store days written as the store's own logs (the formats of :mod:`.formats`).

This is the round trip's first half and a demo data generator: ``checkoutsim export-logs``
simulates days of a scenario and writes what a till, a kiosk bank and a rota would have
recorded. Only what a real log holds is written: no preference, patience or abandoned cart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from checkoutsim.calibration.formats import CAUSE_CODES, KIOSK_EVENTS, STAFFING, TRANSACTIONS
from checkoutsim.experiments.simulate import simulate
from checkoutsim.model.population import draw_population
from checkoutsim.model.streams import Streams
from checkoutsim.results.folder import atomic_write
from checkoutsim.scenario.schema import Scenario

_STAMP = "%Y-%m-%d %H:%M:%S.%f"

__all__ = ["DEFAULT_FIRST_DAY", "LogTables", "export_logs", "payment_methods", "write_logs"]

DEFAULT_FIRST_DAY = date(2026, 3, 2)
"""First exported day (a Monday); day ``rep`` is ``rep`` days later."""


@dataclass(frozen=True)
class LogTables:
    """The four log tables of some store days."""

    transactions: pd.DataFrame
    kiosk_events: pd.DataFrame
    cause_codes: pd.DataFrame
    staffing: pd.DataFrame

    def items(self) -> list[tuple[str, pd.DataFrame]]:
        """``(file stem, table)`` pairs in the documented order."""
        return [
            (TRANSACTIONS.file_stem, self.transactions),
            (KIOSK_EVENTS.file_stem, self.kiosk_events),
            (CAUSE_CODES.file_stem, self.cause_codes),
            (STAFFING.file_stem, self.staffing),
        ]


def payment_methods(scenario: Scenario) -> list[tuple[str, float]]:
    """``(method name, payment minutes)`` of an empirical payment distribution, in order.

    The simulator knows payment times, not tender types: each value of an empirical
    ``payment_min`` is taken as one method (``method_1``, ...). Any other distribution is one
    method, ``card``, with no fixed time (an empty list).
    """
    dist = scenario.customers.payment_min
    if dist.kind != "empirical":
        return []
    return [(f"method_{k + 1}", float(v)) for k, v in enumerate(dist.values)]


def cause_code(index: int) -> str:
    """The code the export writes for the ``index``-th confusion cause (``E01``, ...)."""
    return f"E{index + 1:02d}"


def _stamp(day: date, open_min: int, minutes: np.ndarray) -> pd.Series:
    """Timestamps of ``minutes`` after opening on ``day``."""
    base = pd.Timestamp(datetime.combine(day, datetime.min.time())) + pd.Timedelta(minutes=open_min)
    return pd.Series(base + pd.to_timedelta(np.asarray(minutes, dtype=float), unit="min"))


def _station(prefix: str, index: np.ndarray) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill((np.asarray(index) + 1).astype(str), 2))


def export_logs(
    scenario: Scenario,
    days: int,
    seed: int | None = None,
    *,
    first_day: date = DEFAULT_FIRST_DAY,
    workers: int | None = 1,
) -> LogTables:
    """Simulate ``days`` store days of ``scenario`` and return them as log tables.

    Parameters
    ----------
    scenario : Scenario
        The scenario to simulate.
    days : int
        Days to simulate (replications); day ``k`` is dated ``first_day + k``.
    seed : int, optional
        Root seed; defaults to ``scenario.run.seed``.
    first_day : date
        Date of the first day.
    workers : int, optional
        Local processes (results do not depend on it).

    Returns
    -------
    LogTables
        Transactions (served customers only, with tender time and the time they joined the
        line), kiosk interventions (cleared ``remote`` or ``in_person`` as the scenario's cause
        says),
        the cause-code table and the staffing rota.
    """
    root = scenario.run.seed if seed is None else seed
    result = simulate(scenario, replications=days, seed=root, workers=workers)
    methods = payment_methods(scenario)
    by_value = {v: name for name, v in reversed(methods)}
    open_min = scenario.store.open_min
    regular = scenario.cashiers.lanes
    trans, events = [], []
    clearing = np.array(
        [c.clearing for c in scenario.kiosks.confusion] or ["in_person"], dtype=object
    )
    customers = result.customers
    for rep in range(days):
        day = first_day + timedelta(days=rep)
        pop = draw_population(scenario, Streams(root, rep))
        c = customers[(customers["rep"] == rep) & (customers["outcome"] == "served")]
        ids = c["customer_id"].to_numpy()
        kiosk = (c["channel"] == "kiosk").to_numpy()
        lane = c["lane"].to_numpy()
        pay = pop.payment_min[ids]
        method = (
            np.array([by_value[float(v)] for v in pay], dtype=object)
            if methods
            else np.full(ids.shape[0], "card", dtype=object)
        )
        trans.append(
            pd.DataFrame(
                {
                    "transaction_id": [f"{day:%Y%m%d}-{i:06d}" for i in ids],
                    "start": _stamp(day, open_min, c["service_start_min"].to_numpy()),
                    "end": _stamp(day, open_min, c["departure_min"].to_numpy()),
                    "channel": np.where(kiosk, "kiosk", "cashier"),
                    "station": np.where(kiosk, _station("K", lane), _station("L", lane)),
                    "items": c["basket_items"].to_numpy(),
                    "payment_method": method,
                    "tender_min": pay,
                    "joined_at": _stamp(day, open_min, c["arrival_min"].to_numpy()),
                }
            )
        )
        a = result.assists[result.assists["rep"] == rep]
        codes = a["cause"].cat.codes.to_numpy()
        events.append(
            pd.DataFrame(
                {
                    "kiosk": _station("K", a["kiosk"].to_numpy()),
                    "at": _stamp(day, open_min, a["stuck_min"].to_numpy()),
                    "cause_code": [cause_code(int(k)) for k in codes],
                    "clear_min": (a["resolved_min"] - a["attendant_arrived_min"]).to_numpy(),
                    "cleared": clearing[codes] if len(codes) else [],
                    "wait_min": (a["attendant_arrived_min"] - a["stuck_min"]).to_numpy(),
                }
            )
        )
    transactions = pd.concat(trans, ignore_index=True).sort_values("start", kind="stable")
    kiosk_events = pd.concat(events, ignore_index=True).sort_values("at", kind="stable")
    causes = pd.DataFrame(
        {
            "cause_code": [cause_code(k) for k in range(len(scenario.kiosks.confusion))],
            "cause": [c.name for c in scenario.kiosks.confusion],
            "at": [c.at for c in scenario.kiosks.confusion],
        }
    )
    staffing = _rota(scenario, days, first_day, regular)
    return LogTables(
        transactions.reset_index(drop=True), kiosk_events.reset_index(drop=True), causes, staffing
    )


def _rota(scenario: Scenario, days: int, first_day: date, regular: int) -> pd.DataFrame:
    """Who was on which lane when: lanes open in index order, as the model staffs them."""
    rows = []
    open_min = scenario.store.open_min
    for rep in range(days):
        day = first_day + timedelta(days=rep)
        for block in scenario.staffing:
            start = scenario.minutes_after_open(block.start)
            end = scenario.minutes_after_open(block.end)
            stamps = _stamp(day, open_min, np.array([start, end]))
            crew = [("cashier", f"L{k + 1:02d}") for k in range(block.cashiers)]
            crew += [
                ("express_cashier", f"L{regular + k + 1:02d}")
                for k in range(block.express_cashiers)
            ]
            crew += [("attendant", f"A{k + 1:02d}") for k in range(block.attendants)]
            rows += [(role, who, stamps[0], stamps[1]) for role, who in crew]
    return pd.DataFrame(rows, columns=["role", "station", "start", "end"])


def write_logs(tables: LogTables, folder: Path, fmt: str = "csv") -> list[Path]:
    """Write each table as ``folder/<stem>.csv`` (or ``.parquet``), atomically.

    Timestamps are written as ``YYYY-MM-DD HH:MM:SS.ffffff`` local time; minutes with six
    decimals.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"format must be 'csv' or 'parquet', got {fmt!r}")
    written = []
    for stem, table in tables.items():
        path = folder / f"{stem}.{fmt}"
        atomic_write(path, _writer(table, fmt))
        written.append(path)
    return written


def _writer(table: pd.DataFrame, fmt: str) -> Callable[[IO[bytes]], None]:
    def write(handle: IO[bytes]) -> None:
        if fmt == "parquet":
            table.to_parquet(handle, index=False)
        else:
            text = table.to_csv(index=False, float_format="%.6f", date_format=_STAMP)
            handle.write(text.encode("utf-8"))

    return write
