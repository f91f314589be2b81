"""Staffing read from a CSV file or a spreadsheet sheet (``staffing: {from: staffing.csv}``).

Planners keep the roster in a spreadsheet; a scenario may point at it instead of listing the
blocks in YAML::

    staffing: {from: data/weekday_staffing.csv}                 # relative to the scenario file
    staffing: {from: rosters.xlsx, sheet: Weekday}              # a sheet (default: the first)

The first row names the columns, exactly the keys of a YAML staffing block (``start``, ``end``,
``cashiers``, ``express_cashiers``, ``attendants``, ``kiosks``; case and surrounding spaces do
not matter, the order is free); every further row is one block. An empty cell takes the key's
default (``express_cashiers`` 0, ``kiosks`` all of them); ``start``, ``end``, ``cashiers`` and
``attendants`` are required. A CSV file is UTF-8 (a byte-order mark is fine) separated by commas,
or by semicolons when the header holds semicolons and no comma (as spreadsheets export it in
many locales).

This module only turns the file into rows of plain values, with the row number of each; the
values are checked by the scenario schema like YAML blocks, and the loader
(:mod:`checkoutsim.scenario.loader`) reports each problem at its file, row and column. Nothing
here imports more than the standard library, except :mod:`openpyxl` inside the function that
reads a workbook, so validating a scenario with a CSV roster stays light.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "StaffingFileError",
    "StaffingTable",
    "is_reference",
    "read_staffing_table",
]

COLUMNS = ("start", "end", "cashiers", "express_cashiers", "attendants", "kiosks")
"""The columns a staffing table may have: the keys of a YAML staffing block."""

REQUIRED_COLUMNS = ("start", "end", "cashiers", "attendants")
"""The columns without a default."""

SUFFIXES = (".csv", ".xlsx")
"""The kinds of file a staffing table is read from."""

MAX_ROWS = 1_440
"""Most blocks, as in YAML (one a minute); reading stops one row past it."""

MAX_XLSX_EXPANDED_BYTES = 32 * 1024 * 1024
"""Largest total of a workbook's parts once unzipped (32 MiB). A sheet of a few hundred rows
unzips to well under 1 MiB; the bound keeps a small "zip bomb" from costing memory and time."""

_INT = re.compile(r"[+-]?\d{1,9}")


class StaffingFileError(ValueError):
    """The staffing file cannot be read at all (missing, a folder, too large, malformed)."""


@dataclass
class StaffingTable:
    """The rows of a staffing file as plain values, with where each came from.

    Attributes
    ----------
    source : str
        How messages name the file (``data/staff.csv`` or ``rosters.xlsx, sheet Weekday``).
    rows : list of dict
        One mapping per block, keys as in YAML; empty cells are left out.
    row_numbers : list of int
        The row of each block as a spreadsheet shows it (the header is row 1).
    problems : list of (str, str)
        Problems found while reading (key path such as ``row 1`` or ``row 4, column kiosks``,
        and message).
    missing_columns : tuple of str
        Required columns absent from the header (reported once, not on every row).
    """

    source: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    missing_columns: tuple[str, ...] = ()

    def where(self, loc: tuple[str | int, ...]) -> str:
        """The key path of ``loc`` inside the staffing list (``(2, "cashiers")``) in words."""
        if not loc or not isinstance(loc[0], int) or not 0 <= loc[0] < len(self.row_numbers):
            return ""
        row = f"row {self.row_numbers[loc[0]]}"
        return f"{row}, column {loc[1]}" if len(loc) > 1 else row


def is_reference(value: Any) -> bool:
    """True when a scenario's ``staffing`` value points at a file (a mapping, not a list)."""
    return isinstance(value, Mapping)


def read_staffing_table(path: Path, shown: str, sheet: str | None, max_bytes: int) -> StaffingTable:
    """Read a staffing table from a ``.csv`` file or a sheet of an ``.xlsx`` workbook.

    Parameters
    ----------
    path : Path
        The file, already resolved against the scenario's folder.
    shown : str
        How messages name the file.
    sheet : str, optional
        The workbook's sheet (default: the first); refused for a CSV file.
    max_bytes : int
        Largest file accepted, in bytes (the loader's limit for scenario files).

    Returns
    -------
    StaffingTable
        The rows, and the problems of the header and of cells that could not be read.

    Raises
    ------
    StaffingFileError
        When the file cannot be read at all.
    """
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise StaffingFileError(
            f"{shown}: a staffing file must be a .csv file or an .xlsx workbook, got "
            f"{path.suffix or 'no extension'!r}"
        )
    if sheet is not None and suffix == ".csv":
        raise StaffingFileError(f"{shown}: 'sheet' is only for an .xlsx workbook, not a CSV file")
    if not path.exists():
        raise StaffingFileError(
            f"{shown}: file not found (the path is relative to the file that names it)"
        )
    if not path.is_file():
        raise StaffingFileError(f"{shown}: is a folder or a device, expected a {suffix} file")
    try:
        with path.open("rb") as handle:
            # One byte past the limit is enough to know it is too large (/dev/zero stops here).
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise StaffingFileError(f"{shown}: cannot be read: {exc}") from None
    if len(raw) > max_bytes:
        raise StaffingFileError(
            f"{shown}: the file is larger than {max_bytes:,} bytes ({max_bytes // 1024} KiB); "
            "a staffing table of a day is a few KB"
        )
    if suffix == ".csv":
        return _from_csv(raw, shown)
    return _from_xlsx(raw, shown, sheet)


