"""Unit tests for checkoutsim.validation.theory.

Each closed form is checked against something computed a different way: hand-derived textbook
values, the explicit factorial sums, scipy's Poisson and incomplete-gamma functions, a
recursion written out in the test, or an identity between two models.
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats
from scipy.special import gammainc, gammaln

from checkoutsim.validation import theory
from checkoutsim.validation.theory import (
    allen_cunneen_wq,
    birth_death_stationary,
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_min_servers,
    machine_repair,
    mg1_wq,
    mm1,
    mm1_wait_tail,
    mmc,
    mmc_wait_tail,
)

PROPERTY = settings(max_examples=40, deadline=None)

rates = st.floats(min_value=0.05, max_value=20.0, allow_nan=False, allow_infinity=False)
loads = st.floats(min_value=0.05, max_value=0.95)
servers = st.integers(min_value=1, max_value=40)


# ---------------------------------------------------------------------------------------------
# independent oracles


def erlang_b_factorial(a: float, c: int) -> float:
    """Erlang B straight from its definition (fine for small c)."""
    terms = [a**k / math.factorial(k) for k in range(c + 1)]
    return terms[-1] / sum(terms)


def erlang_c_factorial(a: float, c: int) -> float:
    """Erlang C from the textbook factorial formula."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def erlang_a_incomplete_gamma(lam: float, mu: float, c: int, theta: float) -> tuple[float, float]:
    """(P(wait > 0), P(abandon)) from Mandelbaum & Zeltyn's incomplete-gamma closed forms.

    A(x, y) = x e^y y^-x gamma(x, y); P(W > 0) = A E / (1 + (A - 1) E) with E = Erlang B;
    P(Ab | W > 0) = 1 / (rho A) + 1 - 1 / rho.
    """
    x, y, rho = c * mu / theta, lam / theta, lam / (c * mu)
    big_a = math.exp(math.log(x) + y - x * math.log(y) + gammaln(x) + math.log(gammainc(x, y)))
    e = erlang_b_factorial(lam / mu, c)
    p_wait = big_a * e / (1.0 + (big_a - 1.0) * e)
    return p_wait, p_wait * (1.0 / (rho * big_a) + 1.0 - 1.0 / rho)


def erlang_a_pasta(lam: float, mu: float, c: int, theta: float, n_top: int) -> dict[str, float]:
    """Erlang A from its chain (explicit products) and a step-by-step race recursion.

    For a tagged customer at queue position i: s_i = q_i s_{i-1} (P(served)) and
    m_i = s_i / r_i + q_i m_{i-1} (E[W 1{served}]), e_i = 1 / r_i + q_i e_{i-1} (E[W]),
    with r_i = c mu + i theta and q_i = (r_i - theta) / r_i.
    """
    w = [1.0]
    for k in range(1, n_top + 1):
        w.append(w[-1] * lam / (min(k, c) * mu + max(k - c, 0) * theta))
    pi = np.array(w) / sum(w)
    s, m, e = 1.0, 0.0, 0.0
    p_served, e_served, e_all = float(pi[:c].sum()), 0.0, 0.0
    for i, p in enumerate(pi[c:], start=1):
        r = c * mu + i * theta
        q = (r - theta) / r
        m = q * s / r + q * m
        e = 1.0 / r + q * e
        s = q * s
        p_served += p * s
        e_served += p * m
        e_all += p * e
    return {"p_served": p_served, "wq_served": e_served / p_served, "wq_all": e_all}


# ---------------------------------------------------------------------------------------------
# module hygiene


def test_all_names_exist_and_are_sorted() -> None:
    assert list(theory.__all__) == sorted(theory.__all__)
    for name in theory.__all__:
        assert hasattr(theory, name), name


# ---------------------------------------------------------------------------------------------
# Erlang B and C


@pytest.mark.parametrize("c", [1, 2, 3, 5, 8, 13, 21, 30])
@pytest.mark.parametrize("a", [0.3, 1.0, 4.5, 12.0])
def test_erlang_b_matches_factorial_sum(a: float, c: int) -> None:
    assert erlang_b(a, c) == pytest.approx(erlang_b_factorial(a, c), rel=1e-12)


