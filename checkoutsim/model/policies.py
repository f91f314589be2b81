"""How a customer picks among the lines open to them: pure functions in a name registry.

A policy sees a small list of :class:`Option` (one per open cashier lane the customer may use,
plus one for the kiosk bank) and returns the index of the chosen option. Policies never touch
the simulation: the model builds the options from what a customer could see on arrival.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

__all__ = ["POLICIES", "Option", "choose_expected_wait", "choose_random", "choose_shortest_queue"]


class Option(NamedTuple):
    """One line a customer may join.

    Attributes
    ----------
    is_kiosk : bool
        True for the kiosk bank, False for a cashier lane.
    lane : int
        Lane index (cashier) or -1 (kiosk bank).
    waiting : int
        Customers visibly waiting in the line (not counting those being served).
    ahead : int
        Customers ahead of this one: those waiting plus the one in service at a lane; at the
        kiosk bank 0 if a kiosk is free, else those waiting plus one (the bank serves the next
        customer when the first of its kiosks frees, as a lane does when its customer leaves).
    expected_wait_min : float
        Rough wait a customer would estimate from what they see, in minutes.
    own_service_min : float
        The customer's own expected service time in this channel, in minutes.

    Notes
    -----
    A named tuple rather than a frozen dataclass: several are built for every arriving
    customer, and a tuple is built in about half the time.
    """

    is_kiosk: bool
    lane: int
    waiting: int
    ahead: int
    expected_wait_min: float
    own_service_min: float


Policy = Callable[[Sequence[Option], float], int]


def choose_expected_wait(options: Sequence[Option], u: float) -> int:
    """Pick the line with the least expected wait plus own service time.

    A customer with a full trolley weighs the slower kiosk scanning against the cashier's
    speed; ties go to the first option (cashier lanes come first, in lane order).
    """
    best, best_time = 0, float("inf")
    for i, opt in enumerate(options):
        total = opt.expected_wait_min + opt.own_service_min
        if total < best_time:
            best, best_time = i, total
    return best


def choose_shortest_queue(options: Sequence[Option], u: float) -> int:
    """Pick the line with the fewest customers ahead; ties go to the first option.

    The customer in service counts (a cashier scanning a trolley is not a free lane), so a
    free server (0 ahead) always beats a busy one: nobody queues behind a busy cashier while a
    lane they may use stands idle. Before issue 13 only those waiting counted, and 40% of
    customers (4 lanes, rho 0.65) queued behind a busy cashier beside an idle lane.
    """
    best, best_len = 0, None
    for i, opt in enumerate(options):
        if best_len is None or opt.ahead < best_len:
            best, best_len = i, opt.ahead
    return best


def choose_random(options: Sequence[Option], u: float) -> int:
    """Pick uniformly at random using the customer's own uniform draw ``u`` in [0, 1)."""
    return min(int(u * len(options)), len(options) - 1)


POLICIES: dict[str, Policy] = {
    "expected_wait": choose_expected_wait,
    "shortest_queue": choose_shortest_queue,
    "random": choose_random,
}
"""Lane-choice policies by the name used in ``run.lane_choice``."""
