"""Tables that fit the terminal: the widest layout that fits, narrower ones otherwise.

A rich table squeezed below its natural width truncates headers (``Arri…``) and cells (an
interval's far end, a significance ``*``). :class:`Fitted` instead picks, at print time, the
first of several layouts whose natural width fits the console; the last is used whatever
the width. :func:`stack` is the usual narrow layout of a cell: the interval under the mean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table

__all__ = ["Fitted", "natural_width", "needed_width", "stack"]

_UNBOUNDED = 10_000
"""Width at which a table is measured unsqueezed."""


def natural_width(console: Console, options: ConsoleOptions, renderable: RenderableType) -> int:
    """Columns a renderable takes when nothing has to wrap."""
    return Measurement.get(console, options.update_width(_UNBOUNDED), renderable).maximum


def needed_width(console: Console, options: ConsoleOptions, renderable: RenderableType) -> int:
    """Columns a renderable needs to show every figure on its line.

    A table's columns that may wrap and have a ``min_width`` (labels) count as that width;
    every other column as its natural width. A group needs what its widest part needs.
    """
    if isinstance(renderable, Group):
        return max(needed_width(console, options, r) for r in renderable.renderables)
    width = natural_width(console, options, renderable)
    if isinstance(renderable, Table):
        wide = options.update_width(_UNBOUNDED)
        for column in renderable.columns:
            if column.no_wrap or column.min_width is None:
                continue
            cells = [column.header, *column.cells]
            natural = max(Measurement.get(console, wide, cell).maximum for cell in cells)
            width -= max(0, natural - column.min_width)
    return width


class Fitted:
    """The first layout that fits the width it is printed in (the last one otherwise).

    A layout fits when :func:`needed_width` is at most the width: its labels may wrap down to
    their ``min_width``, its figures may not.

    Parameters
    ----------
    layouts : callables returning a renderable
        Widest first. Each is built when printed (so a test can render at any width).
    """

    def __init__(self, *layouts: Callable[[], RenderableType]):
        if not layouts:
            raise ValueError("Fitted needs at least one layout")
        self.layouts = layouts

    def choose(self, console: Console, options: ConsoleOptions) -> RenderableType:
        """The layout used at ``options.max_width``."""
        for build in self.layouts[:-1]:
            renderable = build()
            if needed_width(console, options, renderable) <= options.max_width:
                return renderable
        return self.layouts[-1]()

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.choose(console, options)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.choose(console, options))


def stack(cells: Iterable[str]) -> list[str]:
    """Cells with the interval on a line of its own (``2.0 ± 0.5`` -> ``2.0`` / ``± 0.5``)."""
    out = []
    for cell in cells:
        for mark in (" ± ", " ["):
            if mark in cell:
                mean, rest = cell.split(mark, 1)
                cell = f"{mean}\n{mark.strip()}{' ' if mark == ' ± ' else ''}{rest}"
                break
        out.append(cell)
    return out
