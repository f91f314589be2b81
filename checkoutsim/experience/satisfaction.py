"""Estimated customer experience: perceived wait, CSAT, Customer Effort Score and NPS class.

Everything here is post-processing of recorded columns: vectorised numpy functions with no
SimPy, no state and no effect on what happens in the simulation. Each function is monotone in
the documented direction (tested with hypothesis in ``tests/test_satisfaction.py``). The model,
its parameters, their defaults and their sources are in ``docs/satisfaction.md``; in short:

* **perceived wait** (felt minutes) weights each real minute by what the customer was doing:
  idle queueing, being served, stuck at a frozen kiosk, plus a penalty for each later arrival
  served first (Maister 1985; Larson's 36% overestimate; Pruyn & Smidts 1993);
* **frustration** adds a fixed penalty per confusion event to the perceived wait;
* **CSAT** (1-5) falls along a log-logistic curve in frustration; **CES** (1-7, CES 2.0
  orientation: 7 = "the store made it easy") falls along the same kind of curve in effort
  points; balked and reneged customers get low fixed (or capped) scores;
* **likelihood to recommend** (0-10) is a per-customer baseline, drawn from the store's
  frictionless promoter/passive/detractor mix on its own random stream, lowered in proportion
  to the CSAT points the checkout cost; the NPS class follows Reichheld (2003).

No published satisfaction-versus-wait curve exists for grocery checkouts: the curves are
assumptions with stated parameters, best read as differences between plans.
"""

from __future__ import annotations

import numpy as np

from checkoutsim.model.recorder import OutcomeCode
from checkoutsim.model.streams import Source, Streams
from checkoutsim.scenario.schema import CsatCurve, EffortCurve, NpsModel, PerceivedWait

__all__ = [
    "NPS_CLASSES",
    "SATISFIED_MIN_SCORE",
    "NpsCode",
    "ces_score",
    "csat_score",
    "declining_score",
    "effort_points",
    "frustration_felt_min",
    "likelihood_to_recommend",
    "loyalty_baseline",
    "loyalty_draws",
    "net_promoter_score",
    "nps_class",
    "overtaken_counts",
    "perceived_wait_min",
]

NPS_CLASSES = ("detractor", "passive", "promoter")
"""Category labels of :func:`nps_class` codes, in code order."""

SATISFIED_MIN_SCORE = 3.5
"""Lowest CSAT estimate counted as "satisfied": a rating that rounds to 4 or 5."""


class NpsCode:
    """Integer codes of the NPS class."""

    DETRACTOR = 0
    PASSIVE = 1
    PROMOTER = 2


# Class boundaries on the continuous 0-10 likelihood scale: a whole-number answer of 9-10 is a
# promoter, 7-8 a passive, 0-6 a detractor (Reichheld 2003); the continuous estimate rounds.
_PROMOTER_FROM = 8.5
_PASSIVE_FROM = 6.5


def declining_score(
    x: np.ndarray, top: float, half: float, shape: float, bottom: float = 1.0
) -> np.ndarray:
    """Log-logistic decline from ``top`` at ``x = 0`` towards ``bottom`` as ``x`` grows.

    ``bottom + (top - bottom) / (1 + (x / half) ** shape)``: equals ``top`` at 0, the midpoint
    of ``top`` and ``bottom`` at ``x = half``, and is non-increasing in ``x >= 0``.
    """
    x = np.maximum(np.asarray(x, dtype=np.float64), 0.0)
    return bottom + (top - bottom) / (1.0 + (x / half) ** shape)


def perceived_wait_min(
    queue_min: np.ndarray,
    served_min: np.ndarray,
    help_wait_min: np.ndarray,
    overtaken: np.ndarray,
    weights: PerceivedWait,
) -> np.ndarray:
    """Felt minutes of a checkout visit.

    Parameters
    ----------
    queue_min : array
        Minutes idle in line (before service, or before abandoning).
    served_min : array
        Minutes being served: scanning, paying, and an attendant fixing a frozen kiosk.
    help_wait_min : array
        Minutes stuck at a frozen kiosk before the attendant arrived.
    overtaken : array
        Later arrivals in the same channel who were served first.
    weights : PerceivedWait
        The scenario's weights.

    Returns
    -------
    array
        Perceived wait in felt minutes; non-decreasing in every argument.
    """
    return (
        weights.queue_weight * np.asarray(queue_min, dtype=np.float64)
        + weights.service_weight * np.asarray(served_min, dtype=np.float64)
        + weights.help_wait_weight * np.asarray(help_wait_min, dtype=np.float64)
        + weights.overtaken_felt_min * np.asarray(overtaken, dtype=np.float64)
    )