def _from_csv(raw: bytes, shown: str) -> StaffingTable:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StaffingFileError(
            f"{shown}: cannot be read as UTF-8 text ({exc}); save it as 'CSV UTF-8'"
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[Any]]] = []
    try:
        for record in reader:
            records.append((reader.line_num, list(record)))
            if len(records) > MAX_ROWS + 1:
                break
    except csv.Error as exc:
        raise StaffingFileError(
            f"{shown}: malformed CSV at line {reader.line_num}: {exc}"
        ) from None
    return _table(records, shown)


def _from_xlsx(raw: bytes, shown: str, sheet: str | None) -> StaffingTable:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise StaffingFileError(f"{shown}: not an .xlsx workbook ({exc})") from None
    if expanded > MAX_XLSX_EXPANDED_BYTES:
        raise StaffingFileError(
            f"{shown}: the workbook unzips to {expanded:,} bytes, more than "
            f"{MAX_XLSX_EXPANDED_BYTES:,}; save the staffing sheet on its own"
        )
    from openpyxl import load_workbook  # heavy: only when a scenario names a workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise StaffingFileError(f"{shown}: cannot be read as a workbook ({exc})") from None
    try:
        names = list(book.sheetnames)
        if sheet is None:
            if not names:
                raise StaffingFileError(f"{shown}: the workbook has no sheet")
            sheet = names[0]
        elif sheet not in names:
            raise StaffingFileError(
                f"{shown}: no sheet {sheet!r} (sheets: {', '.join(names) or 'none'})"
            )
        records: list[tuple[int, list[Any]]] = []
        for number, row in enumerate(
            book[sheet].iter_rows(max_col=len(COLUMNS) + 20, values_only=True), start=1
        ):
            records.append((number, [_xlsx_value(v) for v in row]))
            if len(records) > MAX_ROWS + 1:
                break
    finally:
        book.close()
    return _table(records, f"{shown}, sheet {sheet}")


def _xlsx_value(value: Any) -> Any:
    """A cell as the CSV reader would give it: times as 'HH:MM', whole floats as integers."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")  # a date is no time of day: the schema says so
    if isinstance(value, dt.time):
        minutes = round(value.hour * 60 + value.minute + value.second / 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    if isinstance(value, dt.timedelta):  # a [h]:mm cell; 24:00 is the end of the day
        minutes = round(value.total_seconds() / 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _table(records: list[tuple[int, list[Any]]], shown: str) -> StaffingTable:
    """Rows of plain values from the records (line or row number, cells) of a table."""
    table = StaffingTable(shown)
    records = [(n, cells) for n, cells in records if any(_text(c) for c in cells)]
    if not records:
        table.problems.append(("", "the file is empty; expected a header row and one row a block"))
        return table
    header_row, header = records[0]
    while header and not _text(header[-1]):
        header.pop()  # spreadsheets leave empty cells after the last column
    columns: list[str | None] = []
    for j, cell in enumerate(header, start=1):
        name = _text(cell).lower()
        if name in COLUMNS and name not in columns:
            columns.append(name)
            continue
        columns.append(None)
        if name in COLUMNS:
            message = f"column {name!r} appears twice"
        elif not name:
            message = f"column {j} has no name; expected one of {', '.join(COLUMNS)}"
        else:
            close = difflib.get_close_matches(name, COLUMNS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            message = (
                f"unknown column {_text(cell)!r}{hint}; the columns are the keys of a staffing "
                f"block: {', '.join(COLUMNS)}"
            )
        table.problems.append((f"row {header_row} (header)", message))
    missing = tuple(c for c in REQUIRED_COLUMNS if c not in columns)
    if missing:
        table.problems.append(
            (f"row {header_row} (header)", f"missing column(s) {', '.join(missing)} (required)")
        )
    table.missing_columns = missing
    body = records[1:]
    if len(body) > MAX_ROWS:
        table.problems.append(("", f"more than {MAX_ROWS:,} blocks (rows); one a minute at most"))
        body = body[:MAX_ROWS]
    if not body:
        table.problems.append((f"row {header_row}", "no block: add one row a block"))
    for number, cells in body:
        used = len(cells)
        while used and not _text(cells[used - 1]):
            used -= 1
        if used > len(columns):
            table.problems.append(
                (
                    f"row {number}",
                    f"{used} cells but the header names {len(columns)} column(s): a value "
                    "without a column",
                )
            )
        row: dict[str, Any] = {}
        for column, cell in zip(columns, cells, strict=False):
            if column is None:
                continue
            value = _value(column, cell)
            if value is not None:
                row[column] = value
        table.rows.append(row)
        table.row_numbers.append(number)
    return table


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def _value(column: str, cell: Any) -> Any:
    """The value of a cell as YAML would hold it; ``None`` for an empty cell (the default)."""
    if isinstance(cell, str):
        cell = cell.strip()
        if not cell:
            return None
        if column not in ("start", "end") and _INT.fullmatch(cell):
            return int(cell)
    return cell
