"""The command line starts without the scientific stack (issue 20: ``--help`` in <= 0.3 s).

Structure, not timing: a fresh interpreter imports the CLI (or runs ``--help`` / ``validate``)
and the test lists which heavy packages ended up in ``sys.modules``. The timings themselves are
measured by ``benchmarks/startup.py`` (docs/performance.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("scipy", "pandas", "matplotlib", "pyarrow", "simpy", "numpy")


def heavy_modules_after(code: str) -> list[str]:
    """Heavy packages imported by running ``code`` in a fresh interpreter."""
    probe = (
        "import sys\n"
        f"{code}\n"
        f"print('\\n' + __import__('json').dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def run_cli(*args: str) -> str:
    return (
        "from checkoutsim.cli import app\n"
        "try:\n"
        f"    app({list(args)!r})\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
    )


def test_importing_the_package_imports_no_heavy_module() -> None:
    assert heavy_modules_after("import checkoutsim") == []


def test_importing_the_cli_imports_no_heavy_module() -> None:
    assert heavy_modules_after("import checkoutsim.cli") == []


def test_help_imports_no_heavy_module() -> None:
    assert heavy_modules_after(run_cli("--help")) == []


@pytest.mark.parametrize(
    "name", ["weekday", "lean_staffing", "weekend_peak", "weekday_csv_staffing"]
)
def test_validate_a_scenario_imports_no_heavy_module(name: str) -> None:
    assert heavy_modules_after(run_cli("validate", f"scenarios/{name}.yaml")) == []


def test_public_names_still_resolve_after_the_planning_layer_is_imported() -> None:
    # The public function `checkoutsim.optimize` must not be shadowed by a subpackage once the
    # CLI's optimize command (or anything else) imports the layer that defines it.
    code = (
        "import checkoutsim.planning.optimizer, checkoutsim.experiments.simulate\n"
        "import checkoutsim\n"
        "assert callable(checkoutsim.optimize) and checkoutsim.optimize.__module__.endswith("
        "'optimizer')\n"
        "assert checkoutsim.simulate.__module__ == 'checkoutsim.experiments.simulate'\n"
        "assert callable(checkoutsim.simulate)\n"
    )
    heavy_modules_after(code)  # raises CalledProcessError if an assertion fails


def test_user_error_in_a_command_is_still_a_clear_message(tmp_path: Path) -> None:
    # Errors are recognised from the modules already loaded; a scenario error must still be
    # shown as a message with exit status 2, not a traceback.
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nstore: {open: '08:00', close: '09:00'}\nbogus_key: 1\n")
    done = subprocess.run(
        [sys.executable, "-m", "checkoutsim", "validate", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "bogus_key" in done.stderr


def test_validate_imports_only_the_modules_of_the_scenario_layer_it_needs() -> None:
    # The layer's __init__ imports its public names lazily: validating a scenario must not
    # load the plan, week, shift and override modules (issue 20, docs/performance.md).
    code = run_cli("validate", "scenarios/weekday.yaml") + (
        "print('\\n' + __import__('json').dumps(sorted(m for m in sys.modules "
        "if m.startswith('checkoutsim.scenario.'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import sys\n" + code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    unneeded = {"changes", "overrides", "plans", "shifts", "week"}
    assert loaded & {f"checkoutsim.scenario.{m}" for m in unneeded} == set()
    assert "checkoutsim.scenario.loader" in loaded
    assert "checkoutsim.scenario.fast_yaml" in loaded  # libyaml reads the file


def test_the_scenario_layer_still_offers_every_public_name() -> None:
    import checkoutsim.scenario as layer

    for name in layer.__all__:
        assert getattr(layer, name) is not None
    assert set(layer.__all__) <= set(dir(layer))
    with pytest.raises(AttributeError):
        _ = layer.no_such_name


def test_command_annotations_are_not_strings() -> None:
    # String annotations (`from __future__ import annotations`) would be evaluated each time
    # typer reads a command's signature, twice per command on every start-up.
    from checkoutsim import cli

    assert not isinstance(cli.validate.__annotations__["scenario_file"], str)


def test_the_console_script_runs_main_which_skips_the_shutdown_heap_walk() -> None:
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["checkoutsim"] == "checkoutsim.cli:main"
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
        "from checkoutsim.cli import main\n"
        "sys.argv = ['checkoutsim', 'validate', 'scenarios/weekday.yaml']\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "frozen True"


def test_validate_reads_a_week_file_once() -> None:
    # The file is parsed to tell a week from a scenario; that document is the one validated.
    code = (
        "import checkoutsim.scenario.loader as loader\n"
        "seen = []\n"
        "real = loader.parse_yaml_mapping\n"
        "loader.parse_yaml_mapping = lambda text, source, **kw: seen.append(source) or "
        "real(text, source, **kw)\n"
        + run_cli("validate", "scenarios/week.yaml")
        + "print('\\n' + __import__('json').dumps(seen))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen.count("scenarios/week.yaml") == 1, seen
