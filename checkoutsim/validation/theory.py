"""Closed-form and exact numerical queueing results, for tests and sanity checks.

Every function is pure: no state, no randomness, nothing runs on import. All times are in
**minutes** and all rates are **per minute** (``lam`` arrivals per minute, ``mu`` services per
minute per server, ``theta`` abandonments per minute per waiting customer).

Notation follows the project's ``REFERENCE.md``: ``a = lam / mu`` is the offered load in Erlangs,
``c`` the number of servers and ``rho = a / c`` the per-server utilisation.

The general references cited below are:

- [GSTH] D. Gross, J. F. Shortle, J. M. Thompson and C. M. Harris, *Fundamentals of Queueing
  Theory*, 4th ed., Wiley, 2008, chapter 2 (birth-death queues) and chapter 5 (M/G/1).
- [Kle] L. Kleinrock, *Queueing Systems, Volume 1: Theory*, Wiley, 1975, chapters 3 and 5.
- [GMR] O. Garnett, A. Mandelbaum and M. Reiman, "Designing a call center with impatient
  customers", *Manufacturing & Service Operations Management* 4(3):208-227, 2002.
- [MZ] A. Mandelbaum and S. Zeltyn, "Service engineering in action: the Palm/Erlang-A queue,
  with applications to call centers", in *Advances in Services Innovations*, Springer, 2007.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
import numpy.typing as npt

__all__ = [
    "ErlangAResult",
    "MMcResult",
    "MachineRepairResult",
    "allen_cunneen_wq",
    "birth_death_stationary",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "erlang_c_min_servers",
    "machine_repair",
    "mg1_wq",
    "mm1",
    "mm1_wait_tail",
    "mmc",
    "mmc_wait_tail",
]

FloatArray = npt.NDArray[np.float64]


# --------------------------------------------------------------------------------------------
# argument checks


def _rate(name: str, value: float, *, positive: bool) -> float:
    """Return ``value`` as a float after checking it is a finite (positive) real."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if positive and x <= 0.0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    if not positive and x < 0.0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return x


