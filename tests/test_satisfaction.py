"""The experience functions: monotone in the documented direction, and exact where they count."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from checkoutsim.experience.satisfaction import (
    NpsCode,
    ces_score,
    csat_score,
    declining_score,
    effort_points,
    frustration_felt_min,
    likelihood_to_recommend,
    loyalty_baseline,
    loyalty_draws,
    net_promoter_score,
    nps_class,
    overtaken_counts,
    perceived_wait_min,
)
from checkoutsim.model.recorder import OutcomeCode
from checkoutsim.scenario.schema import CsatCurve, EffortCurve, NpsModel, PerceivedWait

pytestmark = pytest.mark.property

minutes = st.floats(min_value=0.0, max_value=500.0, allow_nan=False)
weights = st.floats(min_value=0.0, max_value=10.0, allow_nan=False)
outcomes = st.sampled_from([OutcomeCode.SERVED, OutcomeCode.BALKED, OutcomeCode.RENEGED])


@st.composite
def csat_curves(draw: st.DrawFn) -> CsatCurve:
    top = draw(st.floats(min_value=1.0, max_value=5.0))
    return CsatCurve(
        no_wait_score=top,
        half_score_felt_min=draw(st.floats(min_value=0.1, max_value=60.0)),
        shape=draw(st.floats(min_value=0.2, max_value=6.0)),
        balked_score=draw(st.floats(min_value=1.0, max_value=top)),
        reneged_max_score=draw(st.floats(min_value=1.0, max_value=top)),
    )


@st.composite
def effort_curves(draw: st.DrawFn) -> EffortCurve:
    top = draw(st.floats(min_value=1.0, max_value=7.0))
    return EffortCurve(
        easiest_score=top,
        half_score_effort_points=draw(st.floats(min_value=0.1, max_value=50.0)),
        shape=draw(st.floats(min_value=0.2, max_value=6.0)),
        effort_points_per_felt_min=draw(weights),
        effort_points_per_assist=draw(weights),
        effort_points_kiosk=draw(weights),
        balked_score=draw(st.floats(min_value=1.0, max_value=top)),
        reneged_max_score=draw(st.floats(min_value=1.0, max_value=top)),
    )


@given(x=minutes, dx=minutes, top=st.floats(1.0, 7.0), half=st.floats(0.01, 100.0))
def test_declining_score_is_non_increasing_and_bounded(
    x: float, dx: float, top: float, half: float
) -> None:
    a, b = declining_score(np.array([x, x + dx]), top, half, 2.0)
    assert b <= a + 1e-12
    assert 1.0 - 1e-12 <= b <= top + 1e-12
    assert declining_score(np.array([0.0]), top, half, 2.0)[0] == pytest.approx(top)
    assert declining_score(np.array([half]), top, half, 2.0)[0] == pytest.approx((top + 1) / 2)


@given(
    base=st.tuples(minutes, minutes, minutes, st.integers(0, 50)),
    which=st.integers(0, 3),
    extra=minutes,
    w=st.tuples(weights, weights, weights, weights),
)
def test_perceived_wait_non_decreasing_in_every_component(
    base: tuple[float, float, float, int], which: int, extra: float, w: tuple[float, ...]
) -> None:
    pw = PerceivedWait(
        queue_weight=w[0], service_weight=w[1], help_wait_weight=w[2], overtaken_felt_min=w[3]
    )
    more = list(base)
    more[which] = more[which] + (round(extra) if which == 3 else extra)
    lo = perceived_wait_min(*(np.array([v]) for v in base), pw)[0]
    hi = perceived_wait_min(*(np.array([v]) for v in more), pw)[0]
    assert hi >= lo - 1e-9


def test_idle_and_stuck_minutes_feel_longer_than_served_ones() -> None:
    pw = PerceivedWait()
    one = np.array([1.0])
    zero = np.array([0.0])
    queue = perceived_wait_min(one, zero, zero, zero, pw)[0]
    served = perceived_wait_min(zero, one, zero, zero, pw)[0]
    stuck = perceived_wait_min(zero, zero, one, zero, pw)[0]
    assert served < queue < stuck
    assert queue == pytest.approx(1.36)  # Larson's 36% overestimate


@given(f=minutes, df=minutes, outcome=outcomes, curve=csat_curves())
def test_csat_non_increasing_in_frustration(
    f: float, df: float, outcome: int, curve: CsatCurve
) -> None:
    o = np.array([outcome, outcome])
    a, b = csat_score(np.array([f, f + df]), o, curve)
    assert b <= a + 1e-12
    assert 1.0 - 1e-12 <= b <= a <= 5.0
    if outcome == OutcomeCode.RENEGED:
        assert a <= curve.reneged_max_score + 1e-12
    if outcome == OutcomeCode.BALKED:
        assert a == b == curve.balked_score


@given(p=minutes, assists=st.integers(0, 10), add=st.integers(0, 5), w=weights)
def test_frustration_grows_with_confusion_events(
    p: float, assists: int, add: int, w: float
) -> None:
    pw = PerceivedWait(confusion_felt_min=w)
    a, b = frustration_felt_min(np.array([p, p]), np.array([assists, assists + add]), pw)
    assert b >= a >= p - 1e-12


@given(
    p=minutes,
    dp=minutes,
    assists=st.integers(0, 10),
    add=st.integers(0, 5),
    kiosk=st.booleans(),
    outcome=outcomes,
    curve=effort_curves(),
)
def test_ces_non_increasing_in_wait_and_confusion(
    p: float, dp: float, assists: int, add: int, kiosk: bool, outcome: int, curve: EffortCurve
) -> None:
    pts = effort_points(
        np.array([p, p + dp]), np.array([assists, assists + add]), np.array([kiosk, kiosk]), curve
    )
    assert pts[1] >= pts[0] - 1e-12
    a, b = ces_score(pts, np.array([outcome, outcome]), curve)
    assert b <= a + 1e-12
    assert 1.0 - 1e-12 <= b <= 7.0


@given(
    u=st.floats(0.0, 0.999999),
    du=st.floats(0.0, 1.0),
    csat=st.floats(1.0, 5.0),
    dcsat=st.floats(0.0, 4.0),
    pro=st.floats(0.0, 100.0),
    det=st.floats(0.0, 100.0),
    k=st.floats(0.0, 5.0),
)
def test_likelihood_and_class_non_decreasing_in_csat_and_loyalty(
    u: float, du: float, csat: float, dcsat: float, pro: float, det: float, k: float
) -> None:
    if pro + det > 100.0:
        pro, det = pro / 2, det / 2
    model = NpsModel(
        baseline_promoter_pct=pro, baseline_detractor_pct=det, ltr_points_per_csat_point=k
    )
    top = 5.0
    u2 = min(u + du, 0.999999)
    c2 = min(csat + dcsat, top)
    ltr = likelihood_to_recommend(np.array([u, u, u2]), np.array([csat, c2, csat]), top, model)
    assert ltr[1] >= ltr[0] - 1e-9
    assert ltr[2] >= ltr[0] - 1e-9
    classes = nps_class(ltr)
    assert classes[1] >= classes[0]
    assert classes[2] >= classes[0]


def test_frictionless_class_mix_matches_the_baseline_shares() -> None:
    model = NpsModel(baseline_promoter_pct=48.0, baseline_detractor_pct=8.0)
    u = (np.arange(100_000) + 0.5) / 100_000
    classes = nps_class(likelihood_to_recommend(u, np.full(u.shape, 4.6), 4.6, model))
    assert np.mean(classes == NpsCode.PROMOTER) == pytest.approx(0.48, abs=1e-4)
    assert np.mean(classes == NpsCode.DETRACTOR) == pytest.approx(0.08, abs=1e-4)
    assert net_promoter_score(classes) == pytest.approx(40.0, abs=0.02)


def test_net_promoter_score_is_promoters_minus_detractors() -> None:
    classes = np.array([NpsCode.PROMOTER] * 5 + [NpsCode.PASSIVE] * 3 + [NpsCode.DETRACTOR] * 2)
    assert net_promoter_score(classes) == pytest.approx(30.0)
    assert np.isnan(net_promoter_score(np.array([], dtype=np.int8)))


def test_nps_class_boundaries_follow_reichheld() -> None:
    # Whole-number answers: 0-6 detractor, 7-8 passive, 9-10 promoter.
    answers = np.arange(11, dtype=float)
    expected = [NpsCode.DETRACTOR] * 7 + [NpsCode.PASSIVE] * 2 + [NpsCode.PROMOTER] * 2
    assert nps_class(answers).tolist() == expected


def test_loyalty_draws_are_reproducible_and_differ_by_replication() -> None:
    a = loyalty_draws(7, 0, 100)
    assert np.array_equal(a, loyalty_draws(7, 0, 100))
    assert not np.array_equal(a, loyalty_draws(7, 1, 100))
    # More customers never change the draws of the first ones (customer i is the same person).
    assert np.array_equal(a, loyalty_draws(7, 0, 150)[:100])


def _overtaken_brute(
    arrival: np.ndarray, end: np.ndarray, start: np.ndarray, group: np.ndarray
) -> np.ndarray:
    out = np.zeros(arrival.shape[0], dtype=np.int64)
    for i in range(arrival.shape[0]):
        if group[i] < 0 or np.isnan(end[i]):
            continue
        for j in range(arrival.shape[0]):
            if group[j] == group[i] and arrival[j] > arrival[i] and start[j] < end[i]:
                out[i] += 1
    return out


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.floats(0.0, 100.0),
            st.floats(0.0, 20.0),
            st.booleans(),
            st.booleans(),
            st.integers(-1, 1),
        ),
        max_size=40,
    )
)
def test_overtaken_counts_match_brute_force(
    rows: list[tuple[float, float, bool, bool, int]],
) -> None:
    arrival = np.array([r[0] for r in rows], dtype=float)
    wait = np.array([r[1] for r in rows], dtype=float)
    queued = np.array([r[2] for r in rows], dtype=bool)
    served = np.array([r[3] for r in rows], dtype=bool) & queued
    group = np.array([r[4] for r in rows], dtype=np.int64)
    end = np.where(queued, arrival + wait, np.nan)
    start = np.where(served, end, np.nan)
    got = overtaken_counts(arrival, end, start, group)
    assert got.tolist() == _overtaken_brute(arrival, end, start, group).tolist()


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 12),  # arrival: whole minutes, so that ties are frequent
            st.integers(0, 6),  # wait
            st.integers(-1, 6),  # service start after the wait (-1: never served)
            st.booleans(),  # queued at all (False: balked, no wait end)
            st.integers(-1, 7),  # group: a channel of a day, -1 none
        ),
        max_size=60,
    ),
    st.sampled_from(["as drawn", "by group and arrival", "by arrival"]),
)
# Two customers arrive together after one who waits long; the second of the pair starts early,
# the first is overtaken by a later arrival only: a tie never counts as an overtake.
@example(
    [(0, 10, 0, True, 0), (1, 7, 0, True, 0), (1, 1, 0, True, 0), (3, 1, 0, True, 0)], "as drawn"
)
@example(
    [(1, 1, 0, True, 3), (3, 1, 0, True, 3), (0, 10, 0, True, 3), (1, 7, 0, True, 3)], "as drawn"
)
def test_overtaken_counts_of_many_groups_in_any_row_order_match_brute_force(
    rows: list[tuple[int, int, int, bool, int]], order: str
) -> None:
    # Many days at once, each channel of each day its own group, with equal arrivals, equal
    # starts and ends, reneging (start never) and balking (no wait end); rows as the tables
    # list them (grouped, in order of arrival) or shuffled.
    if order == "by group and arrival":
        rows = sorted(rows, key=lambda r: (r[4], r[0]))
    elif order == "by arrival":
        rows = sorted(rows, key=lambda r: r[0])
    arrival = np.array([r[0] for r in rows], dtype=float)
    end = np.array([r[0] + r[1] if r[3] else np.nan for r in rows], dtype=float)
    start = np.array([r[0] + r[1] + r[2] if r[2] >= 0 else np.nan for r in rows], dtype=float)
    group = np.array([r[4] for r in rows], dtype=np.int64)
    got = overtaken_counts(arrival, end, start, group)
    assert got.tolist() == _overtaken_brute(arrival, end, start, group).tolist()


def test_a_single_fcfs_line_overtakes_nobody() -> None:
    arrival = np.array([0.0, 1.0, 2.0, 3.0])
    start = np.array([0.5, 4.0, 6.0, 9.0])
    assert overtaken_counts(arrival, start, start, np.zeros(4)).tolist() == [0, 0, 0, 0]


def _baseline_band_by_band(u: np.ndarray, d: float, p: float) -> np.ndarray:
    """The loyalty baseline written band by band (masked assignment, promoters last)."""
    base = np.empty_like(u)
    det, pro = u < d, u >= 1.0 - p
    pas = ~det & ~pro
    base[det] = 6.5 * u[det] / d if d > 0 else 0.0
    base[pas] = 6.5 + 2.0 * (u[pas] - d) / (1.0 - d - p) if 1.0 - d - p > 0 else 0.0
    base[pro] = 8.5 + 2.0 * (u[pro] - (1.0 - p)) / p if p > 0 else 0.0
    return base


@given(
    st.lists(st.floats(0.0, 1.0, exclude_max=True), min_size=1, max_size=50),
    st.sampled_from([0.0, 1e-300, 10.0, 20.0, 33.3, 60.0, 100.0]),
    st.sampled_from([0.0, 1e-300, 40.0, 66.7, 90.0, 100.0]),
)
@example([0.09999999999999998, 0.05, 0.5], 10.0, 90.0)  # 1 - 0.9 < 0.1: the bands overlap
def test_loyalty_baseline_equals_the_band_by_band_mapping(
    draws: list[float], detractor_pct: float, promoter_pct: float
) -> None:
    # Bit for bit, also where float rounding makes the bands overlap (10% + 90%) or a band is
    # empty or vanishingly narrow: the mapping is computed for all draws at once for speed.
    if detractor_pct + promoter_pct > 100.0:
        return
    model = NpsModel(baseline_detractor_pct=detractor_pct, baseline_promoter_pct=promoter_pct)
    u = np.array(draws)
    with np.errstate(all="ignore"):
        expected = _baseline_band_by_band(u, detractor_pct / 100.0, promoter_pct / 100.0)
    np.testing.assert_array_equal(loyalty_baseline(u, model), expected)


def test_nps_class_thresholds_and_missing_values() -> None:
    ltr = np.array([0.0, np.nextafter(6.5, 0.0), 6.5, np.nextafter(8.5, 0.0), 8.5, 10.0, np.nan])
    assert nps_class(ltr).tolist() == [0, 0, 1, 1, 2, 2, 1]