def test_erlang_b_table_value_and_edges() -> None:
    # Classic table entry: 10 Erlangs on 10 trunks blocks 21.46 %.
    assert erlang_b(10.0, 10) == pytest.approx(0.214582, abs=1e-6)
    assert erlang_b(3.0, 0) == 1.0
    assert erlang_b(0.0, 5) == 0.0


@pytest.mark.parametrize(("a", "c"), [(900.0, 1000), (1000.0, 1000), (1200.0, 1000), (50.0, 1000)])
def test_erlang_b_large_c_no_overflow(a: float, c: int) -> None:
    # B = P(Poisson(a) = c) / P(Poisson(a) <= c): the truncated-Poisson form.
    expected = stats.poisson.pmf(c, a) / stats.poisson.cdf(c, a)
    got = erlang_b(a, c)
    assert 0.0 <= got <= 1.0
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize(("a", "c"), [(0.5, 1), (2.0, 3), (4.2, 5), (9.0, 12), (17.5, 20)])
def test_erlang_c_matches_factorial_formula(a: float, c: int) -> None:
    assert erlang_c(a, c) == pytest.approx(erlang_c_factorial(a, c), rel=1e-12)


def test_erlang_c_large_c() -> None:
    c, a = 1000, 990.0
    expected_b = stats.poisson.pmf(c, a) / stats.poisson.cdf(c, a)
    rho = a / c
    assert erlang_c(a, c) == pytest.approx(expected_b / (1 - rho * (1 - expected_b)), rel=1e-9)


# ---------------------------------------------------------------------------------------------
# M/M/1 and M/M/c


def test_mm1_textbook_values() -> None:
    res = mm1(0.9, 1.0)
    assert res.wq_min == pytest.approx(9.0)
    assert res.lq == pytest.approx(8.1)
    assert res.w_min == pytest.approx(10.0)
    assert res.l == pytest.approx(9.0)
    assert res.p_wait == pytest.approx(0.9)
    assert res.rho == pytest.approx(0.9)
    assert mm1_wait_tail(0.9, 1.0, 5.0) == pytest.approx(0.9 * math.exp(-0.5))


def test_mm3_hand_computed() -> None:
    # a = 2, c = 3: B1 = 2/3, B2 = 2/5, B3 = 4/19, C = (4/19) / (1 - (2/3)(15/19)) = 4/9.
    res = mmc(2.0, 1.0, 3)
    assert res.p_wait == pytest.approx(4 / 9, rel=1e-14)
    assert res.wq_min == pytest.approx(4 / 9, rel=1e-14)  # C / (c mu - lam) = (4/9) / 1
    assert res.lq == pytest.approx(8 / 9, rel=1e-14)
    assert res.w_min == pytest.approx(13 / 9, rel=1e-14)
    assert res.rho == pytest.approx(2 / 3)


@pytest.mark.property
@PROPERTY
@given(mu=rates, rho=loads)
def test_mmc_with_one_server_is_mm1(mu: float, rho: float) -> None:
    lam = rho * mu
    a, b = mmc(lam, mu, 1), mm1(lam, mu)
    for name in ("p_wait", "wq_min", "lq", "w_min", "l", "rho"):
        assert getattr(a, name) == pytest.approx(getattr(b, name), rel=1e-10), name
    assert mmc_wait_tail(lam, mu, 1, 1.7) == pytest.approx(mm1_wait_tail(lam, mu, 1.7), rel=1e-10)


@pytest.mark.property
@PROPERTY
@given(mu=rates, rho=loads, c=servers)
def test_mmc_littles_law_and_tail_integral(mu: float, rho: float, c: int) -> None:
    lam = rho * c * mu
    res = mmc(lam, mu, c)
    assert res.lq == pytest.approx(lam * res.wq_min, rel=1e-12)
    assert res.l == pytest.approx(lam * res.w_min, rel=1e-12)
    assert res.l == pytest.approx(res.lq + lam / mu, rel=1e-12)
    assert mmc_wait_tail(lam, mu, c, 0.0) == pytest.approx(res.p_wait, rel=1e-12)
    # E[Wq] = integral of P(Wq > t) dt.
    area, _ = integrate.quad(
        lambda t: mmc_wait_tail(lam, mu, c, t), 0.0, np.inf, epsabs=0.0, epsrel=1e-10
    )
    assert area == pytest.approx(res.wq_min, rel=1e-7)


