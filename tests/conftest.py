"""Shared fixtures: scenarios from the shipped files, small enough to run fast."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from checkoutsim import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="session")
def weekday() -> Scenario:
    return load_scenario(SCENARIOS / "weekday.yaml")


@pytest.fixture(scope="session")
def lean() -> Scenario:
    return load_scenario(SCENARIOS / "lean_staffing.yaml")


@pytest.fixture(scope="session")
def mmc() -> Scenario:
    return load_scenario(SCENARIOS / "validation" / "mmc.yaml")


# -- hypothesis profiles (tests/test_properties.py) ------------------------------------------
# "fast" (the default): few examples, the same ones every run (derandomized: never flaky).
# "thorough": many more, freshly random; select with --hypothesis-profile=thorough.
settings.register_profile(
    "fast",
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("hypothesis_profile", None):
        settings.load_profile("fast")


# -- order and grouping under xdist (make test: -n auto --dist loadgroup) ----------------------
# A free worker takes the next unit of work, so the longest units go first and a long test never
# runs alone at the end; a module whose tests share a module-scoped fixture (a simulated run, a
# roster) is one unit, so that fixture is computed once rather than on both workers. (The
# grouping is done by the scheduler below: xdist 3.8's own xdist_group marks have no effect
# under pytest 9, whose test ids xdist can no longer rename.)


def _shares_module_fixture(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(d.scope == "module" for defs in info.name2fixturedefs.values() for d in defs[-1:])


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def _rank(item: pytest.Item) -> int:
    if item.get_closest_marker("slow"):
        return 0
    if item.get_closest_marker("browser") or item.get_closest_marker("notebook"):
        return 2
    return 3


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Longest first: slow tests, then modules sharing a module-scoped fixture (whole), then
    browser and notebook tests, then the rest, each in collection order."""
    grouped = {_module(item.nodeid) for item in items if _shares_module_fixture(item)}
    module_rank: dict[str, int] = {}
    for item in items:
        name = _module(item.nodeid)
        if name in grouped:
            module_rank[name] = min(module_rank.get(name, 1), _rank(item))

    def key(item: pytest.Item) -> int:
        name = _module(item.nodeid)
        return module_rank[name] if name in grouped else _rank(item)

    items.sort(key=key)


_MODULE_FIXTURE = re.compile(r"@pytest\.fixture\(scope=\"module\"")


@functools.cache
def _module_has_shared_fixture(path: str) -> bool:
    """Whether the test module at ``path`` (relative to the root) defines a module fixture."""
    try:
        return bool(_MODULE_FIXTURE.search((ROOT / path).read_text(encoding="utf-8")))
    except OSError:
        return False


@pytest.hookimpl(optionalhook=True)  # a hook of xdist's, unknown without it (-p no:xdist)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup``: each test is a unit of its own, except that the tests of a module
    defining a module-scoped fixture form one unit (the controller sees test ids only)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = _module(nodeid)
            return module if _module_has_shared_fixture(module) else nodeid

    return ModuleFixtureScheduling(config, log)
