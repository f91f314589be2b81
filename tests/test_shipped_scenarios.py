"""The shipped scenarios load, and the lean plan shows the collapse its story describes."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkoutsim import Scenario, load_scenario, simulate
from checkoutsim.scenario.week import is_week_file, load_week

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.mark.parametrize("path", sorted(SCENARIOS.rglob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_scenario_loads(path: Path) -> None:
    if path.parent.name in {"plans", "sweeps"}:
        pytest.skip("plan and sweep files are not scenarios")
    if is_week_file(path):
        load_week(path)  # a week file: every day type is a scenario
        return
    load_scenario(path)


def _means(scenario: Scenario) -> dict[tuple[str, str], tuple[float, float, float]]:
    summary = simulate(scenario, replications=8, seed=99).summary()
    return {
        (r.scope, r.metric): (r.mean, r.ci_low, r.ci_high) for r in summary.itertuples(index=False)
    }


def test_lean_staffing_is_worse_where_its_story_says(weekday: Scenario, lean: Scenario) -> None:
    """One cashier, twelve kiosks, one attendant vs the weekday plan (same customers).

    Compared with 95% CIs over 8 days: lean must be worse with intervals that do not overlap.
    """
    w, ln = _means(weekday), _means(lean)

    def clearly_higher(key: tuple[str, str]) -> None:
        assert ln[key][1] > w[key][2], (key, ln[key], w[key])

    clearly_higher(("cashier", "wait_mean_min"))
    clearly_higher(("kiosk", "wait_mean_min"))
    clearly_higher(("kiosk", "wait_p95_min"))
    clearly_higher(("all", "attendant_response_mean_min"))
    clearly_higher(("all", "attendant_response_p90_min"))
    clearly_higher(("all", "attendants_utilisation_pct"))
    clearly_higher(("all", "reneged"))
    clearly_higher(("all", "balked"))
