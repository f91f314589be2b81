"""validate warns about blocks whose demand is more than the staff on duty can serve (issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from checkoutsim import Scenario, load_scenario, simulate, with_overrides
from checkoutsim.cli import app
from checkoutsim.scenario.load_check import overloaded_blocks

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["weekday", "lean_staffing", "weekend_peak"])
def test_the_shipped_stores_keep_up(name: str) -> None:
    assert overloaded_blocks(load_scenario(ROOT / "scenarios" / f"{name}.yaml")) == []


def _rush(weekday: Scenario) -> Scenario:
    return with_overrides(weekday, {"arrivals.profile[start=17:00].customers_per_hour": 2500})


def test_a_rush_hour_beyond_the_staff_is_named(weekday: Scenario) -> None:
    (block,) = overloaded_blocks(_rush(weekday))
    assert (block.start, block.end, block.servers) == ("17:00", "18:00", 14)
    assert block.rho_at_least > 3


def test_the_bound_is_a_lower_bound_the_simulation_confirms(weekday: Scenario) -> None:
    # Where the check says rho > 1, the servers on duty are (nearly) never idle that hour.
    result = simulate(_rush(weekday), replications=2, seed=5, workers=1)
    hourly = result.summary_by_hour().set_index(["hour", "metric"])["mean"]
    assert hourly[("17:00", "cashiers_utilisation_pct")] > 95
    assert hourly[("17:00", "kiosks_utilisation_pct")] > 95


def test_the_saturated_validation_case_is_flagged() -> None:
    # The machine-repair case keeps its kiosk bank saturated on purpose (docs/validation.md).
    case = load_scenario(ROOT / "scenarios" / "validation" / "machine_repair.yaml")
    assert overloaded_blocks(case)


def test_validate_warns_and_still_accepts(weekday: Scenario, tmp_path: Path) -> None:
    text = (ROOT / "scenarios" / "weekday.yaml").read_text()
    path = tmp_path / "rush.yaml"
    path.write_text(text.replace("customers_per_hour: 320}", "customers_per_hour: 2500}"))
    res = CliRunner().invoke(app, ["validate", str(path)])
    output = " ".join(res.output.split())
    assert res.exit_code == 0, output
    assert f"warning: {path}: 17:00-18:00: 2,500 customers an hour" in output
    assert "rho > 1" in output