def frustration_felt_min(
    perceived_min: np.ndarray,
    assists: np.ndarray,
    weights: PerceivedWait,
    switches: np.ndarray | None = None,
) -> np.ndarray:
    """Perceived wait plus ``confusion_felt_min`` per confusion event and
    ``switched_felt_min`` per push to the channel the customer did not prefer (felt minutes)."""
    felt = np.asarray(perceived_min, dtype=np.float64) + weights.confusion_felt_min * np.asarray(
        assists, dtype=np.float64
    )
    if switches is not None:
        felt = felt + weights.switched_felt_min * np.asarray(switches, dtype=np.float64)
    return felt


def csat_score(frustration_min: np.ndarray, outcome: np.ndarray, curve: CsatCurve) -> np.ndarray:
    """Estimated CSAT on 1-5 for each customer.

    Served customers follow :func:`declining_score` in frustration; reneged customers score the
    same curve but at most ``reneged_max_score``; balked customers score ``balked_score``.
    Non-increasing in frustration for every outcome.
    """
    outcome = np.asarray(outcome)
    score = declining_score(
        frustration_min, curve.no_wait_score, curve.half_score_felt_min, curve.shape
    )
    score = np.where(
        outcome == OutcomeCode.RENEGED, np.minimum(score, curve.reneged_max_score), score
    )
    return np.where(outcome == OutcomeCode.BALKED, curve.balked_score, score)


def effort_points(
    perceived_min: np.ndarray, assists: np.ndarray, used_kiosk: np.ndarray, curve: EffortCurve
) -> np.ndarray:
    """Effort points: waiting, calling for help, and scanning one's own basket.

    Non-decreasing in perceived wait and in the number of confusion events.
    """
    return (
        curve.effort_points_per_felt_min * np.asarray(perceived_min, dtype=np.float64)
        + curve.effort_points_per_assist * np.asarray(assists, dtype=np.float64)
        + curve.effort_points_kiosk * np.asarray(used_kiosk, dtype=np.float64)
    )


def ces_score(points: np.ndarray, outcome: np.ndarray, curve: EffortCurve) -> np.ndarray:
    """Estimated Customer Effort Score on 1-7 (7 = the store made it very easy).

    Served customers follow :func:`declining_score` in effort points; reneged customers score at
    most ``reneged_max_score``; balked customers score ``balked_score``. Non-increasing in
    effort points.
    """
    outcome = np.asarray(outcome)
    score = declining_score(
        points, curve.easiest_score, curve.half_score_effort_points, curve.shape
    )
    score = np.where(
        outcome == OutcomeCode.RENEGED, np.minimum(score, curve.reneged_max_score), score
    )
    return np.where(outcome == OutcomeCode.BALKED, curve.balked_score, score)


def loyalty_draws(seed: int, rep: int, n: int) -> np.ndarray:
    """Each customer's uniform loyalty draw in [0, 1), from its own random stream.

    The stream (:attr:`Source.LOYALTY`) is never used by the simulation, so drawing it changes
    nothing there, and customer ``i`` of replication ``rep`` has the same draw under every
    staffing plan (common random numbers).
    """
    return Streams(seed, rep).generator(Source.LOYALTY).random(size=n)


def loyalty_baseline(loyalty_u: np.ndarray, model: NpsModel) -> np.ndarray:
    """Frictionless likelihood to recommend (0-10.5, before any checkout and clipping).

    Maps the loyalty draw ``u`` onto the frictionless class mix: the lowest
    ``baseline_detractor_pct`` of draws spread over detractor answers [0, 6.5), the highest
    ``baseline_promoter_pct`` over promoter answers [8.5, 10.5), the rest over passive answers
    [6.5, 8.5). Non-decreasing in ``u``.
    """
    u = np.asarray(loyalty_u, dtype=np.float64)
    d = model.baseline_detractor_pct / 100.0
    p = model.baseline_promoter_pct / 100.0
    passive_share = 1.0 - d - p
    # Each band's formula over every draw, then picked by band (cheaper than masked
    # assignment; a band of zero width is never picked, so its 0.0 stands in). A narrow band
    # may overflow on draws outside it, never on its own.
    with np.errstate(over="ignore"):
        detractor = _PASSIVE_FROM * u / d if d > 0 else 0.0
        passive = _PASSIVE_FROM + 2.0 * (u - d) / passive_share if passive_share > 0 else 0.0
        promoter = _PROMOTER_FROM + 2.0 * (u - (1.0 - p)) / p if p > 0 else 0.0
    # Promoters last, as before: they win where float rounding makes the two ends overlap.
    return np.where(u >= 1.0 - p, promoter, np.where(u < d, detractor, passive))


