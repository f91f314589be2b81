"""The calibration layer's fast paths give the numbers of the scipy calls they replace.

Each fast path computes what a scipy function computed before (issue 20): the Theil-Sen line
of the log screen (``scipy.stats.theilslopes``), the negative binomial basket fit
(``scipy.stats.fit`` on every transaction, now on the distinct basket sizes weighted by their
counts), the rounded basket families' cdfs (frozen scipy distributions) and the preference
fit's cells (counted per simulated day where it ran, no longer from ``simulate()``'s tables).
Each is compared with its reference, exactly where the arithmetic is the same and within the
reference's own optimiser tolerance where an optimiser is involved.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import optimize, stats

from checkoutsim import load_scenario, simulate
from checkoutsim.calibration import basket, preferences, reading
from checkoutsim.calibration.robust import theil_sen
from checkoutsim.model.store import run_replication

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _points(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(2, 120))
    xs = draw(st.lists(st.integers(0, draw(st.integers(1, 30))), min_size=n, max_size=n))
    ys = draw(st.lists(st.integers(0, 50), min_size=n, max_size=n))  # ties in y too
    x = np.array(xs, dtype=float)
    if np.ptp(x) == 0:
        x[0] += 1.0
    return np.array(ys, dtype=float) / 10, x


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt")  # scipy's interval
@given(data=st.composite(_points)())
def test_theil_sen_equals_scipy_with_ties(data: tuple[np.ndarray, np.ndarray]) -> None:
    y, x = data
    ref = stats.theilslopes(y, x)
    assert theil_sen(y, x) == (ref.slope, ref.intercept)


@pytest.mark.parametrize("distinct", [3, 40, None])
def test_theil_sen_equals_scipy_on_2000_rows(distinct: int | None) -> None:
    rng = np.random.default_rng(distinct or 0)
    x = rng.integers(1, distinct, 2000).astype(float) if distinct else rng.gamma(2, 5, 2000)
    y = 0.5 + 0.05 * x + rng.gamma(2.0, 0.3, 2000)
    y[:50] *= 20  # outliers, what the line is there to resist
    ref = stats.theilslopes(y, x)
    assert theil_sen(y, x) == (ref.slope, ref.intercept)


def test_theil_sen_refuses_a_single_x() -> None:
    with pytest.raises(ValueError, match="every x is the same"):
        theil_sen(np.array([1.0, 2.0, 3.0]), np.array([4.0, 4.0, 4.0]))


def test_typical_duration_is_the_scipy_theil_sen_line() -> None:
    """The log screen's typical duration, recomputed with scipy.stats.theilslopes."""
    rng = np.random.default_rng(7)
    n = 5000  # more than the 2,000 rows sampled per channel
    channel = rng.choice(["cashier", "kiosk"], n, p=[0.7, 0.3])
    items = rng.integers(1, 60, n)
    duration = 0.4 + 0.04 * items + rng.gamma(2.0, 0.2, n)
    frame = pd.DataFrame({"channel": channel, "items": items, "duration_min": duration})
    expected = np.empty(n)
    pick_rng = np.random.default_rng(0)  # the screen's own seed, channels in the same order
    for name in ("cashier", "kiosk"):
        mask = channel == name
        x, y = items[mask].astype(float), duration[mask]
        pick = pick_rng.choice(x.shape[0], min(x.shape[0], 2_000), replace=False)
        ref = stats.theilslopes(y[pick], x[pick])
        floor = max(float(np.median(y)) * 0.1, 1e-3)
        expected[mask] = np.maximum(ref.intercept + ref.slope * x, floor)
    np.testing.assert_array_equal(reading._typical_duration(frame), expected)


def test_nbinom_logpmf_equals_scipy() -> None:
    k = np.arange(0, 300, dtype=float)
    for n, p in [(1.0, 0.08), (7.0, 0.5), (1000.0, 0.999), (3.0, 1e-5)]:
        np.testing.assert_array_equal(basket.nbinom_logpmf(k, n, p), stats.nbinom.logpmf(k, n, p))


@pytest.mark.parametrize("theta", [(1.0, 0.08), (4.0, 0.3), (250.0, 0.9), (2.0, 1.0)])
def test_weighted_nbinom_objective_equals_scipy_fit_objective(theta: tuple[float, float]) -> None:
    """Summed over distinct sizes x counts, the objective is scipy.stats.fit's over every
    observation (including its penalty for an observation of zero probability at p = 1)."""
    rng = np.random.default_rng(11)
    raw = rng.negative_binomial(3, 0.2, 4000)
    values, counts = np.unique(raw, return_counts=True)
    weighted = basket.nbinom_nll(np.array(theta), values.astype(float), counts.astype(float))
    # What scipy.stats.fit minimises for nbinom with loc 0 (its `nllf` in scipy/stats/_fit.py).
    reference = stats.nbinom._penalized_nnlf(np.array([*theta, 0.0]), raw)
    assert weighted == pytest.approx(reference, rel=1e-12)


