"""The notebooks in ``notebooks/`` run top to bottom, and are committed without outputs.

Each is executed with the notebook's folder as working directory, as Jupyter and nbmake do,
from an empty namespace; a cell that raises fails the test with the cell's error. The three
share one kernel, its namespace emptied (``%reset -f``) before each: a name one notebook
defines is not there for the next, only the modules stay imported, as in a kernel reused in
Jupyter. (A fresh kernel per notebook spent about a second starting and importing checkoutsim,
pandas and matplotlib again, of three to four seconds per notebook.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

pytestmark = pytest.mark.notebook

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_the_three_notebooks_exist() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01_quickstart.ipynb",
        "02_compare_staffing.ipynb",
        "03_custom_analysis.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    code = [cell for cell in book.cells if cell.cell_type == "code"]
    assert code
    assert all(not cell.outputs and cell.execution_count is None for cell in code)


NAMES = "print(sorted(n for n in dir() if not n.startswith('_')))"


class Kernel:
    """One kernel, with the names a fresh one starts with (``open``, ``exit``, ``In``, ...)."""

    def __init__(self, folder: Path):
        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(cwd=str(folder))
        self.names = self.run(NAMES)

    def run(self, code: str) -> str:
        """Run ``code``; its standard output (it must not fail)."""
        kc = self.manager.client()
        kc.start_channels()
        out: list[str] = []

        def hook(msg: dict) -> None:  # type: ignore[type-arg]
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])

        try:
            kc.wait_for_ready(timeout=60)
            reply = kc.execute_interactive(code, timeout=60, output_hook=hook)
        finally:
            kc.stop_channels()
        assert reply["content"]["status"] == "ok", reply["content"]
        return "".join(out)

    def fresh(self, folder: Path) -> None:
        """Empty the namespace and enter ``folder``: as a fresh kernel started there."""
        self.run(f"%reset -f\nimport os\nos.chdir({str(folder)!r})\ndel os")
        assert self.run(NAMES) == self.names


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    one = Kernel(NOTEBOOKS[0].parent)
    try:
        yield one
    finally:
        one.manager.shutdown_kernel(now=True)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_top_to_bottom(path: Path, kernel: Kernel) -> None:
    book = nbformat.read(path, as_version=4)
    kernel.fresh(path.parent)
    client = NotebookClient(
        book,
        km=kernel.manager,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        client.execute()  # raises CellExecutionError, with the cell and traceback, on failure
    finally:
        if client.kc is not None:
            client.kc.stop_channels()
    figures = [
        output
        for cell in book.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]
    assert figures, "no figure was displayed"
