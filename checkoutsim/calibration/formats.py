"""The log formats ``checkoutsim calibrate`` reads and ``checkoutsim export-logs`` writes.

One table each (CSV or Parquet): transactions, kiosk events, cause codes and, optionally,
staffing. Column names, whether a column is required, and what it holds are defined here once,
for the reader, the writer and docs/calibrate.md alike.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CAUSE_CODES",
    "CHANNEL_VALUES",
    "CLEARED_VALUES",
    "KIOSK_EVENTS",
    "ROLE_VALUES",
    "STAFFING",
    "TABLES",
    "TRANSACTIONS",
    "Column",
    "LogDataError",
    "TableFormat",
]


class LogDataError(ValueError):
    """A log that cannot be used as it is: the message says what and how to fix it."""


@dataclass(frozen=True)
class Column:
    """One column of a log table."""

    name: str
    kind: str  # "timestamp", "text", "int", "minutes"
    required: bool
    meaning: str


@dataclass(frozen=True)
class TableFormat:
    """The columns of one log table."""

    name: str
    file_stem: str
    columns: tuple[Column, ...]
    note: str = ""

    @property
    def required(self) -> list[str]:
        """Names of the columns that must be present."""
        return [c.name for c in self.columns if c.required]

    @property
    def names(self) -> list[str]:
        """Names of every known column, in order."""
        return [c.name for c in self.columns]


CHANNEL_VALUES = ("cashier", "kiosk")
CLEARED_VALUES = ("in_person", "remote")
ROLE_VALUES = ("cashier", "express_cashier", "attendant")

TRANSACTIONS = TableFormat(
    "transactions",
    "transactions",
    (
        Column("start", "timestamp", True, "service start (first scan), local time"),
        Column("end", "timestamp", False, "service end (receipt); give end or duration_min"),
        Column("duration_min", "minutes", False, "service duration; give end or duration_min"),
        Column("channel", "text", True, "'cashier' or 'kiosk'"),
        Column("station", "text", True, "lane or kiosk id, e.g. L03 or K05"),
        Column("items", "int", True, "items scanned, at least 1"),
        Column("payment_method", "text", True, "tender type as the till names it"),
        Column("tender_min", "minutes", False, "time spent paying, if the till records it"),
        Column("joined_at", "timestamp", False, "when the customer joined the line (cameras)"),
        Column("transaction_id", "text", False, "the till's own id (used to spot duplicates)"),
    ),
    "One row per finished checkout. Abandoned carts leave no row.",
)

KIOSK_EVENTS = TableFormat(
    "kiosk events",
    "kiosk_events",
    (
        Column("kiosk", "text", True, "kiosk id, as in transactions.station"),
        Column("at", "timestamp", True, "when the kiosk froze and called for help"),
        Column("cause_code", "text", True, "the kiosk's cause code (see cause codes)"),
        Column("clear_min", "minutes", True, "time the staff member took to clear it"),
        Column("cleared", "text", True, "'in_person' or 'remote'"),
        Column("wait_min", "minutes", False, "from the freeze until staff started (walk incl.)"),
    ),
    "One row per intervention (a frozen kiosk that needed staff).",
)

CAUSE_CODES = TableFormat(
    "cause codes",
    "cause_codes",
    (
        Column("cause_code", "text", True, "code as in kiosk_events.cause_code"),
        Column("cause", "text", True, "confusion cause name in the scenario"),
        Column("at", "text", False, "'scan' (default) or 'payment': when in the visit it strikes"),
    ),
    "The small mapping table from the kiosk vendor's codes to confusion causes.",
)

STAFFING = TableFormat(
    "staffing",
    "staffing",
    (
        Column("role", "text", True, "'cashier', 'express_cashier' or 'attendant'"),
        Column("station", "text", True, "lane id for cashiers, staff id for attendants"),
        Column("start", "timestamp", True, "start of the stint"),
        Column("end", "timestamp", True, "end of the stint"),
    ),
    "Optional: who was on which lane when (separates demand from service).",
)

TABLES = (TRANSACTIONS, KIOSK_EVENTS, CAUSE_CODES, STAFFING)
