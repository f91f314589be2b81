"""The day's customers, drawn up front, before any queueing happens.

Everything random about a customer (when they arrive, their basket, how long scanning and paying
take in either channel, their patience, which confusion events their kiosk visit would meet) is
drawn here, vectorised, from the named streams. The simulation then only reads these arrays.
Because none of these draws depends on staffing, the n-th customer is the same person under
every staffing plan run with the same seed and replication (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from checkoutsim.model.recorder import int_dtype
from checkoutsim.model.streams import Source, Streams
from checkoutsim.scenario.schema import Attendants, Scenario

__all__ = [
    "MAX_BASKET_ITEMS",
    "Population",
    "PreferenceCode",
    "day_demand_multiplier",
    "draw_arrival_times",
    "draw_population",
]

MAX_BASKET_ITEMS = 1_000
"""Largest basket, in items: a drawn basket is rounded and clipped to [1, 1,000]. Every item
gets its own scanning draws, so an unbounded tail (an exponential with a mean of 1e200, a
lognormal with a huge sd) would otherwise overflow the integer count or exhaust memory. A
thousand items is a pallet, not a trolley: ``weekday.yaml``'s basket exceeds it with
probability 5e-7."""


class PreferenceCode:
    """Integer codes of a customer's channel preference."""

    FLEXIBLE = 0
    NEVER_KIOSK = 1
    PREFER_KIOSK = 2
    LABELS = ("flexible", "never_kiosk", "prefer_kiosk")


@dataclass(frozen=True)
class Population:
    """Per-customer draws for one replication (arrays indexed by customer id).

    Confusion events are stored flat, grouped by customer: the events of customer ``i`` are
    ``event_*[event_start[i]:event_start[i + 1]]``, ordered by ``event_position``.
    ``event_notice_min`` is the notice delay before any growth with open freezes (see
    :mod:`checkoutsim.model.attendants`).
    """

    arrival_min: np.ndarray
    basket_items: np.ndarray
    cashier_service_min: np.ndarray
    kiosk_work_min: np.ndarray
    payment_min: np.ndarray
    patience_min: np.ndarray
    preference: np.ndarray
    choice_u: np.ndarray
    balk_u: np.ndarray
    event_start: np.ndarray
    event_cause: np.ndarray
    event_position: np.ndarray
    event_resolve_min: np.ndarray
    event_walk_min: np.ndarray
    event_notice_min: np.ndarray

    @property
    def size(self) -> int:
        """Number of customers."""
        return int(self.arrival_min.shape[0])


def day_demand_multiplier(scenario: Scenario, streams: Streams) -> float:
    """The day's demand multiplier: gamma with mean 1 and CV ``arrivals.day_to_day_cv``.

    Shape ``1 / cv**2`` and scale ``cv**2`` give mean 1 and variance ``cv**2``. It comes from
    its own stream (:attr:`Source.DEMAND`), so the same replication has the same busy or quiet
    day under every staffing plan, and with ``cv = 0`` nothing is drawn and the multiplier is
    exactly 1 (every other stream is untouched: results are those of a fixed-rate day).
    """
    cv = scenario.arrivals.day_to_day_cv
    if cv <= 0:
        return 1.0
    rng = streams.generator(Source.DEMAND)
    return float(rng.gamma(shape=1.0 / cv**2, scale=cv**2))


def draw_arrival_times(
    scenario: Scenario, rng: np.random.Generator, multiplier: float = 1.0
) -> np.ndarray:
    """Arrival times (minutes after opening) of a piecewise-constant-rate Poisson process.

    In each block the count is Poisson with mean rate x multiplier x length and, given the
    count, the times are independent uniforms over the block: exact for a piecewise-constant
    rate, no thinning needed. ``multiplier`` is the day's demand factor
    (:func:`day_demand_multiplier`; 1 = the profile as written).
    """
    chunks = []
    for block in scenario.arrivals.profile:
        start = scenario.minutes_after_open(block.start)
        end = scenario.minutes_after_open(block.end)
        length = end - start
        count = rng.poisson(block.customers_per_hour * multiplier / 60.0 * length)
        chunks.append(np.sort(start + length * rng.random(count)))
    return np.concatenate(chunks) if chunks else np.empty(0)


