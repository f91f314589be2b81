"""The result object as an analyst meets it in a notebook."""

from __future__ import annotations

from checkoutsim import Scenario, simulate


def test_a_result_prints_in_one_line(mmc: Scenario) -> None:
    # Issue 18: the repr printed every table (about 14,000 characters on the weekday).
    result = simulate(mmc, replications=2, seed=1)
    text = repr(result)
    assert len(text) < 200 and "\n" not in text
    assert text.startswith("SimulationResult(scenario='mmc', replications=2, seed=1,")
    assert f"customers={len(result.customers):,} rows" in text
