"""Each distribution's sample mean and variance agree with its stated moments."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from checkoutsim.scenario.distributions import Distribution

ADAPTER: TypeAdapter = TypeAdapter(Distribution)

SPECS = [
    {"kind": "fixed", "value": 2.5},
    {"kind": "exponential", "mean": 3.0},
    {"kind": "lognormal", "mean": 9.26, "sd": 5.4},
    {"kind": "gamma", "mean": 0.13, "sd": 0.06},
    {"kind": "triangular", "low": 0.05, "mode": 0.1, "high": 0.25},
    {"kind": "uniform", "low": 0.25, "high": 0.5},
    {"kind": "empirical", "values": [0.197, 0.22, 0.302], "weights": [1, 2, 1]},
    {"kind": "empirical", "values": [1, 2, 3, 10]},
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s["kind"])
def test_sample_moments_match_stated_moments(spec: dict) -> None:
    dist = ADAPTER.validate_python(spec)
    x = dist.sample(np.random.default_rng(12345), 200_000)
    assert x.shape == (200_000,) and np.all(x >= 0)
    sd = np.sqrt(dist.variance)
    # 99.9% band for the sample mean (CLT), exact for the fixed case.
    assert abs(x.mean() - dist.mean) <= 3.3 * sd / np.sqrt(x.size) + 1e-12
    if sd > 0:
        assert abs(x.var() / dist.variance - 1) < 0.05


def test_lognormal_median_is_what_the_docs_say() -> None:
    dist = ADAPTER.validate_python({"kind": "lognormal", "mean": 9.26, "sd": 5.4})
    assert dist.median == pytest.approx(8.0, abs=0.05)


def test_fixed_draws_consume_no_random_numbers() -> None:
    dist = ADAPTER.validate_python({"kind": "fixed", "value": 1})
    rng = np.random.default_rng(1)
    dist.sample(rng, 10)
    assert rng.random() == np.random.default_rng(1).random()


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "exponential", "mean": -1},
        {"kind": "lognormal", "mean": 1},
        {"kind": "uniform", "low": 2, "high": 1},
        {"kind": "empirical", "values": [1, 2], "weights": [1]},
        {"kind": "empirical", "values": [1, 2], "weights": [0, 0]},
        {"kind": "gamma", "mean": 1, "sd": 1, "shape": 2},
        {"kind": "exponential", "mean": float("nan")},
    ],
)
def test_invalid_parameters_are_rejected(spec: dict) -> None:
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(spec)