@pytest.mark.property
@PROPERTY
@given(mu=rates, a=st.floats(min_value=0.05, max_value=30.0), extra=st.integers(1, 20))
def test_mmc_wait_decreases_in_servers(mu: float, a: float, extra: int) -> None:
    lam = a * mu
    c0 = math.floor(lam / mu) + 1
    while lam >= c0 * mu:  # a * mu / mu can round up to an integer
        c0 += 1
    waits = [mmc(lam, mu, c).wq_min for c in range(c0, c0 + extra + 1)]
    assert all(w1 > w2 for w1, w2 in pairwise(waits))
    p_waits = [erlang_c(lam / mu, c) for c in range(c0, c0 + extra + 1)]
    assert all(p1 > p2 for p1, p2 in pairwise(p_waits))


def test_zero_arrivals() -> None:
    res = mmc(0.0, 1.0, 3)
    assert (res.p_wait, res.wq_min, res.lq, res.w_min) == (0.0, 0.0, 0.0, 1.0)


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (mm1, (1.0, 1.0)),  # rho = 1
        (mm1, (1.2, 1.0)),
        (mm1, (-0.1, 1.0)),
        (mm1, (0.5, 0.0)),
        (mm1, (0.5, -1.0)),
        (mm1, (math.nan, 1.0)),
        (mm1, (0.5, math.inf)),
        (mmc, (3.0, 1.0, 3)),  # rho = 1
        (mmc, (3.5, 1.0, 3)),
        (mmc, (1.0, 1.0, 0)),
        (mmc, (1.0, 1.0, 2.5)),
        (mmc, (1.0, 1.0, True)),
        (mmc, (-1.0, 1.0, 2)),
        (mmc_wait_tail, (1.0, 1.0, 2, -0.1)),
        (mm1_wait_tail, (0.5, 1.0, -1.0)),
        (erlang_b, (-1.0, 3)),
        (erlang_b, (1.0, -1)),
        (erlang_c, (3.0, 3)),
        (erlang_c, (1.0, 0)),
    ],
)
def test_bad_arguments_raise(call: object, args: tuple[object, ...]) -> None:
    with pytest.raises(ValueError):
        call(*args)  # type: ignore[operator]


# ---------------------------------------------------------------------------------------------
# birth-death solver


@pytest.mark.parametrize(("rho", "k_max"), [(0.5, 10), (0.95, 40), (1.0, 7), (1.7, 25)])
def test_birth_death_mm1k_geometric(rho: float, k_max: int) -> None:
    lam, mu = rho * 2.0, 2.0
    pi = birth_death_stationary(np.full(k_max, lam), np.full(k_max, mu))
    k = np.arange(k_max + 1)
    if rho == 1.0:
        expected = np.full(k_max + 1, 1.0 / (k_max + 1))
    else:
        expected = (1 - rho) * rho**k / (1 - rho ** (k_max + 1))
    np.testing.assert_allclose(pi, expected, rtol=1e-12)


def test_birth_death_no_overflow() -> None:
    # rho = 3 over 5000 states: 3**5000 overflows a float, the normalised answer does not.
    pi = birth_death_stationary(np.full(5000, 3.0), np.full(5000, 1.0))
    assert np.all(np.isfinite(pi))
    assert pi.sum() == pytest.approx(1.0)
    assert pi[-1] == pytest.approx(2.0 / 3.0, rel=1e-9)
    assert pi[-2] == pytest.approx(2.0 / 9.0, rel=1e-9)


def test_birth_death_zero_birth_rate_truncates() -> None:
    pi = birth_death_stationary([1.0, 0.0, 5.0], [1.0, 1.0, 1.0])
    np.testing.assert_allclose(pi, [0.5, 0.5, 0.0, 0.0])


