"""Cross-field checks of a scenario's ``breaks:`` against its hours and staffing.

A break is taken during a shift: the lane of a cashier on break must be staffed for the whole
nominal break (``start`` to ``start + length_min``), no more attendants may be on break at once
than are staffed, two breaks of one lane must not overlap, and every break lies between
opening and closing. Plain numbers in, ``(key path, message)`` out, so :mod:`schema` can call
this without an import cycle.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import NamedTuple

__all__ = ["BlockCounts", "BreakTimes", "break_problems"]

Loc = tuple[str | int, ...]


class BreakTimes(NamedTuple):
    """One break: role, lane (1-based; 0 for an attendant), start and end, minutes after
    midnight (the end may be fractional)."""

    role: str
    lane: int
    start: float
    end: float


class BlockCounts(NamedTuple):
    """One staffing block: start and end (minutes after midnight) and its staff counts."""

    start: int
    end: int
    cashiers: int
    express_cashiers: int
    attendants: int


def _clock(minutes: float) -> str:
    whole = round(minutes)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def break_problems(
    breaks: Sequence[BreakTimes],
    blocks: Sequence[BlockCounts],
    open_min: int,
    close_min: int,
    lanes: int,
    express_lanes: int,
) -> list[tuple[Loc, str]]:
    """Every problem of ``breaks`` (see the module docstring), with its key path."""
    problems: list[tuple[Loc, str]] = []
    for i, b in enumerate(breaks):
        if b.start < open_min:
            problems.append((("breaks", i, "start"), f"starts before opening ({_clock(open_min)})"))
            continue
        if b.end > close_min:
            problems.append(
                (
                    ("breaks", i, "length_min"),
                    f"the break would end at {_clock(b.end)}, after closing "
                    f"({_clock(close_min)}): breaks are taken while the store is open",
                )
            )
            continue
        if b.role == "attendant":
            continue
        express = b.role == "express_cashier"
        exist = express_lanes if express else lanes
        key = "cashiers.express.lanes" if express else "cashiers.lanes"
        if b.lane > exist:
            problems.append(
                (("breaks", i, "lane"), f"lane {b.lane} but only {exist} exist ({key})")
            )
            continue
        for k, block in enumerate(blocks):
            staffed = block.express_cashiers if express else block.cashiers
            if block.start < b.end and b.start < block.end and b.lane > staffed:
                problems.append(
                    (
                        ("breaks", i, "lane"),
                        f"lane {b.lane} is not staffed between {_clock(block.start)} and "
                        f"{_clock(block.end)} (staffing[{k}] staffs {staffed}): a break is "
                        "taken during the person's shift",
                    )
                )
                break
    problems += _overlapping_lane_breaks(breaks)
    problems += _too_many_attendants_away(breaks, blocks)
    return problems


def _overlapping_lane_breaks(breaks: Sequence[BreakTimes]) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    seen: dict[tuple[str, int], list[int]] = {}
    for i, b in enumerate(breaks):
        if b.role == "attendant":
            continue
        for j in seen.get((b.role, b.lane), []):
            other = breaks[j]
            if other.start < b.end and b.start < other.end:
                problems.append(
                    (
                        ("breaks", i, "start"),
                        f"overlaps breaks[{j}] of the same lane ({_clock(other.start)} to "
                        f"{_clock(other.end)})",
                    )
                )
                break
        seen.setdefault((b.role, b.lane), []).append(i)
    return problems


def _too_many_attendants_away(
    breaks: Sequence[BreakTimes], blocks: Sequence[BlockCounts]
) -> list[tuple[Loc, str]]:
    """Attendant breaks at once above the attendants staffed, on every stretch where the
    count of breaks and the staffing are constant."""
    away = [(i, b) for i, b in enumerate(breaks) if b.role == "attendant"]
    if not away:
        return []
    cuts = sorted({t for _, b in away for t in (b.start, b.end)} | {k.start for k in blocks})
    for lo, hi in itertools.pairwise(cuts):
        during = [i for i, b in away if b.start <= lo and hi <= b.end]
        block = next((k for k in blocks if k.start <= lo < k.end), None)
        if block is not None and len(during) > block.attendants:
            return [
                (
                    ("breaks", during[-1], "start"),
                    f"{len(during)} attendants on break between {_clock(lo)} and "
                    f"{_clock(hi)} but only {block.attendants} staffed",
                )
            ]
    return []