def _summed_per_customer(per_item: np.ndarray, items: np.ndarray) -> np.ndarray:
    """Sum a flat array of per-item values into one total per customer (items >= 1)."""
    offsets = np.concatenate(([0], np.cumsum(items)[:-1]))
    return np.add.reduceat(per_item, offsets) if per_item.size else np.zeros(items.shape)


def customer_inputs(scenario: Scenario) -> dict[str, object]:
    """Every part of a scenario that :func:`draw_population` reads, by a name a planner knows.

    Two scenarios with equal inputs and the same seed draw the very same customers (arrivals,
    baskets, service and patience times, confusion events); staffing, lane and kiosk counts,
    express lanes, dispatch, costs and the experience settings are not among them. Comparisons
    use this to say whether their plans really saw the same customers.
    """
    return {
        "store hours": (scenario.store.open, scenario.store.close),
        "arrivals": scenario.arrivals.model_dump(),
        # Not balking or kiosk_item_limit: those are the store's rules, applied in the model.
        "customers": scenario.customers.model_dump(
            include={"basket_items", "payment_min", "patience_min", "channel"}
        ),
        "cashier service times": (
            scenario.cashiers.fixed_min.model_dump(),
            scenario.cashiers.scan_min_per_item.model_dump(),
        ),
        "kiosk service times": (
            scenario.kiosks.fixed_min.model_dump(),
            scenario.kiosks.scan_min_per_item.model_dump(),
        ),
        "confusion events": [cause.model_dump() for cause in scenario.kiosks.confusion],
        "attendant walk": (
            scenario.attendants.walk_min.model_dump() if scenario.attendants.walk_min else None
        ),
        "attendant notice": scenario.attendants.model_dump(
            include={"notice_min", "other_work_share", "other_work_task_min"}
        ),
    }


def draw_population(scenario: Scenario, streams: Streams) -> Population:
    """Draw every customer of one replication.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    streams : Streams
        The replication's named random streams.

    Returns
    -------
    Population
        Arrays indexed by customer id (customers in order of arrival).
    """
    arrivals = draw_arrival_times(
        scenario, streams.generator(Source.ARRIVALS), day_demand_multiplier(scenario, streams)
    )
    n = int(arrivals.shape[0])
    cust = scenario.customers

    basket_rng = streams.generator(Source.BASKET)
    drawn = np.rint(cust.basket_items.sample(basket_rng, n))
    items = np.clip(drawn, 1, MAX_BASKET_ITEMS).astype(np.int64)
    total_items = int(items.sum())

    scan_rng = streams.generator(Source.SCAN)
    cashier = scenario.cashiers
    cashier_service = cashier.fixed_min.sample(scan_rng, n) + _summed_per_customer(
        cashier.scan_min_per_item.sample(scan_rng, total_items), items
    )
    kiosks = scenario.kiosks
    kiosk_work = kiosks.fixed_min.sample(scan_rng, n) + _summed_per_customer(
        kiosks.scan_min_per_item.sample(scan_rng, total_items), items
    )
    payment = cust.payment_min.sample(streams.generator(Source.PAYMENT), n)

    if cust.patience_min is None:
        patience = np.full(n, np.inf)
    else:
        patience = cust.patience_min.sample(streams.generator(Source.PATIENCE), n)

    choice_rng = streams.generator(Source.CHOICE)
    pref_u = choice_rng.random(size=n)
    choice_u = choice_rng.random(size=n)
    share = cust.channel
    preference = np.full(n, PreferenceCode.FLEXIBLE, dtype=np.int8)
    preference[pref_u < share.never_kiosk_share] = PreferenceCode.NEVER_KIOSK
    prefer_hi = share.never_kiosk_share + share.prefer_kiosk_share
    preference[(pref_u >= share.never_kiosk_share) & (pref_u < prefer_hi)] = (
        PreferenceCode.PREFER_KIOSK
    )
    balk_u = streams.generator(Source.BALKING).random(size=n)

    events = _draw_confusion(scenario, streams, items)

    return Population(
        arrival_min=arrivals,
        basket_items=items,
        cashier_service_min=cashier_service + payment,
        kiosk_work_min=kiosk_work,
        payment_min=payment,
        patience_min=patience,
        preference=preference,
        choice_u=choice_u,
        balk_u=balk_u,
        **events,
    )