@pytest.mark.property
@PROPERTY
@given(
    st.lists(
        st.tuples(st.floats(1e-3, 1e3), st.floats(1e-3, 1e3)),
        min_size=1,
        max_size=60,
    )
)
def test_birth_death_detailed_balance(pairs: list[tuple[float, float]]) -> None:
    births = np.array([b for b, _ in pairs])
    deaths = np.array([d for _, d in pairs])
    pi = birth_death_stationary(births, deaths)
    assert pi.sum() == pytest.approx(1.0)
    assert np.all(pi >= 0)
    np.testing.assert_allclose(pi[:-1] * births, pi[1:] * deaths, rtol=1e-9, atol=1e-300)


@pytest.mark.parametrize(
    ("births", "deaths"),
    [([1.0, 2.0], [1.0]), ([1.0], [0.0]), ([-1.0], [1.0]), ([np.nan], [1.0]), ([1.0], [np.inf])],
)
def test_birth_death_bad_input(births: list[float], deaths: list[float]) -> None:
    with pytest.raises(ValueError):
        birth_death_stationary(births, deaths)


# ---------------------------------------------------------------------------------------------
# Erlang A


@pytest.mark.parametrize(
    ("lam", "mu", "c", "theta"),
    [(5.0, 1.0, 3, 0.5), (2.0, 1.0, 3, 0.1), (12.0, 0.5, 20, 2.0), (3.0, 1.0, 4, 1.0)],
)
def test_erlang_a_matches_incomplete_gamma_closed_form(
    lam: float, mu: float, c: int, theta: float
) -> None:
    p_wait, p_abandon = erlang_a_incomplete_gamma(lam, mu, c, theta)
    res = erlang_a(lam, mu, c, theta)
    assert res.p_wait == pytest.approx(p_wait, rel=1e-10)
    assert res.p_abandon == pytest.approx(p_abandon, rel=1e-10)


@pytest.mark.parametrize(
    ("lam", "mu", "c", "theta"),
    [(5.0, 1.0, 3, 0.5), (2.0, 1.0, 3, 0.1), (1.5, 0.2, 6, 0.05), (8.0, 1.0, 5, 3.0)],
)
def test_erlang_a_served_wait_and_abandonment_by_pasta_recursion(
    lam: float, mu: float, c: int, theta: float
) -> None:
    res = erlang_a(lam, mu, c, theta)
    oracle = erlang_a_pasta(lam, mu, c, theta, n_top=c + 400)
    assert res.wq_served_min == pytest.approx(oracle["wq_served"], rel=1e-9)
    # Abandonment two ways: theta E[Lq] / lam (flow balance) and 1 - P(served) (PASTA race).
    assert res.p_abandon == pytest.approx(1.0 - oracle["p_served"], rel=1e-9)
    # Mean wait of all arrivals two ways: Little (Lq / lam) and the per-position race.
    assert res.wq_min == pytest.approx(oracle["wq_all"], rel=1e-9)
    # Exponential patience: P(abandon) = theta E[wait of all arrivals].
    assert res.p_abandon == pytest.approx(theta * res.wq_min, rel=1e-12)
    # Servers' throughput: c mu utilisation = lam P(served).
    assert res.utilisation * c * mu == pytest.approx(lam * (1.0 - res.p_abandon), rel=1e-9)


def test_erlang_a_theta_equal_mu_is_poisson() -> None:
    # With theta = mu every customer in the system leaves at rate mu: M/M/inf, N ~ Poisson(a).
    lam, mu, c = 7.0, 1.25, 4
    a = lam / mu
    res = erlang_a(lam, mu, c, mu)
    n = stats.poisson(a)
    assert res.p_wait == pytest.approx(n.sf(c - 1), rel=1e-10)
    k = np.arange(c, 400)
    assert res.lq == pytest.approx(float(np.dot(k - c, n.pmf(k))), rel=1e-10)


@pytest.mark.parametrize(("lam", "mu", "c"), [(2.0, 1.0, 3), (9.0, 1.0, 10), (0.6, 0.25, 3)])
def test_erlang_a_small_theta_recovers_erlang_c(lam: float, mu: float, c: int) -> None:
    ec = mmc(lam, mu, c)
    for theta in (0.0, 1e-9):
        res = erlang_a(lam, mu, c, theta)
        assert res.p_wait == pytest.approx(ec.p_wait, rel=1e-6)
        assert res.wq_min == pytest.approx(ec.wq_min, rel=1e-6)
        assert res.wq_served_min == pytest.approx(ec.wq_min, rel=1e-6)
        assert res.lq == pytest.approx(ec.lq, rel=1e-6)
        assert res.p_abandon < 1e-6
    assert erlang_a(lam, mu, c, 0.0).p_abandon == 0.0


