"""Warnings, not errors: time blocks whose demand is more than the staff on duty can serve.

A scenario may be valid and still describe a store that cannot keep up (an arrival rate of
2,500 an hour on four lanes). That is a legitimate question to simulate, so it is not refused,
but ``checkoutsim validate`` says so, naming the block. The check is a lower bound on the
utilisation ``rho`` from the scenario's own means, so it never warns about a block that can
keep up:

* every customer needs at least the cheaper of the two channels' mean service time (a cashier:
  fixed + items x scan + payment; a kiosk: fixed + items x scan + payment + the mean time its
  confusion events freeze it, resolution and walk), and customers who never use a kiosk need
  a cashier's;
* the servers on duty are the staffed lanes (regular and express) and the kiosks switched on.

``rho >= offered server-minutes per minute / servers on duty``; above 1 the queue grows for as
long as the block lasts (patience and balking then decide who is lost).
"""

from __future__ import annotations

from dataclasses import dataclass

from checkoutsim.scenario.schema import Scenario, parse_time_of_day

__all__ = ["OverloadedBlock", "overloaded_blocks"]


@dataclass(frozen=True)
class OverloadedBlock:
    """A stretch of the day whose demand exceeds the staffed capacity."""

    start: str
    end: str
    customers_per_hour: float
    servers: int
    rho_at_least: float

    def __str__(self) -> str:
        return (
            f"{self.start}-{self.end}: {self.customers_per_hour:,.0f} customers an hour need at "
            f"least {self.rho_at_least:.2f} times what the {self.servers} lanes and kiosks on "
            "duty can serve (rho > 1): the queue grows all through the block"
        )


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _service_means_min(scenario: Scenario) -> tuple[float, float]:
    """Mean minutes a customer occupies a cashier lane and a kiosk."""
    cust = scenario.customers
    items = cust.basket_items.mean
    payment = cust.payment_min.mean
    cashier = scenario.cashiers.fixed_min.mean + items * scenario.cashiers.scan_min_per_item.mean
    kiosks = scenario.kiosks
    frozen = 0.0
    walk_min = scenario.attendants.mean_walk_min(kiosks.count)
    for cause in kiosks.confusion:
        events = cause.probability * (items if cause.per == "item" else 1.0)
        walk = 0.0 if cause.clearing == "remote" else walk_min
        frozen += events * (cause.resolve_min.mean + walk)
    kiosk = kiosks.fixed_min.mean + items * kiosks.scan_min_per_item.mean + frozen
    return cashier + payment, kiosk + payment


def overloaded_blocks(scenario: Scenario) -> list[OverloadedBlock]:
    """Every stretch (arrival block within a staffing block) whose ``rho`` is surely above 1."""
    cashier_min, kiosk_min = _service_means_min(scenario)
    never = scenario.customers.channel.never_kiosk_share
    out = []
    for staff in scenario.staffing:
        s0, s1 = parse_time_of_day(staff.start), parse_time_of_day(staff.end)
        kiosks_on = scenario.kiosks.count if staff.kiosks is None else staff.kiosks
        lanes = staff.cashiers + staff.express_cashiers
        # With no kiosk on, every customer needs a lane; with no lane, every one a kiosk.
        if kiosks_on == 0:
            per_customer = cashier_min
        elif lanes == 0:
            per_customer = kiosk_min
        else:
            per_customer = never * cashier_min + (1.0 - never) * min(cashier_min, kiosk_min)
        servers = lanes + kiosks_on
        for arrivals in scenario.arrivals.profile:
            a0, a1 = parse_time_of_day(arrivals.start), parse_time_of_day(arrivals.end)
            start, end = max(s0, a0), min(s1, a1)
            rate = arrivals.customers_per_hour
            if end <= start or rate == 0:
                continue
            offered = rate / 60.0 * per_customer
            rho = offered / servers if servers else float("inf")
            if rho > 1.0:
                out.append(OverloadedBlock(_clock(start), _clock(end), rate, servers, rho))
    return out