def _samples() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(3)
    shipped = pd.read_csv(SCENARIOS / "data" / "transactions.csv")["items"].to_numpy()
    return {
        "shipped logs": shipped - 1,
        "negative binomial": rng.negative_binomial(3, 0.2, 3000),
        "rounded lognormal": np.maximum(np.rint(rng.lognormal(2.2, 0.8, 15000)), 1) - 1,
        "small": np.maximum(np.rint(rng.gamma(1.5, 6, 60)), 1) - 1,
    }


@pytest.mark.parametrize("name", list(_samples()))
def test_fit_nbinom_matches_scipy_fit_on_raw_data(name: str) -> None:
    """The weighted fit finds scipy.stats.fit's optimum on the raw observations, within the
    reference's own run-to-run spread (its differential evolution is random: p moves by about
    1e-7 relative, the log-likelihood by 1e-10 between two unseeded runs)."""
    raw = _samples()[name].astype(np.int64)
    values, counts = np.unique(raw, return_counts=True)
    n, p, ll = basket.fit_nbinom(values, counts)
    seeded = partial(optimize.differential_evolution, rng=np.random.default_rng(5))
    ref = stats.fit(
        stats.nbinom, raw, bounds={"n": (0.01, 1000.0), "p": (1e-5, 1.0)}, optimizer=seeded
    )
    assert n == ref.params.n
    assert p == pytest.approx(ref.params.p, rel=1e-5)
    # For a given n the likelihood's maximum in p is n / (n + mean): the fit reaches it.
    assert p == pytest.approx(n / (n + raw.mean()), rel=1e-6)
    assert ll == pytest.approx(-ref.nllf(), rel=1e-9)
    assert ll == pytest.approx(float(np.sum(stats.nbinom.logpmf(raw, n, p))), rel=1e-12)


@pytest.mark.filterwarnings("ignore:overflow encountered")  # x / scale at 1e308, both ways
def test_rounded_family_cdfs_equal_frozen_scipy() -> None:
    x = np.concatenate([np.arange(0, 200) + 0.5, [1e-300, 1e300, 1e308]])
    for mean, sd in [(12.0, 9.0), (3.0, 0.5), (40.0, 80.0), (1e-3, 1e4), (900.0, 0.01)]:
        sigma2 = math.log1p((sd / mean) ** 2)  # basket.py's parametrisation, as before
        frozen = stats.lognorm(s=math.sqrt(sigma2), scale=mean * math.exp(-sigma2 / 2))
        np.testing.assert_array_equal(basket._lognormal(mean, sd)(x), frozen.cdf(x))
        frozen = stats.gamma(a=(mean / sd) ** 2, scale=sd * sd / mean)
        np.testing.assert_array_equal(basket._gamma(mean, sd)(x), frozen.cdf(x))


@pytest.mark.parametrize("column", ["arrival_min", "service_start_min"])
def test_day_cells_pooled_equal_the_cells_of_the_simulated_tables(column: str) -> None:
    """The preference fit counts each simulated day where it ran (no result tables); pooled,
    the counts are the cells of :func:`kiosk_share_cells` on ``simulate()``'s customers."""
    scenario = load_scenario(SCENARIOS / "weekday.yaml").with_overrides(
        {"customers": {"channel": {"never_kiosk_share": 0.2, "prefer_kiosk_share": 0.3}}}
    )
    limit = scenario.customers.kiosk_item_limit or 10**9
    seed, days = 99, 3
    c = simulate(scenario, replications=days, seed=seed, workers=1).customers
    c = c[c["outcome"] == "served"]
    expected = preferences.kiosk_share_cells(
        np.floor(c[column].to_numpy() / 60),
        c["basket_items"].to_numpy(),
        (c["channel"] == "kiosk").to_numpy(),
        limit,
    )
    cells = [
        preferences.day_cells(
            scenario,
            rep,
            seed,
            run_replication(scenario, rep, seed),
            arrival_column=column,
            limit=limit,
        )
        for rep in range(days)
    ]
    pd.testing.assert_frame_equal(preferences.pooled_cells(cells), expected)