def _draw_confusion(
    scenario: Scenario, streams: Streams, items: np.ndarray
) -> dict[str, np.ndarray]:
    """Confusion events each customer would meet at a kiosk, whichever channel they pick."""
    n = int(items.shape[0])
    rng = streams.generator(Source.CONFUSION)
    owners, causes, positions = [], [], []
    cause_dtype = int_dtype(len(scenario.kiosks.confusion))
    for cause_index, cause in enumerate(scenario.kiosks.confusion):
        if cause.per == "item":
            counts = rng.binomial(items, cause.probability)
        else:
            counts = (rng.random(size=n) < cause.probability).astype(np.int64)
        owner = np.repeat(np.arange(n), counts)
        total = owner.shape[0]
        # A payment fault strikes after all scanning work (position 1.0).
        pos = np.ones(total) if cause.at == "payment" else rng.random(size=total)
        owners.append(owner)
        causes.append(np.full(total, cause_index, dtype=cause_dtype))
        positions.append(pos)
    if owners:
        owner = np.concatenate(owners)
        cause_arr = np.concatenate(causes)
        position = np.concatenate(positions)
    else:
        owner = np.empty(0, dtype=np.int64)
        cause_arr = np.empty(0, dtype=cause_dtype)
        position = np.empty(0)
    # Group by customer, then by position within the visit; stable so ties keep cause order.
    order = np.lexsort((position, owner))
    owner, cause_arr, position = owner[order], cause_arr[order], position[order]

    # Resolution and walk times are drawn per cause from its own distribution, in cause order,
    # so adding a cause never shifts the draws of the others.
    resolve = np.empty(owner.shape[0])
    res_rng = streams.generator(Source.RESOLUTION)
    for cause_index, cause in enumerate(scenario.kiosks.confusion):
        mask = cause_arr == cause_index
        resolve[mask] = cause.resolve_min.sample(res_rng, int(mask.sum()))
    total = owner.shape[0]
    attendants = scenario.attendants
    if attendants.walk_min is None:
        walk = np.zeros(total)  # by distance, in the model (attendants.geometry)
    else:
        walk = attendants.walk_min.sample(streams.generator(Source.WALK), total)
    notice = draw_notice(attendants, streams.generator(Source.NOTICE), total)

    event_start = np.searchsorted(owner, np.arange(n + 1), side="left").astype(np.int64)
    return {
        "event_start": event_start,
        "event_cause": cause_arr,
        "event_position": position,
        "event_resolve_min": resolve,
        "event_walk_min": walk,
        "event_notice_min": notice,
    }


def draw_notice(attendants: Attendants, rng: np.random.Generator, n: int) -> np.ndarray:
    """Base notice delay of ``n`` freezes, minutes: how long before an attendant sees each.

    A watching attendant notices after ``notice_min``. With probability ``other_work_share``
    the freeze finds the attendant mid-way through another duty (for freezes arriving as a
    Poisson stream the share of freezes finding them so is the share of time, PASTA); they
    notice at the task's next break point, after the remaining part of a task drawn from
    ``other_work_task_min`` (a uniform share of it). Growth with the freezes already open is
    applied in the model, where that count is known.
    """
    notice = np.zeros(n)
    if attendants.notice_min is not None:
        notice += attendants.notice_min.sample(rng, n)
    task = attendants.other_work_task_min
    if attendants.other_work_share > 0 and task is not None:
        busy = rng.random(size=n) < attendants.other_work_share
        remaining = rng.random(size=n) * task.sample(rng, n)
        notice += np.where(busy, remaining, 0.0)
    return notice