def _count(name: str, value: int, *, minimum: int = 1) -> int:
    """Return ``value`` as an int after checking it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    n = int(value)
    if n < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return n


def _stable(lam: float, mu: float, c: int) -> float:
    """Return ``rho = lam / (c mu)``; raise ValueError unless ``rho < 1``."""
    rho = lam / (c * mu)
    if rho >= 1.0:
        raise ValueError(
            f"unstable queue: rho = lam / (c mu) = {lam:g} / ({c} * {mu:g}) = {rho:.6g} >= 1"
        )
    return rho


# --------------------------------------------------------------------------------------------
# birth-death chains


def birth_death_stationary(birth_rates: npt.ArrayLike, death_rates: npt.ArrayLike) -> FloatArray:
    """Stationary distribution of a finite birth-death chain on states ``0..K``.

    ``pi_k`` is proportional to ``prod_{i=1..k} birth_rates[i-1] / death_rates[i-1]``; the
    products are formed as cumulative sums of logarithms and normalised after subtracting the
    maximum, so nothing overflows for thousands of states or extreme rates.

    Parameters
    ----------
    birth_rates : array_like, shape (K,)
        ``lambda_0 .. lambda_{K-1}``: rate of ``k -> k+1`` (per minute). Must be finite and
        ``>= 0``; states above a zero birth rate are unreachable and get probability 0.
    death_rates : array_like, shape (K,)
        ``mu_1 .. mu_K``: rate of ``k -> k-1`` (per minute). Must be finite and ``> 0``.

    Returns
    -------
    numpy.ndarray, shape (K + 1,)
        ``pi_0 .. pi_K``, summing to 1.

    Raises
    ------
    ValueError
        On mismatched lengths, non-finite, negative birth or non-positive death rates.

    Notes
    -----
    Detailed balance ``pi_k lambda_k = pi_{k+1} mu_{k+1}`` of a birth-death process:
    [GSTH] section 2.1; [Kle] section 3.1. An infinite chain must be truncated by the caller at
    a ``K`` where the tail mass is negligible (see :func:`erlang_a`).
    """
    births = np.asarray(birth_rates, dtype=np.float64)
    deaths = np.asarray(death_rates, dtype=np.float64)
    if births.ndim != 1 or deaths.ndim != 1 or births.shape != deaths.shape:
        raise ValueError(
            "birth_rates and death_rates must be 1-D of equal length, got shapes "
            f"{births.shape} and {deaths.shape}"
        )
    if not (np.all(np.isfinite(births)) and np.all(np.isfinite(deaths))):
        raise ValueError("birth and death rates must be finite")
    if np.any(births < 0.0):
        raise ValueError("birth rates must be >= 0")
    if np.any(deaths <= 0.0):
        raise ValueError("death rates must be > 0")
    with np.errstate(divide="ignore"):
        log_ratio = np.log(births) - np.log(deaths)  # -inf where the birth rate is 0
    log_w = np.concatenate(([0.0], np.cumsum(log_ratio)))
    w = np.exp(log_w - log_w.max())
    return w / w.sum()


# --------------------------------------------------------------------------------------------
# Erlang B / C, M/M/1, M/M/c


def erlang_b(a: float, c: int) -> float:
    """Erlang B blocking probability of the M/M/c/c loss system.

    Uses the stable recursion ``B_0 = 1``, ``B_k = a B_{k-1} / (k + a B_{k-1})``, which needs no
    factorials and stays accurate for ``c`` in the thousands.

    Parameters
    ----------
    a : float
        Offered load in Erlangs, ``lam / mu`` (``>= 0``).
    c : int
        Number of servers (``>= 0``; ``B_0 = 1``).

    Returns
    -------
    float
        Probability that an arrival finds all ``c`` servers busy.

    Notes
    -----
    [GSTH] chapter 2, "Erlang's loss formula (M/M/c/c)"; the recursion is the standard one of
    D. L. Jagerman, "Some properties of the Erlang loss function", *Bell System Technical
    Journal* 53(3):525-551, 1974.
    """
    a = _rate("a", a, positive=False)
    c = _count("c", c, minimum=0)
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(a: float, c: int) -> float:
    """Erlang C probability of waiting in M/M/c, ``C = B / (1 - rho (1 - B))``.

    Parameters
    ----------
    a : float
        Offered load in Erlangs, ``lam / mu`` (``>= 0``).
    c : int
        Number of servers (``>= 1``); requires ``rho = a / c < 1``.

    Returns
    -------
    float
        Probability that an arrival has to wait (finds all servers busy).

    Raises
    ------
    ValueError
        If ``a / c >= 1`` or the arguments are out of range.

    Notes
    -----
    [GSTH] chapter 2, "Multiserver queues (M/M/c)"; [Kle] section 3.5. The expression through
    Erlang B avoids factorials.
    """
    a = _rate("a", a, positive=False)
    c = _count("c", c)
    rho = a / c
    if rho >= 1.0:
        raise ValueError(f"unstable queue: rho = a / c = {rho:.6g} >= 1")
    b = erlang_b(a, c)
    return b / (1.0 - rho * (1.0 - b))


@dataclass(frozen=True)
class MMcResult:
    """Steady-state measures of an M/M/c queue (times in minutes).

    Attributes
    ----------
    p_wait : float
        Probability an arrival waits (Erlang C; ``rho`` for M/M/1).
    wq_min : float
        Mean wait in queue, minutes.
    lq : float
        Mean number waiting in queue.
    w_min : float
        Mean time in system (wait + service), minutes.
    l : float
        Mean number in system.
    rho : float
        Per-server utilisation ``lam / (c mu)``.
    """

    p_wait: float
    wq_min: float
    lq: float
    w_min: float
    l: float  # noqa: E741 - the textbook symbol
    rho: float


def mm1(lam: float, mu: float) -> MMcResult:
    """M/M/1 steady state from the textbook closed forms.

    ``Wq = rho / (mu - lam)``, ``Lq = lam Wq``, ``W = Wq + 1/mu``, ``P(wait) = rho``.

    Parameters
    ----------
    lam : float
        Arrival rate per minute (``>= 0``).
    mu : float
        Service rate per minute (``> 0``); requires ``lam < mu``.

    Returns
    -------
    MMcResult

    Raises
    ------
    ValueError
        If ``rho >= 1`` or a rate is negative, zero (``mu``) or not finite.

    Notes
    -----
    [GSTH] chapter 2, "Single-server queues (M/M/1)"; [Kle] section 3.2. Written independently of
    :func:`mmc` so that the two can check each other.
    """
    lam = _rate("lam", lam, positive=False)
    mu = _rate("mu", mu, positive=True)
    rho = _stable(lam, mu, 1)
    wq = rho / (mu - lam)
    w = 1.0 / (mu - lam)
    return MMcResult(p_wait=rho, wq_min=wq, lq=lam * wq, w_min=w, l=lam * w, rho=rho)


def mm1_wait_tail(lam: float, mu: float, t: float) -> float:
    """M/M/1 waiting-time tail ``P(Wq > t) = rho exp(-(mu - lam) t)``.

    Parameters
    ----------
    lam, mu : float
        Arrival and service rates per minute; requires ``lam < mu``.
    t : float
        Time threshold in minutes (``>= 0``).

    Returns
    -------
    float

    Notes
    -----
    FCFS M/M/1 waiting-time distribution: [GSTH] chapter 2, "Single-server queues (M/M/1)".
    """
    lam = _rate("lam", lam, positive=False)
    mu = _rate("mu", mu, positive=True)
    t = _rate("t", t, positive=False)
    rho = _stable(lam, mu, 1)
    return rho * math.exp(-(mu - lam) * t)


def mmc(lam: float, mu: float, c: int) -> MMcResult:
    """M/M/c (Erlang C) steady state.

    ``C = erlang_c(a, c)``, ``Wq = C / (c mu - lam)``, ``Lq = lam Wq``, ``W = Wq + 1/mu``.

    Parameters
    ----------
    lam : float
        Arrival rate per minute (``>= 0``).
    mu : float
        Service rate per server per minute (``> 0``).
    c : int
        Number of servers (``>= 1``); requires ``lam < c mu``.

    Returns
    -------
    MMcResult

    Raises
    ------
    ValueError
        If ``rho >= 1`` or the arguments are out of range.

    Notes
    -----
    [GSTH] chapter 2, "Multiserver queues (M/M/c)"; [Kle] section 3.5.
    """
    lam = _rate("lam", lam, positive=False)
    mu = _rate("mu", mu, positive=True)
    c = _count("c", c)
    rho = _stable(lam, mu, c)
    p_wait = erlang_c(lam / mu, c)
    wq = p_wait / (c * mu - lam)
    w = wq + 1.0 / mu
    return MMcResult(p_wait=p_wait, wq_min=wq, lq=lam * wq, w_min=w, l=lam * w, rho=rho)


def mmc_wait_tail(lam: float, mu: float, c: int, t: float) -> float:
    """M/M/c FCFS waiting-time tail ``P(Wq > t) = C exp(-(c mu - lam) t)``.

    Parameters
    ----------
    lam, mu : float
        Arrival rate and per-server service rate, per minute; requires ``lam < c mu``.
    c : int
        Number of servers (``>= 1``).
    t : float
        Time threshold in minutes (``>= 0``); ``t = 0`` gives the Erlang C probability.

    Returns
    -------
    float

    Notes
    -----
    [GSTH] chapter 2, "Multiserver queues (M/M/c)", waiting-time distribution.
    """
    lam = _rate("lam", lam, positive=False)
    mu = _rate("mu", mu, positive=True)
    c = _count("c", c)
    t = _rate("t", t, positive=False)
    _stable(lam, mu, c)
    return erlang_c(lam / mu, c) * math.exp(-(c * mu - lam) * t)


# --------------------------------------------------------------------------------------------
# Erlang A (M/M/c+M)


@dataclass(frozen=True)
class ErlangAResult:
    """Steady-state measures of the Erlang A queue M/M/c+M (times in minutes).

    Attributes
    ----------
    p_wait : float
        ``P(wait > 0)``: probability an arrival finds all servers busy.
    p_abandon : float
        Probability an arrival abandons before service.
    wq_min : float
        Mean wait of all arrivals (abandoners counted up to the moment they leave), minutes.
    wq_served_min : float
        Mean wait of the customers who are served, ``E[W | served]``, minutes.
    lq : float
        Mean number waiting in queue.
    rho : float
        Offered per-server load ``lam / (c mu)`` (may exceed 1).
    utilisation : float
        Fraction of time a server is busy, ``E[min(N, c)] / c``.
    """

    p_wait: float
    p_abandon: float
    wq_min: float
    wq_served_min: float
    lq: float
    rho: float
    utilisation: float


def erlang_a(
    lam: float,
    mu: float,
    c: int,
    theta: float,
    *,
    tail_tol: float = 1e-12,
    max_states: int = 1 << 22,
) -> ErlangAResult:
    """Erlang A (M/M/c+M): Poisson arrivals, ``c`` exponential servers, exponential patience.

    Solved exactly (up to a truncation with tail mass below ``tail_tol``) as the birth-death
    chain ``lambda_k = lam``, ``mu_k = min(k, c) mu + max(k - c, 0) theta`` with
    :func:`birth_death_stationary`.

    - ``P(wait > 0) = sum_{k >= c} pi_k`` (PASTA).
    - ``E[wait]`` of all arrivals ``= Lq / lam`` (Little) and ``P(abandon) = theta Lq / lam``
      (abandonment rate ``theta Lq`` over arrival rate); hence ``P(abandon) = theta E[wait]``.
    - ``E[wait | served]``: by PASTA an arrival sees state ``k >= c`` with probability ``pi_k``
      and joins at queue position ``n = k - c + 1``. At position ``i`` the next event that
      matters to it comes at rate ``r_i = c mu + i theta`` (a service completion, one of the
      ``i - 1`` customers ahead abandoning, or itself abandoning); with probability
      ``(r_i - theta) / r_i`` it moves up, and the holding time is independent of which event
      wins. So ``P(served | n) = prod_{i<=n} (r_i - theta)/r_i = c mu / (c mu + n theta)``
      and ``E[W 1{served} | n] = P(served | n) * sum_{i=1..n} 1 / r_i``; averaging over
      ``pi`` and dividing by ``P(served)`` gives ``E[W | served]``.

    Parameters
    ----------
    lam : float
        Arrival rate per minute (``>= 0``).
    mu : float
        Service rate per server per minute (``> 0``).
    c : int
        Number of servers (``>= 1``).
    theta : float
        Abandonment rate per waiting customer per minute, ``1 / mean patience`` (``>= 0``).
        ``theta = 0`` is Erlang C and then requires ``lam < c mu``; with ``theta > 0`` any
        load is stable.
    tail_tol : float, optional
        Bound on the neglected probability mass (and on the neglected part of ``Lq``)
        beyond the truncation point.
    max_states : int, optional
        Largest truncation tried; reached only when ``theta`` is tiny and the load high.

    Returns
    -------
    ErlangAResult

    Raises
    ------
    ValueError
        On bad arguments, ``theta = 0`` with ``lam >= c mu``, or when ``max_states`` states are
        not enough to meet ``tail_tol``.

    Notes
    -----
    Model and performance measures: [GMR]; [MZ] (which also gives closed forms through the
    incomplete gamma function, used as an independent check in the tests). The chain and
    PASTA argument: [GSTH] chapter 2, "Queues with impatience".
    """
    lam = _rate("lam", lam, positive=False)
    mu = _rate("mu", mu, positive=True)
    c = _count("c", c)
    theta = _rate("theta", theta, positive=False)
    tail_tol = _rate("tail_tol", tail_tol, positive=True)
    max_states = _count("max_states", max_states, minimum=c + 2)
    rho = lam / (c * mu)
    if theta == 0.0:
        _stable(lam, mu, c)
    if lam == 0.0:
        return ErlangAResult(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)

    # Queue part of the truncation: start past the fluid overload point, then double.
    extra = 64
    if theta > 0.0 and lam > c * mu:
        extra += math.ceil((lam - c * mu) / theta)
    n_top = min(c + extra, max_states - 1)
    while True:
        k = np.arange(1, n_top + 1, dtype=np.float64)
        deaths = np.minimum(k, c) * mu + np.maximum(k - c, 0.0) * theta
        pi = birth_death_stationary(np.full(n_top, lam), deaths)
        # Ratios pi_{j+1}/pi_j = lam / mu_{j+1} are non-increasing beyond n_top, so with
        # r = lam / mu_{n_top+1} < 1 the tail sum_{j > n_top} pi_j <= pi_top r/(1-r) and the
        # neglected part of Lq is <= pi_top ((n_top - c + 1) r/(1-r) + r/(1-r)^2).
        r = lam / (c * mu + (n_top + 1 - c) * theta)
        if r < 1.0:
            bound = pi[-1] * ((n_top - c + 1) * r / (1.0 - r) + r / (1.0 - r) ** 2)
            if bound < tail_tol:
                break
        if n_top + 1 >= max_states:
            raise ValueError(
                f"erlang_a: {max_states} states do not bring the tail below {tail_tol:g}; "
                "theta is too small for this load"
            )
        n_top = min(c + 2 * (n_top - c), max_states - 1)

    pq = pi[c:]  # states c..n_top: an arrival here waits
    n = np.arange(1, pq.size + 1, dtype=np.float64)  # its queue position
    lq = float(np.dot(n - 1.0, pq))
    p_wait = min(1.0, float(pq.sum()))
    r_pos = c * mu + n * theta
    p_served_given_n = (c * mu) / r_pos
    mean_time_to_service = np.cumsum(1.0 / r_pos)
    p_served = float(pi[:c].sum() + np.dot(pq, p_served_given_n))
    e_wait_served = float(np.dot(pq, p_served_given_n * mean_time_to_service))
    busy = np.minimum(np.arange(pi.size), c)
    return ErlangAResult(
        p_wait=p_wait,
        p_abandon=theta * lq / lam,
        wq_min=lq / lam,
        wq_served_min=e_wait_served / p_served,
        lq=lq,
        rho=rho,
        utilisation=min(1.0, float(np.dot(busy, pi)) / c),
    )


# --------------------------------------------------------------------------------------------
# M/G/1, G/G/c approximation


def mg1_wq(lam: float, mean_service_min: float, service_second_moment_min2: float) -> float:
    """M/G/1 mean wait in queue by Pollaczek-Khinchine, ``Wq = lam E[S^2] / (2 (1 - rho))``.

    Parameters
    ----------
    lam : float
        Arrival rate per minute (``>= 0``).
    mean_service_min : float
        ``E[S]``, mean service time in minutes (``> 0``); ``rho = lam E[S] < 1``.
    service_second_moment_min2 : float
        ``E[S^2]`` in minutes squared; must be ``>= E[S]^2``.

    Returns
    -------
    float
        Mean wait in queue, minutes.

    Raises
    ------
    ValueError
        If ``rho >= 1``, ``E[S^2] < E[S]^2`` or a rate is out of range.

    Notes
    -----
    [GSTH] chapter 5, Pollaczek-Khinchine formula; [Kle] chapter 5.
    """
    lam = _rate("lam", lam, positive=False)
    es = _rate("mean_service_min", mean_service_min, positive=True)
    es2 = _rate("service_second_moment_min2", service_second_moment_min2, positive=True)
    if es2 < es * es * (1.0 - 1e-12):
        raise ValueError(f"E[S^2] = {es2:g} < E[S]^2 = {es * es:g}: not a distribution")
    rho = lam * es
    if rho >= 1.0:
        raise ValueError(f"unstable queue: rho = lam E[S] = {rho:.6g} >= 1")
    return lam * es2 / (2.0 * (1.0 - rho))


def allen_cunneen_wq(lam: float, mu: float, c: int, ca2: float, cs2: float) -> float:
    """Allen-Cunneen **approximation** of the G/G/c mean wait (minutes).

    ``Wq ~ Wq(M/M/c) * (ca2 + cs2) / 2``. It is exact for M/M/c (``ca2 = cs2 = 1``) and for
    M/G/1 (``c = 1``, ``ca2 = 1``, where it equals Pollaczek-Khinchine), and otherwise only an
    approximation: use it as a sanity band around simulated waits, never as a test oracle.

    Parameters
    ----------
    lam : float
        Arrival rate per minute.
    mu : float
        Service rate per server per minute; requires ``lam < c mu``.
    c : int
        Number of servers.
    ca2 : float
        Squared coefficient of variation of inter-arrival times (``>= 0``; 1 for Poisson).
    cs2 : float
        Squared coefficient of variation of service times (``>= 0``; 1 for exponential).

    Returns
    -------
    float
        Approximate mean wait in queue, minutes.

    Notes
    -----
    A. O. Allen, *Probability, Statistics, and Queueing Theory with Computer Science
    Applications*, 2nd ed., Academic Press, 1990 (the Allen-Cunneen approximation); see also
    W. J. Hopp and M. L. Spearman, *Factory Physics*, 3rd ed., 2008, chapter 8.
    """
    ca2 = _rate("ca2", ca2, positive=False)
    cs2 = _rate("cs2", cs2, positive=False)
    return mmc(lam, mu, c).wq_min * (ca2 + cs2) / 2.0


# --------------------------------------------------------------------------------------------
# machine repair (finite source M/M/r//N)


@dataclass(frozen=True)
class MachineRepairResult:
    """Steady state of the machine-repair model M/M/r//N (times in minutes).

    Kiosks are the "machines": a kiosk is *down* from the moment its customer gets confused
    until an attendant has resolved it.

    Attributes
    ----------
    pi : numpy.ndarray
        ``pi[k]``: probability that ``k`` kiosks are down, ``k = 0..N``.
    mean_down : float
        Mean number of kiosks down (waiting for help or being helped).
    lq : float
        Mean number of kiosks waiting for help and not yet being helped.
    mean_running : float
        Mean number of kiosks running, ``N - mean_down``.
    effective_rate : float
        Rate of confusions per minute, ``lam * mean_running``.
    wq_min : float
        Mean wait for help, minutes (Little: ``lq / effective_rate``).
    mean_down_time_min : float
        Mean time a kiosk is down per confusion, minutes (``wq_min + 1/mu``).
    p_wait : float
        Probability a confusion has to wait for an attendant (arrival-point distribution
        ``pi_k (N - k) / E[N - k]``).
    utilisation : float
        Attendant utilisation ``E[min(k, r)] / r``.
    """

    pi: FloatArray = field(repr=False, compare=False)
    mean_down: float
    lq: float
    mean_running: float
    effective_rate: float
    wq_min: float
    mean_down_time_min: float
    p_wait: float
    utilisation: float


def machine_repair(n_sources: int, lam: float, mu: float, r: int) -> MachineRepairResult:
    """Finite-source machine-repair model M/M/r//N for kiosks and attendants.

    ``N = n_sources`` kiosks each raise a confusion at rate ``lam`` per minute *while running*;
    ``r`` attendants each resolve one at rate ``mu``. With ``k`` kiosks down the chain has
    ``lambda_k = (N - k) lam`` and ``mu_k = min(k, r) mu``.

    The model assumes exponential repair times. In the simulation the "repair" is the
    attendant's walk plus the resolution, so pass ``mu = 1 / (mean walk + mean resolve)``;
    the mean-value results are then an approximation whose quality depends on how far that
    total is from exponential. The model is valid only while every kiosk is occupied (a
    saturated kiosk bank): an idle kiosk raises no confusions.

    Parameters
    ----------
    n_sources : int
        Number of kiosks ``N`` (``>= 1``).
    lam : float
        Confusion rate per running kiosk per minute (``>= 0``).
    mu : float
        Repair rate per attendant per minute, ``1 / mean repair time`` (``> 0``).
    r : int
        Number of attendants (``>= 1``).

    Returns
    -------
    MachineRepairResult

    Raises
    ------
    ValueError
        On out-of-range arguments.

    Notes
    -----
    [GSTH] chapter 2, "Finite-source queues"; [Kle] chapter 3 (finite customer population).
    """
    n = _count("n_sources", n_sources)
    lam = _rate("lam", lam, positive=False)
    mu = _rate("mu", mu, positive=True)
    r = _count("r", r)
    k = np.arange(n + 1, dtype=np.float64)
    pi = birth_death_stationary((n - k[:-1]) * lam, np.minimum(k[1:], r) * mu)
    mean_down = float(np.dot(k, pi))
    lq = float(np.dot(np.maximum(k - r, 0.0), pi))
    running = n - k
    mean_running = float(np.dot(running, pi))
    effective_rate = lam * mean_running
    wq = lq / effective_rate if effective_rate > 0.0 else 0.0
    p_wait = float(np.dot(running * pi, k >= r)) / mean_running if effective_rate > 0.0 else 0.0
    return MachineRepairResult(
        pi=pi,
        mean_down=mean_down,
        lq=lq,
        mean_running=mean_running,
        effective_rate=effective_rate,
        wq_min=wq,
        mean_down_time_min=wq + 1.0 / mu,
        p_wait=p_wait,
        utilisation=min(1.0, float(np.dot(np.minimum(k, r), pi)) / r),
    )


# --------------------------------------------------------------------------------------------
# staffing


def erlang_c_min_servers(
    lam: float,
    mu: float,
    target_wait_min: float | None = None,
    target_p_wait_within: float | None = None,
    t: float | None = None,
    max_servers: int = 10_000,
) -> int:
    """Smallest number of M/M/c servers that meets a mean-wait and/or service-level target.

    Searches ``c = floor(a) + 1, floor(a) + 2, ...`` (the stable range, ``rho < 1``) and
    returns the first ``c`` with

    - ``Wq(c) <= target_wait_min`` if a mean-wait target is given, and
    - ``P(Wq <= t) = 1 - C(c) exp(-(c mu - lam) t) >= target_p_wait_within`` if a
      service-level target is given.

    Both measures improve monotonically with ``c``, so the first ``c`` found is the minimum.
    Erlang B is carried forward by its recursion, so the search costs O(c).

    Parameters
    ----------
    lam : float
        Arrival rate per minute (``>= 0``).
    mu : float
        Service rate per server per minute (``> 0``).
    target_wait_min : float, optional
        Upper bound on the mean wait in queue, minutes (``> 0``).
    target_p_wait_within : float, optional
        Required fraction of arrivals that wait at most ``t`` minutes, in ``(0, 1)``.
    t : float, optional
        Service-level threshold in minutes (``>= 0``); required with ``target_p_wait_within``.
    max_servers : int, optional
        Give up (ValueError) above this many servers.

    Returns
    -------
    int
        The smallest adequate ``c`` (at least 1).

    Raises
    ------
    ValueError
        If no target is given, ``t`` and ``target_p_wait_within`` are not given together, a
        target is out of range, or no ``c <= max_servers`` meets the targets.

    Notes
    -----
    [GSTH] chapter 2, "Choosing the number of servers"; N. Gans, G. Koole and A. Mandelbaum,
    "Telephone call centers: tutorial, review, and research prospects", *Manufacturing &
    Service Operations Management* 5(2):79-141, 2003.
    """
    lam = _rate("lam", lam, positive=False)
    mu = _rate("mu", mu, positive=True)
    max_servers = _count("max_servers", max_servers)
    if target_wait_min is None and target_p_wait_within is None:
        raise ValueError("give target_wait_min and/or target_p_wait_within (with t)")
    if (target_p_wait_within is None) != (t is None):
        raise ValueError("target_p_wait_within and t must be given together")
    if target_wait_min is not None:
        target_wait_min = _rate("target_wait_min", target_wait_min, positive=True)
    if target_p_wait_within is not None and t is not None:
        target_p_wait_within = _rate("target_p_wait_within", target_p_wait_within, positive=True)
        if target_p_wait_within >= 1.0:
            raise ValueError(f"target_p_wait_within must be < 1, got {target_p_wait_within!r}")
        t = _rate("t", t, positive=False)

    a = lam / mu
    c = max(1, math.floor(a) + 1)
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    while c <= max_servers:
        rho = lam / (c * mu)  # the same stability test as mmc(), whatever the rounding
        if rho < 1.0:
            p_wait = b / (1.0 - rho * (1.0 - b))
            ok = True
            if target_wait_min is not None:
                ok = p_wait / (c * mu - lam) <= target_wait_min
            if ok and target_p_wait_within is not None and t is not None:
                ok = 1.0 - p_wait * math.exp(-(c * mu - lam) * t) >= target_p_wait_within
            if ok:
                return c
        c += 1
        b = a * b / (c + a * b)
    raise ValueError(f"no c <= max_servers = {max_servers} meets the targets")