def test_erlang_a_impatient_limit_is_erlang_b() -> None:
    # theta -> inf: whoever would wait leaves at once, the M/M/c/c loss system.
    lam, mu, c = 6.0, 1.0, 5
    res = erlang_a(lam, mu, c, 1e7)
    assert res.p_abandon == pytest.approx(erlang_b(lam / mu, c), rel=1e-5)
    assert res.p_wait == pytest.approx(erlang_b(lam / mu, c), rel=1e-5)
    assert res.wq_min < 1e-6


def test_erlang_a_overloaded_is_stable_and_large() -> None:
    res = erlang_a(30.0, 1.0, 10, 0.2)  # rho = 3
    assert res.rho == pytest.approx(3.0)
    # Fluid limit: the queue holds about (lam - c mu) / theta = 100, two thirds abandon.
    assert res.lq == pytest.approx(100.0, rel=0.05)
    assert res.p_abandon == pytest.approx(2.0 / 3.0, rel=0.02)
    assert res.utilisation == pytest.approx(1.0, abs=1e-3)


@pytest.mark.property
@PROPERTY
@given(mu=rates, rho=st.floats(0.1, 2.5), c=servers, patience=st.floats(0.1, 50.0))
def test_erlang_a_properties(mu: float, rho: float, c: int, patience: float) -> None:
    lam, theta = rho * c * mu, 1.0 / (patience / mu)
    res = erlang_a(lam, mu, c, theta)
    assert 0.0 < res.p_abandon < res.p_wait <= 1.0
    assert res.p_abandon == pytest.approx(theta * res.wq_min, rel=1e-12)
    assert res.lq == pytest.approx(lam * res.wq_min, rel=1e-12)
    assert res.utilisation * c * mu == pytest.approx(lam * (1.0 - res.p_abandon), rel=1e-8)
    # More patience (smaller theta) means fewer abandon (in heavy overload both tend to the
    # fluid limit 1 - 1/rho, so allow round-off), and a longer wait.
    slower = erlang_a(lam, mu, c, theta / 2.0)
    assert slower.p_abandon <= res.p_abandon * (1.0 + 1e-12)
    assert slower.wq_min > res.wq_min


def test_erlang_a_bad_arguments() -> None:
    with pytest.raises(ValueError):
        erlang_a(3.0, 1.0, 3, 0.0)  # Erlang C at rho = 1
    with pytest.raises(ValueError):
        erlang_a(1.0, 1.0, 2, -0.5)
    with pytest.raises(ValueError):
        erlang_a(1.0, -1.0, 2, 0.5)
    with pytest.raises(ValueError):
        erlang_a(1.0, 1.0, 0, 0.5)
    with pytest.raises(ValueError, match="states"):
        erlang_a(20.0, 1.0, 10, 1e-9, max_states=10_000)


def test_erlang_a_zero_arrivals() -> None:
    res = erlang_a(0.0, 1.0, 2, 0.5)
    assert (res.p_wait, res.p_abandon, res.wq_min, res.lq) == (0.0, 0.0, 0.0, 0.0)


# ---------------------------------------------------------------------------------------------
# M/G/1 and Allen-Cunneen


@pytest.mark.property
@PROPERTY
@given(mu=rates, rho=loads)
def test_pollaczek_khinchine_exponential_and_deterministic(mu: float, rho: float) -> None:
    lam = rho * mu
    exp_wq = mg1_wq(lam, 1.0 / mu, 2.0 / mu**2)
    assert exp_wq == pytest.approx(mm1(lam, mu).wq_min, rel=1e-12)
    # M/D/1 waits exactly half as long as M/M/1.
    assert mg1_wq(lam, 1.0 / mu, 1.0 / mu**2) == pytest.approx(exp_wq / 2.0, rel=1e-12)


