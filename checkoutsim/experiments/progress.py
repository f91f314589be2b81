"""Progress of a run shown where the analyst is: a bar in a notebook or an interactive session.

:func:`simulate` takes ``progress=None`` (the default: a bar when Python runs interactively, in
Jupyter or at a ``>>>``/IPython prompt, and nothing in scripts, tests and pipelines), ``True``
(always a bar), ``False`` (never) or a callable ``progress(done, total)``.

In a notebook the bar is one HTML ``<progress>`` element updated in place (IPython's display
handles; no ipywidgets needed); elsewhere it is a rich bar on stderr, as on the command line.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["ProgressCallback", "ProgressOption", "in_notebook", "interactive", "progress_shown"]

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each finished replication."""

ProgressOption = ProgressCallback | bool | None
"""What ``simulate(progress=...)`` accepts (see the module docstring)."""


def _ipython_shell() -> Any:
    """The running IPython shell, or ``None`` (IPython is never imported here: only looked up)."""
    module = sys.modules.get("IPython")
    get = getattr(module, "get_ipython", None)
    return get() if get is not None else None


def in_notebook() -> bool:
    """Whether this Python is a Jupyter kernel (a notebook, JupyterLab, VS Code's notebooks)."""
    shell = _ipython_shell()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def interactive() -> bool:
    """Whether someone is watching: a notebook, an IPython prompt or Python's ``>>>`` prompt."""
    return _ipython_shell() is not None or hasattr(sys, "ps1") or bool(sys.flags.interactive)


@contextmanager
def progress_shown(
    progress: ProgressOption, total: int, label: str
) -> Iterator[ProgressCallback | None]:
    """The callback that shows ``progress`` for ``total`` units, or ``None`` for no display.

    Parameters
    ----------
    progress : callable, bool or None
        A callback is used as it is; ``True`` shows a bar, ``False`` nothing, ``None`` a bar
        only when :func:`interactive` and there is more than one unit.
    total : int
        Units of work (simulated days).
    label : str
        What is being done, shown before the bar.
    """
    if callable(progress):
        yield progress
        return
    if progress is False or (progress is None and (total <= 1 or not interactive())):
        yield None
        return
    if in_notebook():
        yield _notebook_bar(total, label)
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=console.is_terminal,  # in a log, the finished bar stays as a record
    )
    with bar:
        task = bar.add_task(label, total=total)
        yield lambda done, _total: bar.update(task, completed=done)


def _notebook_bar(total: int, label: str) -> ProgressCallback:
    from IPython.display import HTML, display

    started = time.monotonic()

    def html(done: int) -> HTML:
        elapsed = time.monotonic() - started
        return HTML(
            f"<div>{_escape(label)} <progress value='{done}' max='{total}'></progress> "
            f"{done}/{total} days, {elapsed:,.0f} s</div>"
        )

    handle = display(html(0), display_id=True)
    return lambda done, _total: handle.update(html(done)) if handle is not None else None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
