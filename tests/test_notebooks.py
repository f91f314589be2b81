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
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.util import run_sync

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
    """One kernel for the module, with the names a fresh one starts with (``open``, ``exit``,
    ``In``, ...). An asynchronous manager, as nbclient's own: a kernel that dies under a
    notebook is then reported at once (DeadKernelError), and restarted for the next."""

    def __init__(self, folder: Path):
        self.manager = AsyncKernelManager(kernel_name="python3")
        self.names = self.run(NAMES, folder)

    def run(self, code: str, folder: Path) -> str:
        """Run ``code`` (started in ``folder`` if no kernel runs yet); its printed output."""
        book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
        self.execute(book, folder, timeout=60)
        return "".join(o.get("text", "") for o in book.cells[0].outputs)

    def execute(self, book: nbformat.NotebookNode, folder: Path, timeout: int) -> None:
        """Run every cell of ``book`` in this kernel (started in ``folder`` if none runs);
        raises CellExecutionError, with the cell and traceback, when a cell fails."""
        client = NotebookClient(
            book,
            km=self.manager,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(folder)}},
        )
        try:
            client.execute()
        finally:
            if client.kc is not None:
                client.kc.stop_channels()

    def fresh(self, folder: Path) -> None:
        """Empty the namespace and enter ``folder``: as a fresh kernel started there."""
        if not run_sync(self.manager.is_alive)():  # a notebook killed it: it failed alone
            run_sync(self.manager.restart_kernel)(now=True)
        code = f"%reset -f\nimport os\nos.chdir({str(folder)!r})\ndel os\n{NAMES}"
        assert self.run(code, folder) == self.names

    def close(self) -> None:
        run_sync(self.manager.shutdown_kernel)(now=True)


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    one = Kernel(NOTEBOOKS[0].parent)
    try:
        yield one
    finally:
        one.close()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_top_to_bottom(path: Path, kernel: Kernel) -> None:
    book = nbformat.read(path, as_version=4)
    kernel.fresh(path.parent)
    kernel.execute(book, path.parent, timeout=600)
    figures = [
        output
        for cell in book.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]
    assert figures, "no figure was displayed"