def test_pollaczek_khinchine_bad_arguments() -> None:
    with pytest.raises(ValueError):
        mg1_wq(1.0, 1.0, 2.0)  # rho = 1
    with pytest.raises(ValueError):
        mg1_wq(0.5, 1.0, 0.5)  # E[S^2] < E[S]^2
    with pytest.raises(ValueError):
        mg1_wq(-0.5, 1.0, 2.0)


@pytest.mark.property
@PROPERTY
@given(mu=rates, rho=loads, c=servers, cs2=st.floats(0.0, 4.0))
def test_allen_cunneen_exact_cases(mu: float, rho: float, c: int, cs2: float) -> None:
    lam = rho * c * mu
    assert allen_cunneen_wq(lam, mu, c, 1.0, 1.0) == pytest.approx(mmc(lam, mu, c).wq_min)
    # For c = 1 and Poisson arrivals it is exactly Pollaczek-Khinchine.
    lam1 = rho * mu
    es, es2 = 1.0 / mu, (1.0 + cs2) / mu**2
    assert allen_cunneen_wq(lam1, mu, 1, 1.0, cs2) == pytest.approx(mg1_wq(lam1, es, es2))


def test_allen_cunneen_bad_arguments() -> None:
    with pytest.raises(ValueError):
        allen_cunneen_wq(1.0, 1.0, 2, -0.1, 1.0)
    with pytest.raises(ValueError):
        allen_cunneen_wq(2.0, 1.0, 2, 1.0, 1.0)


# ---------------------------------------------------------------------------------------------
# machine repair


def test_machine_repair_two_kiosks_one_attendant_by_hand() -> None:
    # pi ∝ (1, 2 lam/mu, 2 lam^2/mu^2); lam = 0.1, mu = 0.5: (1, 0.4, 0.08) / 1.48.
    lam, mu = 0.1, 0.5
    res = machine_repair(2, lam, mu, 1)
    expected = np.array([1.0, 0.4, 0.08]) / 1.48
    np.testing.assert_allclose(res.pi, expected, rtol=1e-12)
    assert res.mean_down == pytest.approx((0.4 + 2 * 0.08) / 1.48)
    assert res.lq == pytest.approx(0.08 / 1.48)
    running = (2 * 1.0 + 1 * 0.4) / 1.48
    assert res.mean_running == pytest.approx(running)
    assert res.effective_rate == pytest.approx(lam * running)
    assert res.wq_min == pytest.approx((0.08 / 1.48) / (lam * running))
    assert res.utilisation == pytest.approx(0.48 / 1.48)
    # A confusion waits only if it arises while the other kiosk is down: weight pi_1 * 1.
    assert res.p_wait == pytest.approx((0.4 / 1.48) / running)


def test_machine_repair_enough_attendants_is_binomial() -> None:
    # With r >= N every kiosk is an independent on/off process: down w.p. lam / (lam + mu).
    n, lam, mu = 8, 0.3, 1.1
    res = machine_repair(n, lam, mu, n)
    np.testing.assert_allclose(res.pi, stats.binom.pmf(np.arange(n + 1), n, lam / (lam + mu)))
    assert res.lq == 0.0
    assert res.wq_min == 0.0
    assert res.p_wait == 0.0
    assert res.mean_down_time_min == pytest.approx(1.0 / mu)


@pytest.mark.parametrize(("total_rate", "mu", "r"), [(0.8, 1.0, 1), (2.4, 1.0, 3), (3.0, 0.5, 7)])
def test_machine_repair_many_kiosks_approaches_mmr(total_rate: float, mu: float, r: int) -> None:
    n = 20_000
    res = machine_repair(n, total_rate / n, mu, r)
    ref = mmc(total_rate, mu, r)
    assert res.wq_min == pytest.approx(ref.wq_min, rel=1e-2)
    assert res.lq == pytest.approx(ref.lq, rel=1e-2)
    assert res.utilisation == pytest.approx(ref.rho, rel=1e-2)
    assert res.p_wait == pytest.approx(ref.p_wait, rel=1e-2)


