"""The by-hour split of the cashier's and the kiosks' customers, and the help wait by hour.

Each figure is checked against the same statistic computed straight from the recorded tables
(customers and assists), day by day, then averaged: not against stored numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_tables_80 import render

from checkoutsim import load_scenario, simulate
from checkoutsim.report.hourly_tables import hourly_channels_table
from checkoutsim.results.tables import SimulationResult

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def lean() -> SimulationResult:
    return simulate(load_scenario(ROOT / "scenarios" / "lean_staffing.yaml"), 3, seed=11)


def _mean_over_days(frame: pd.DataFrame, column: str, days: int) -> float:
    per_day = [np.percentile(g[column], 90) for _, g in frame.groupby("rep")]
    assert len(per_day) == days  # every day had such customers
    return float(np.mean(per_day))


@pytest.mark.parametrize("channel", ["cashier", "kiosk"])
def test_channel_wait_by_hour_is_the_channel_customers_p90(
    lean: SimulationResult, channel: str
) -> None:
    s = lean.summary_by_hour_and_channel()
    row = s[(s["hour"] == "17:00") & (s["customers"] == channel) & (s["metric"] == "wait_p90_min")]
    c = lean.customers
    served = c[
        (c["arrival_hour"] == "17:00") & (c["channel"] == channel) & (c["outcome"] == "served")
    ]
    expected = _mean_over_days(served, "queue_wait_min", lean.replications)
    assert float(row["mean"].iloc[0]) == pytest.approx(expected, rel=1e-12)


def test_help_wait_is_by_the_hour_the_kiosk_froze(lean: SimulationResult) -> None:
    s = lean.summary_by_hour()
    row = s[(s["hour"] == "17:00") & (s["metric"] == "attendant_response_p90_min")]
    a = lean.assists
    frozen = a[a["stuck_hour"] == "17:00"]
    expected = _mean_over_days(frozen, "wait_for_attendant_min", lean.replications)
    assert float(row["mean"].iloc[0]) == pytest.approx(expected, rel=1e-12)


def test_the_table_shows_each_channel_and_the_help_wait(lean: SimulationResult) -> None:
    text = render(hourly_channels_table(lean))
    assert max(len(line) for line in text.splitlines()) <= 80
    for label in ("Cashier", "Kiosk", "Help wait", "Attendants"):
        assert label in text
    s = lean.summary_by_hour_and_channel()
    kiosk = s[
        (s["hour"] == "17:00") & (s["customers"] == "kiosk") & (s["metric"] == "wait_p90_min")
    ]
    row = next(line for line in text.splitlines() if line.startswith("│ 17:00"))
    assert f"{float(kiosk['mean'].iloc[0]):.2f}" in row