def likelihood_to_recommend(
    loyalty_u: np.ndarray,
    csat: np.ndarray,
    no_wait_csat: float,
    model: NpsModel,
    *,
    baseline: np.ndarray | None = None,
) -> np.ndarray:
    """Continuous likelihood to recommend (0-10 scale, before rounding).

    The baseline (:func:`loyalty_baseline`) maps the loyalty draw ``u`` onto the frictionless
    class mix; the checkout then takes ``ltr_points_per_csat_point`` per CSAT point below
    ``no_wait_csat``; the result is clipped to the answer scale [0, 10]. Non-decreasing in
    ``csat`` and in ``u``. ``baseline``, when given, is ``loyalty_baseline(loyalty_u, model)``
    computed once for several calls on the same customers.

    Notes
    -----
    Clipped rather than remodelled: a survey answer cannot leave 0-10, and the unclipped
    estimate did (the top promoter band runs to 10.5 so that rounding gives 9 and 10 equal
    shares, and a bad checkout takes up to ``ltr_points_per_csat_point`` x 3.6 points off). The
    class thresholds (6.5, 8.5) lie inside the scale, so clipping changes no NPS class and no
    NPS, only the mean ``recommend_score``: a customer already at 0 who has a worse checkout
    stays at 0 (a floor effect real surveys show too).
    """
    base = loyalty_baseline(loyalty_u, model) if baseline is None else baseline
    drop = model.ltr_points_per_csat_point * np.maximum(
        no_wait_csat - np.asarray(csat, dtype=np.float64), 0.0
    )
    return np.clip(base - drop, 0.0, 10.0)


def nps_class(ltr: np.ndarray) -> np.ndarray:
    """NPS class codes (:class:`NpsCode`) of continuous likelihoods; non-decreasing in ``ltr``."""
    ltr = np.asarray(ltr, dtype=np.float64)
    # passive (1), one up from the promoter threshold, one down below the passive one
    out = (ltr >= _PROMOTER_FROM).astype(np.int8)
    out += NpsCode.PASSIVE
    out -= ltr < _PASSIVE_FROM
    return out


def net_promoter_score(classes: np.ndarray) -> float:
    """NPS = % promoters - % detractors (between -100 and 100); NaN for no customers."""
    classes = np.asarray(classes)
    if classes.size == 0:
        return float("nan")
    promoters = np.mean(classes == NpsCode.PROMOTER)
    detractors = np.mean(classes == NpsCode.DETRACTOR)
    return float(100.0 * (promoters - detractors))