@pytest.mark.property
@PROPERTY
@given(n=st.integers(1, 60), lam=st.floats(0.01, 2.0), mu=st.floats(0.05, 5.0), r=st.integers(1, 8))
def test_machine_repair_flow_balance_and_little(n: int, lam: float, mu: float, r: int) -> None:
    res = machine_repair(n, lam, mu, r)
    assert res.pi.sum() == pytest.approx(1.0)
    # Confusions raised = confusions resolved: lam E[running] = mu E[min(k, r)].
    assert res.effective_rate == pytest.approx(mu * r * res.utilisation, rel=1e-9)
    assert res.mean_down == pytest.approx(res.effective_rate * res.mean_down_time_min, rel=1e-9)
    assert res.mean_running + res.mean_down == pytest.approx(n)
    assert 0.0 <= res.utilisation <= 1.0
    # One more attendant never makes the wait longer.
    assert machine_repair(n, lam, mu, r + 1).wq_min <= res.wq_min + 1e-12


def test_machine_repair_bad_arguments() -> None:
    for args in [(0, 0.1, 1.0, 1), (3, -0.1, 1.0, 1), (3, 0.1, 0.0, 1), (3, 0.1, 1.0, 0)]:
        with pytest.raises(ValueError):
            machine_repair(*args)


# ---------------------------------------------------------------------------------------------
# staffing


def brute_force_min_servers(
    lam: float, mu: float, wait: float | None, level: float | None, t: float | None
) -> int:
    c = 1
    while True:
        if lam < c * mu:
            res = mmc(lam, mu, c)
            ok = wait is None or res.wq_min <= wait
            if level is not None and t is not None:
                ok = ok and 1.0 - mmc_wait_tail(lam, mu, c, t) >= level
            if ok:
                return c
        c += 1


def test_min_servers_textbook_case() -> None:
    # a = 2 Erlangs, mu = 1: c = 3 gives Wq = 4/9 min (hand-computed above), c = 4 gives less.
    assert erlang_c_min_servers(2.0, 1.0, target_wait_min=0.5) == 3
    assert erlang_c_min_servers(2.0, 1.0, target_wait_min=0.4) == 4
    # Service level at t = 0 is 1 - C: 1 - 4/9 = 5/9 with three servers.
    assert erlang_c_min_servers(2.0, 1.0, target_p_wait_within=0.55, t=0.0) == 3
    assert erlang_c_min_servers(2.0, 1.0, target_p_wait_within=0.56, t=0.0) == 4
    assert erlang_c_min_servers(0.0, 1.0, target_wait_min=1.0) == 1


@pytest.mark.property
@PROPERTY
@given(
    lam=st.floats(0.1, 40.0),
    mu=st.floats(0.1, 3.0),
    wait=st.one_of(st.none(), st.floats(0.01, 5.0)),
    level=st.floats(0.5, 0.99),
    t=st.floats(0.0, 3.0),
    use_level=st.booleans(),
)
def test_min_servers_matches_brute_force(
    lam: float, mu: float, wait: float | None, level: float, t: float, use_level: bool
) -> None:
    if wait is None and not use_level:
        use_level = True
    sl_level, sl_t = (level, t) if use_level else (None, None)
    got = erlang_c_min_servers(lam, mu, target_wait_min=wait, target_p_wait_within=sl_level, t=sl_t)
    assert got == brute_force_min_servers(lam, mu, wait, sl_level, sl_t)


def test_min_servers_large_load_and_errors() -> None:
    c = erlang_c_min_servers(900.0, 1.0, target_wait_min=0.01)
    assert 900 < c < 1000
    assert mmc(900.0, 1.0, c).wq_min <= 0.01 < mmc(900.0, 1.0, c - 1).wq_min
    with pytest.raises(ValueError):
        erlang_c_min_servers(2.0, 1.0)  # no target
    with pytest.raises(ValueError):
        erlang_c_min_servers(2.0, 1.0, target_p_wait_within=0.8)  # no t
    with pytest.raises(ValueError):
        erlang_c_min_servers(2.0, 1.0, t=1.0)
    with pytest.raises(ValueError):
        erlang_c_min_servers(2.0, 1.0, target_p_wait_within=1.0, t=1.0)
    with pytest.raises(ValueError):
        erlang_c_min_servers(2.0, 1.0, target_wait_min=0.0)
    with pytest.raises(ValueError):
        erlang_c_min_servers(50.0, 1.0, target_wait_min=0.1, max_servers=40)
