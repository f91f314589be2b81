"""Shared fixtures: scenarios from the shipped files, small enough to run fast."""

from __future__ import annotations

from pathlib import Path

import pytest

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