def overtaken_counts(
    arrival_min: np.ndarray,
    wait_end_min: np.ndarray,
    service_start_min: np.ndarray,
    group: np.ndarray,
) -> np.ndarray:
    """How many later arrivals of the same group started service before each customer's wait ended.

    Parameters
    ----------
    arrival_min : array
        Arrival times.
    wait_end_min : array
        When each customer's wait ended (service start, or abandoning); NaN if they never
        queued (balked): they count 0.
    service_start_min : array
        When each customer started service; NaN if never (they overtake nobody).
    group : array of int
        Group of each customer (customers overtake only within a group: a channel of one day,
        or any key combining them); negative = no group (counts 0).

    Returns
    -------
    array of int64
        Overtakes suffered by each customer.

    Notes
    -----
    A later arrival ``j`` overtakes ``i`` when ``arrival_i < arrival_j`` and
    ``start_j < end_i``. With customers in order of (group, arrival), each ``i`` asks for the
    starts after the last customer who arrived with it that lie below its wait's end: a
    dominance count. Two exact O(n) prunings come first: ``i`` can be overtaken only if the
    smallest later start lies below its end, and ``j`` can overtake only if some earlier
    customer's wait ended after ``j`` started (in one first-come-first-served line neither
    ever holds). What is left is counted by bottom-up merge levels over positions aligned so
    that no block spans two groups: at level ``w`` each query in the left half of a block of
    ``2w`` positions counts, by binary search, the right half's starts below its end. All
    groups (every channel of every day) go through the same numpy calls; O(n log^2 g) time for
    groups of at most ``g`` customers and O(n) memory whatever the waits (listing the arrivals
    inside each wait costs memory quadratic in an overloaded day: 28,500 customers in a queue
    that never empties needed 3.8 GB).
    """
    arrival = np.asarray(arrival_min, dtype=np.float64)
    end = np.asarray(wait_end_min, dtype=np.float64)
    start = np.asarray(service_start_min, dtype=np.float64)
    group = np.asarray(group).astype(np.int64, copy=False)
    out = np.zeros(arrival.shape[0], dtype=np.int64)
    members = np.flatnonzero(group >= 0)
    if members.shape[0] < 2:
        return out
    who = members[_group_arrival_order(arrival[members], group[members])]
    g, a, s, e = group[who], arrival[who], start[who], end[who]
    m = who.shape[0]
    new_group = np.empty(m, dtype=bool)
    new_group[0] = True
    np.not_equal(g[1:], g[:-1], out=new_group[1:])
    new_run = new_group.copy()  # runs of customers who arrived together in one group
    new_run[1:] |= a[1:] != a[:-1]
    group_index = np.cumsum(new_group) - 1
    group_first = np.flatnonzero(new_group)
    run_id = np.cumsum(new_run) - 1
    run_first = np.flatnonzero(new_run)
    run_last = np.append(run_first[1:] - 1, m - 1)

    # Pruning, exact and O(n): running minima and maxima of (group, time) pairs, compared in
    # that order (numpy orders complex numbers so), never mix groups.
    later_min = np.minimum.accumulate(_group_time(group_index, s, np.inf)[::-1])[::-1]
    after_run = np.append(later_min[1:], complex(np.inf, np.inf))[run_last[run_id]]
    # Customer i can be overtaken only if a start after its run (of customers who arrived
    # with it) lies below its end ...
    queries = np.flatnonzero((after_run.real == group_index) & (after_run.imag < e))
    # ... and j can overtake only if a wait that ended after its start began before its run.
    earlier_max = np.maximum.accumulate(_group_time(group_index, e, -np.inf))
    before_run = np.insert(earlier_max[:-1], 0, complex(-np.inf, -np.inf))[run_first[run_id]]
    points = np.flatnonzero((before_run.real == group_index) & (before_run.imag > s))
    if queries.shape[0] == 0 or points.shape[0] == 0:
        return out

    # Joint integer ranks of the starts and ends left (equal times, equal ranks).
    n_points = points.shape[0]
    distinct, ranks = np.unique(np.concatenate((s[points], e[queries])), return_inverse=True)
    p_rank, q_rank = ranks[:n_points].astype(np.int64), ranks[n_points:].astype(np.int64)
    bits = int(distinct.shape[0]).bit_length()

    # Positions aligned per group (the first of each group at a multiple of 2**levels), a
    # query at the last position of its run: later arrivals are exactly the larger positions.
    levels = int(np.diff(np.append(group_first, m)).max() - 1).bit_length()
    aligned = group_index * (1 << levels) + (np.arange(m) - group_first[group_index])
    p_pos = aligned[points]
    q_pos = aligned[run_last[run_id[queries]]]
    counts = np.zeros(queries.shape[0], dtype=np.int64)
    for k in range(levels):
        p_block = p_pos >> k
        keys = np.sort((p_block << bits) | p_rank)
        q_block = q_pos >> k
        left = np.flatnonzero((q_block & 1) == 0)
        right_block = q_block[left] | 1
        below = np.searchsorted(keys, (right_block << bits) | q_rank[left], side="left")
        block_start = np.searchsorted(keys, right_block << bits, side="left")
        counts[left] += below - block_start
    out[who[queries]] = counts
    return out


def _group_time(group_index: np.ndarray, times: np.ndarray, missing: float) -> np.ndarray:
    """``group_index + 1j * times`` with NaN times as ``missing`` (built part by part: the
    product ``1j * inf`` would be NaN)."""
    out = np.empty(times.shape[0], dtype=np.complex128)
    out.real = group_index
    out.imag = np.where(np.isnan(times), missing, times)
    return out


def _group_arrival_order(arrival: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Indices that order rows by (group, arrival), stably; cheap for rows that come in order.

    Result tables list each day's customers in order of arrival: a stable sort by group alone
    (or none, with one group per day) then keeps the arrivals in order.
    """
    grouped = bool(np.all(group[1:] >= group[:-1]))
    order = np.arange(group.shape[0]) if grouped else np.argsort(group, kind="stable")
    a, g = arrival[order], group[order]
    if np.all((a[1:] >= a[:-1]) | (g[1:] != g[:-1])):
        return order
    return np.lexsort((arrival, group))
