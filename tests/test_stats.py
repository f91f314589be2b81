"""Tests for checkoutsim.results.stats: oracles are hand computations with scipy.stats.t and scipy's
own t-tests, brute-force loops, and a seeded coverage experiment."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from checkoutsim.results.stats import (
    Interval,
    SequentialPrecision,
    confidence_interval,
    paired_difference,
    paired_summary,
    replications_needed,
    summarise_reps,
    welch_difference,
)

SAMPLE = [4.1, 5.3, 2.2, 6.8, 5.0, 3.9, 4.4]

# --------------------------------------------------------------------------------------------
# confidence_interval


def test_ci_matches_hand_computation() -> None:
    x = np.array(SAMPLE)
    n = x.size
    mean = x.sum() / n
    sd = math.sqrt(((x - mean) ** 2).sum() / (n - 1))
    half = st.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    ci = confidence_interval(SAMPLE)
    assert isinstance(ci, Interval)
    assert ci.n == n
    assert ci.level == 0.95
    assert ci.mean == pytest.approx(mean, rel=1e-12)
    assert ci.sd == pytest.approx(sd, rel=1e-12)
    assert ci.half_width == pytest.approx(half, rel=1e-12)
    assert (ci.low, ci.high) == pytest.approx((mean - half, mean + half), rel=1e-12)
    # A 90% interval is narrower, with its own quantile.
    ci90 = confidence_interval(SAMPLE, level=0.90)
    assert ci90.half_width == pytest.approx(st.t.ppf(0.95, n - 1) * sd / math.sqrt(n))


def test_ci_is_frozen() -> None:
    ci = confidence_interval(SAMPLE)
    with pytest.raises(AttributeError):
        ci.mean = 0.0  # type: ignore[misc]


def test_ci_coverage_of_normal_mean() -> None:
    # 2000 independent "experiments" of 10 replications; the 95% t interval must cover the
    # true mean about 95% of the time (a z interval would give ~92% and fail).
    rng = np.random.default_rng(20240611)
    true_mean = 3.0
    draws = rng.normal(true_mean, 2.0, size=(2000, 10))
    covered = [confidence_interval(row).contains(true_mean) for row in draws]
    assert 0.935 <= np.mean(covered) <= 0.965


def test_ci_single_value_has_nan_half_width() -> None:
    ci = confidence_interval([7.5])
    assert ci.n == 1
    assert ci.mean == 7.5
    assert math.isnan(ci.half_width) and math.isnan(ci.low) and math.isnan(ci.sd)
    assert not ci.contains(7.5)


def test_ci_drops_nan_and_counts_finite_only() -> None:
    with_nan = confidence_interval([*SAMPLE, math.nan, math.nan])
    assert with_nan == confidence_interval(SAMPLE)
    assert with_nan.n == len(SAMPLE)
    # pandas nullable NA counts as missing too.
    s = pd.Series([*SAMPLE, None], dtype="Float64")
    assert confidence_interval(s).n == len(SAMPLE)


def test_ci_zero_variance_and_empty() -> None:
    ci = confidence_interval([0.1] * 7)
    assert ci.half_width == 0.0 and ci.sd == 0.0
    assert ci.low == ci.high == ci.mean
    empty = confidence_interval([math.nan])
    assert empty.n == 0 and math.isnan(empty.mean)


@pytest.mark.parametrize(
    "values, level",
    [([1.0, math.inf], 0.95), ([1.0, 2.0], 1.0), ([1.0, 2.0], 0.0), ([[1.0, 2.0]], 0.95)],
)
def test_ci_rejects_bad_input(values: list[float], level: float) -> None:
    with pytest.raises(ValueError):
        confidence_interval(values, level)


# --------------------------------------------------------------------------------------------
# paired_difference / welch_difference


def _correlated_pairs(n: int = 20, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    # A shared "day" effect (what CRN induces) plus small independent noise.
    rng = np.random.default_rng(seed)
    day = rng.normal(10.0, 3.0, size=n)
    a = day + rng.normal(0.0, 0.5, size=n)
    b = day + 0.8 + rng.normal(0.0, 0.5, size=n)
    return a, b


def test_paired_difference_matches_scipy_ttest_rel() -> None:
    a, b = _correlated_pairs()
    res = paired_difference(a, b)
    d = b - a
    assert res.diff == pytest.approx(d.mean(), rel=1e-12)
    assert res.diff == pytest.approx(res.mean_b - res.mean_a, rel=1e-12)
    ref = st.ttest_rel(b, a)
    assert res.t_stat == pytest.approx(ref.statistic, rel=1e-10)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    lo, hi = ref.confidence_interval(0.95)
    assert (res.low, res.high) == pytest.approx((lo, hi), rel=1e-10)
    assert res.n == a.size and res.significant


def test_paired_ci_narrower_than_welch_with_positive_correlation() -> None:
    a, b = _correlated_pairs()
    assert np.corrcoef(a, b)[0, 1] > 0.5
    paired = paired_difference(a, b)
    welch = welch_difference(a, b)
    assert paired.diff == pytest.approx(welch.diff)
    assert paired.half_width < 0.5 * welch.half_width
    assert paired.significant and not welch.significant


def test_welch_matches_scipy() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(5, 1, size=8), rng.normal(6, 3, size=13)
    res = welch_difference(a, b, level=0.9)
    ref = st.ttest_ind(b, a, equal_var=False)
    assert res.t_stat == pytest.approx(ref.statistic, rel=1e-10)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert (res.low, res.high) == pytest.approx(ref.confidence_interval(0.9), rel=1e-10)
    assert (res.n_a, res.n_b) == (8, 13)


def test_paired_bonferroni_widens_interval() -> None:
    a, b = _correlated_pairs()
    one = paired_difference(a, b)
    three = paired_difference(a, b, bonferroni=3)
    assert three.level_adjusted == pytest.approx(1 - 0.05 / 3)
    n = a.size
    expected = st.t.ppf(1 - 0.05 / 6, n - 1) * three.sd_diff / math.sqrt(n)
    assert three.half_width == pytest.approx(expected, rel=1e-10)
    assert three.half_width > one.half_width
    assert three.p_value == one.p_value
    assert three.p_adjusted == pytest.approx(min(1.0, 3 * one.p_value))


def test_paired_length_mismatch_and_bad_bonferroni() -> None:
    with pytest.raises(ValueError, match="same length"):
        paired_difference([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError):
        paired_difference([1.0, 2.0], [1.0, 3.0], bonferroni=0)


def test_paired_drops_pairs_with_nan_and_handles_identical_plans() -> None:
    res = paired_difference([1.0, 2.0, math.nan, 4.0], [2.0, math.nan, 5.0, 6.0])
    assert res.n == 2 and res.diff == pytest.approx(1.5)
    same = paired_difference(SAMPLE, SAMPLE)
    assert same.diff == 0.0 and same.half_width == 0.0
    assert same.p_value == 1.0 and not same.significant
    shifted = paired_difference(SAMPLE, [x + 1.0 for x in SAMPLE])
    assert shifted.diff == pytest.approx(1.0)
    assert shifted.half_width == pytest.approx(0.0, abs=1e-12)
    assert shifted.significant and shifted.p_value < 1e-6


# --------------------------------------------------------------------------------------------
# replications_needed / SequentialPrecision


def _brute_force_n(values: np.ndarray, h: float, level: float, n0: int) -> int:
    s = np.std(values, ddof=1)
    n = n0
    while st.t.ppf(1 - (1 - level) / 2, n - 1) * s / math.sqrt(n) > h:
        n += 1
    return n


@pytest.mark.parametrize("h", [2.0, 0.7, 0.25, 0.1])
def test_replications_needed_matches_brute_force(h: float) -> None:
    pilot = np.random.default_rng(11).normal(20.0, 2.5, size=10)
    assert replications_needed(pilot, h) == _brute_force_n(pilot, h, 0.95, 10)
    assert replications_needed(pilot, h, level=0.99, n0=2) == _brute_force_n(pilot, h, 0.99, 2)


def test_replications_needed_is_monotone() -> None:
    pilot = np.random.default_rng(12).normal(5.0, 1.0, size=8)
    targets = [1.0, 0.5, 0.3, 0.2, 0.1, 0.05]
    ns = [replications_needed(pilot, h, n0=2) for h in targets]
    assert ns == sorted(ns)
    assert ns[0] < ns[-1]


def test_replications_needed_edge_cases() -> None:
    assert replications_needed([3.0] * 6, 0.1) == 6  # zero variance: the pilot is enough
    with pytest.raises(ValueError):
        replications_needed([1.0], 0.1)
    with pytest.raises(ValueError):
        replications_needed([1.0, 2.0], 0.0)


def _alternating(n: int) -> list[float]:
    return [(-1.0) ** i for i in range(n)]


def test_sequential_stops_at_first_n_reaching_precision() -> None:
    seq = _alternating(200)
    target = 0.6
    # Expected: first n >= n0 whose prefix interval is within target (brute force).
    expected = next(
        n
        for n in range(5, 200)
        if st.t.ppf(0.975, n - 1) * np.std(seq[:n], ddof=1) / math.sqrt(n) <= target
    )
    rule = SequentialPrecision(half_width_target=target, n0=5, max_reps=200)
    for v in seq:
        if rule.add(v):
            break
    assert rule.done and rule.reason == "precision reached"
    assert rule.n_added == expected
    assert rule.interval.half_width <= target
    with pytest.raises(RuntimeError):
        rule.add(0.0)


def test_sequential_respects_n0_and_max() -> None:
    rule = SequentialPrecision(half_width_target=1.0, n0=5)
    for _ in range(4):
        assert not rule.add(10.0)  # zero variance, but fewer than n0 values
    assert rule.reason is None
    assert rule.add(10.0) and rule.n_added == 5
    capped = SequentialPrecision(half_width_target=1e-6, n0=5, max_reps=12)
    for v in _alternating(100):
        if capped.add(v):
            break
    assert capped.reason == "max replications reached" and capped.n_added == 12
    assert capped.interval.n == 12


def test_sequential_nan_counts_toward_max_not_n0() -> None:
    rule = SequentialPrecision(half_width_target=1.0, n0=3, max_reps=10)
    for v in [1.0, math.nan, 1.0]:
        rule.add(v)
    assert not rule.done and rule.interval.n == 2 and rule.n_added == 3
    assert rule.add(1.0) and rule.reason == "precision reached"


# --------------------------------------------------------------------------------------------
# summarise_reps / paired_summary


def _reps_frame(n_reps: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(99)
    plans = ["current", "minus_cashier", "plus_kiosks"]
    day = rng.normal(4.0, 1.0, size=n_reps)
    shift = {"current": 0.0, "minus_cashier": 1.5, "plus_kiosks": -0.2}
    frames = [
        pd.DataFrame(
            {
                "scenario": p,
                "rep": np.arange(n_reps),
                "wait_mean_min": day + shift[p] + rng.normal(0, 0.3, n_reps),
                "abandoned": rng.poisson(5 + 3 * shift[p] ** 2, n_reps),
            }
        )
        for p in plans
    ]
    return pd.concat(frames, ignore_index=True)


def test_summarise_reps_shape_order_and_values() -> None:
    df = _reps_frame()
    df.loc[3, "wait_mean_min"] = np.nan  # one missing value in "current"
    out = summarise_reps(df, ["wait_mean_min", "abandoned"], by=["scenario"])
    assert list(out.columns) == [
        "scenario",
        "metric",
        "mean",
        "ci_low",
        "ci_high",
        "half_width",
        "sd",
        "n",
    ]
    assert out.shape == (6, 8)
    assert list(out["scenario"]) == [
        "current",
        "current",
        "minus_cashier",
        "minus_cashier",
        "plus_kiosks",
        "plus_kiosks",
    ]
    assert list(out["metric"]) == ["wait_mean_min", "abandoned"] * 3
    for row in out.itertuples():
        ref = confidence_interval(df.loc[df.scenario == row.scenario, row.metric])
        assert row.n == ref.n
        assert (row.mean, row.ci_low, row.ci_high, row.half_width, row.sd) == pytest.approx(
            (ref.mean, ref.low, ref.high, ref.half_width, ref.sd), rel=1e-10
        )
    assert out.loc[0, "n"] == 7
    # One row against scipy directly, independent of confidence_interval.
    x = df.loc[df.scenario == "plus_kiosks", "abandoned"].to_numpy(dtype=float)
    hand = st.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size)
    assert out.loc[5, "half_width"] == pytest.approx(hand, rel=1e-12)


def test_summarise_reps_without_by_and_degenerate_groups() -> None:
    df = pd.DataFrame(
        {
            "scenario": ["a", "a", "a", "b", "c", "c"],
            "rep": [0, 1, 2, 0, 0, 1],
            "x": [1.0, 2.0, 4.0, 5.0, 3.0, 3.0],
        }
    )
    whole = summarise_reps(df[df.scenario == "a"], ["x"])
    assert list(whole.columns) == ["metric", "mean", "ci_low", "ci_high", "half_width", "sd", "n"]
    ref = confidence_interval([1.0, 2.0, 4.0])
    assert whole.loc[0, "half_width"] == pytest.approx(ref.half_width)
    per = summarise_reps(df, ["x"], by=["scenario"]).set_index("scenario")
    assert math.isnan(per.loc["b", "half_width"]) and per.loc["b", "n"] == 1  # n = 1
    assert per.loc["c", "half_width"] == 0.0 and per.loc["c", "sd"] == 0.0  # zero variance


def test_summarise_reps_rejects_per_customer_rows_and_bad_columns() -> None:
    df = _reps_frame()
    pooled = pd.concat([df, df], ignore_index=True)  # two rows per (scenario, rep)
    with pytest.raises(ValueError, match="one row per"):
        summarise_reps(pooled, ["wait_mean_min"], by=["scenario"])
    with pytest.raises(ValueError, match="not in DataFrame"):
        summarise_reps(df, ["no_such_metric"], by=["scenario"])
    labelled = df.assign(label="x")
    with pytest.raises(ValueError, match="numeric"):
        summarise_reps(labelled, ["label"], by=["scenario"])


def test_paired_summary_values_and_columns() -> None:
    df = _reps_frame()
    metrics = ["wait_mean_min", "abandoned"]
    out = paired_summary(df, metrics, base="current")
    assert list(out.columns) == [
        "scenario",
        "metric",
        "base_mean",
        "plan_mean",
        "diff_mean",
        "diff_low",
        "diff_high",
        "half_width",
        "p_value",
        "p_adjusted",
        "significant",
        "n",
        "level_adjusted",
    ]
    assert list(out["scenario"]) == ["minus_cashier"] * 2 + ["plus_kiosks"] * 2
    assert list(out["metric"]) == metrics * 2
    k = 4  # 2 plans x 2 metrics
    # Shuffle rows: pairing must follow the rep column, not row order.
    shuffled = df.sample(frac=1.0, random_state=1)
    out_shuffled = paired_summary(shuffled, metrics, base="current")
    for row in out_shuffled.itertuples():
        base = df[df.scenario == "current"].sort_values("rep")[row.metric].to_numpy()
        plan = df[df.scenario == row.scenario].sort_values("rep")[row.metric].to_numpy()
        ref = paired_difference(base, plan, bonferroni=k)
        assert row.n == ref.n
        assert row.significant == ref.significant
        assert (
            row.base_mean,
            row.plan_mean,
            row.diff_mean,
            row.diff_low,
            row.diff_high,
            row.p_value,
            row.p_adjusted,
            row.level_adjusted,
        ) == pytest.approx(
            (
                ref.mean_a,
                ref.mean_b,
                ref.diff,
                ref.low,
                ref.high,
                ref.p_value,
                ref.p_adjusted,
                ref.level_adjusted,
            ),
            rel=1e-9,
        )
    sig = out.set_index(["scenario", "metric"])["significant"]
    assert sig[("minus_cashier", "wait_mean_min")]


def test_paired_summary_bonferroni_options_and_default_base() -> None:
    df = _reps_frame()
    default = paired_summary(df, ["wait_mean_min"])  # base = first plan ("current")
    assert list(default["scenario"]) == ["minus_cashier", "plus_kiosks"]
    assert default["level_adjusted"].iloc[0] == pytest.approx(1 - 0.05 / 2)
    plain = paired_summary(df, ["wait_mean_min"], bonferroni=False)
    assert (plain["level_adjusted"] == 0.95).all()
    assert (plain["half_width"] < default["half_width"]).all()
    assert (plain["p_value"] == plain["p_adjusted"]).all()


def test_paired_summary_missing_reps_is_an_error() -> None:
    df = _reps_frame()
    gap = df[~((df.scenario == "plus_kiosks") & (df.rep == 5))]
    with pytest.raises(ValueError, match=r"plus_kiosks.*lacks 1 replication"):
        paired_summary(gap, ["wait_mean_min"], base="current")
    # Extra reps in a plan beyond the base's are ignored (inner join on rep).
    extra = df[~((df.scenario == "current") & (df.rep == 7))]
    out = paired_summary(extra, ["wait_mean_min"], base="current")
    assert (out["n"] == 7).all()
    with pytest.raises(ValueError, match="not found"):
        paired_summary(df, ["wait_mean_min"], base="nope")
