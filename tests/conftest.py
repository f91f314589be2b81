"""Shared fixtures: scenarios from the shipped files, small enough to run fast."""

from __future__ import annotations

from pathlib import Path

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
