"""The package's layers (docs/architecture.md), checked on the source: imports run downward only.

Every ``import`` and ``from ... import`` in every module of ``checkoutsim/`` is read from the
AST wherever it stands (module level, inside a function, under ``TYPE_CHECKING``), so a lazy
import cannot hide an upward dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "checkoutsim"

# The layers in order: a module may import its own layer and the layers before it.
LAYERS = (
    "scenario",
    "model",
    "experience",
    "results",
    "experiments",
    "validation",
    "report",
    "calibration",
    "planning",
)
# Modules that import no layer and any module may read: the version, the command-line limits,
# the lazy public names of a package.
BASE = {"checkoutsim._version", "checkoutsim._limits", "checkoutsim._lazy"}
COMMAND_LINE = {"checkoutsim.cli", "checkoutsim.__main__"}  # may import every layer
ROOT = "checkoutsim"  # the public face: imports everything, imported by nothing inside


def module_name(path: Path, package: Path) -> str:
    """Dotted module name of a file under ``package``."""
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, package: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in a file, relative imports resolved.

    ``from a.b import c`` names the module ``a.b.c`` when ``c`` is a module or subpackage of
    ``a.b`` (so ``from . import document`` is an edge to ``document``), and ``a.b`` otherwise.
    """
    here = module_name(path, package).split(".")
    containing = here if path.name == "__init__.py" else here[:-1]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = containing[: len(containing) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            folder = package.parent.joinpath(*target.split("."))
            for alias in node.names:
                sub = folder / alias.name
                is_module = sub.with_suffix(".py").exists() or (sub / "__init__.py").exists()
                yield node.lineno, f"{target}.{alias.name}" if is_module else target


def layer_rank(module: str) -> int | None:
    """Position in LAYERS of a module ``checkoutsim.<layer>...``; None outside the layers."""
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def upward_imports(path: Path, package: Path = PACKAGE) -> list[str]:
    """Every import in ``path`` that breaks the layer rule, as 'file:line: a -> b (why)'."""
    here = module_name(path, package)
    problems = []
    for line, target in imported_modules(path, package):
        if target != ROOT and not target.startswith(ROOT + "."):
            continue  # another package
        where = f"{path.relative_to(package.parent)}:{line}: {here} -> {target}"
        if here == ROOT or target in BASE:
            continue
        if here in BASE:
            problems.append(f"{where} ({here} imports nothing)")
        elif target == ROOT:
            problems.append(f"{where} (the package root is for users, not for the package)")
        elif here in COMMAND_LINE:
            continue
        elif target in COMMAND_LINE:
            problems.append(f"{where} (only the command line imports the command line)")
        elif (target_rank := layer_rank(target)) is None:
            problems.append(f"{where} (not a module of any layer)")
        elif (own := layer_rank(here)) is None:
            problems.append(f"{where} ({here} is in no layer)")
        elif target_rank > own:
            problems.append(f"{where} ({LAYERS[target_rank]} comes after {LAYERS[own]})")
    return problems


def import_cycle(package: Path = PACKAGE) -> list[str] | None:
    """The first cycle of module-to-module imports, or None.

    A package's ``__init__`` re-exporting its own modules is not a cycle: the edge from a module
    to its enclosing package is left out (the import system loads that package first anyway).
    """
    modules = {module_name(p, package): p for p in sorted(package.rglob("*.py"))}
    graph = {
        name: sorted(
            {t for _, t in imported_modules(path, package)}
            & (modules.keys() - {name})
            - {name.rsplit(".", k)[0] for k in range(1, name.count(".") + 1)}
        )
        for name, path in modules.items()
    }
    state = dict.fromkeys(graph, "new")
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for nxt in graph[node]:
            if state[nxt] == "open":
                return [*stack[stack.index(nxt) :], nxt]
            if state[nxt] == "new" and (cycle := visit(nxt)) is not None:
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in graph:
        if state[node] == "new" and (cycle := visit(node)) is not None:
            return cycle
    return None


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: module_name(p, PACKAGE)
)
def test_imports_run_downward_only(path: Path) -> None:
    assert upward_imports(path) == []


def test_every_module_is_in_a_layer() -> None:
    top = sorted(module_name(p, PACKAGE) for p in PACKAGE.glob("*.py"))
    assert top == sorted({ROOT, *BASE, *COMMAND_LINE})
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    assert folders == sorted(LAYERS)


def test_no_import_cycle_between_modules() -> None:
    cycle = import_cycle()
    assert cycle is None, " -> ".join(cycle or [])


# ------------------------------------------------------------------------------------------
# the checks themselves can fail


def _fake_package(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "checkoutsim"
    for rel, text in {"__init__.py": "", **files}.items():
        path = package / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.parent != package and not (path.parent / "__init__.py").exists():
            (path.parent / "__init__.py").write_text("")
        path.write_text(text)
    return package


def test_checker_names_upward_and_root_imports(tmp_path: Path) -> None:
    package = _fake_package(
        tmp_path,
        {
            "model/store.py": "def f():\n"
            "    from checkoutsim.report.plots import wait_ecdf\n"
            "    from checkoutsim import simulate\n"
            "    from ..scenario.schema import Scenario\n"
            "    from ..planning import optimize\n"
            "    from checkoutsim import _version, scenario\n",
            "report/plots.py": "",
            "scenario/schema.py": "",
            "planning/__init__.py": "",
            "_version.py": "",
        },
    )
    problems = upward_imports(package / "model" / "store.py", package)
    assert len(problems) == 3, problems
    assert (
        "checkoutsim.model.store -> checkoutsim.report.plots (report comes after model)"
        in (problems[0])
    )
    assert ":3: checkoutsim.model.store -> checkoutsim (the package root" in problems[1]
    assert "-> checkoutsim.planning (planning comes after model)" in problems[2]


@pytest.mark.parametrize("lazy_import", ["from .document import render", "from . import document"])
def test_cycle_check_finds_a_cycle(tmp_path: Path, lazy_import: str) -> None:
    package = _fake_package(
        tmp_path,
        {
            "validation/cases.py": f"def main():\n    {lazy_import}\n",
            "validation/document.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from checkoutsim.validation.cases import Case\n",
        },
    )
    assert import_cycle(package) == [
        "checkoutsim.validation.cases",
        "checkoutsim.validation.document",
        "checkoutsim.validation.cases",
    ]
