"""The optimiser's starting plan: closed-form staffing per block, before any simulation.

Per staffing block (times in minutes):

* the arrival rate ``lam`` is the block's mean rate from the arrival profile (time-weighted);
* customers are split between kiosks and lanes by their channel preference: the kiosk share is
  ``prefer_kiosk_share`` plus half of the flexible customers, times the share of baskets
  within ``kiosk_item_limit`` (zero when no kiosk is on);
* **lanes** (regular and express pooled): the smallest ``c`` from
  :func:`checkoutsim.validation.theory.erlang_c_min_servers` for the lane customers with mean
  service ``E[items] x scan + fixed + payment``, against the wait target read from the targets
  (``wait_p90_min <= 4`` becomes ``P(Wq <= 4) >= 0.9``, ``wait_mean_min <= x`` a mean-wait
  bound, otherwise ``P(Wq <= run.target_wait_min) >= 0.9``). Separate lane queues are worse
  than one pooled queue, so this is a lower bound the simulation then corrects. Express lanes
  get half the share of small baskets (those may use either), the rest go to regular lanes;
* **kiosks** (only when searched): the same Erlang C rule on the kiosk bank, which *is* one
  pooled queue (M/M/c when service is exponential);
* **attendants**: the smallest ``r`` whose machine-repair model
  (:func:`checkoutsim.validation.theory.machine_repair`, the kiosk bank saturated: the busy-hour
  worst case) keeps the mean wait for help at most ``HELP_WAIT_MIN``.

Basket-size shares and conditional means come from a fixed-seed sample of the basket
distribution (``BASKET_SAMPLE`` draws), so the start is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from checkoutsim.planning.plan import PlanSpace, StaffPlan, block_arrival_rate
from checkoutsim.scenario.schema import Scenario
from checkoutsim.scenario.targets import Target
from checkoutsim.validation.theory import erlang_c_min_servers, machine_repair

__all__ = ["BASKET_SAMPLE", "HELP_WAIT_MIN", "analytic_plan", "wait_rule"]

BASKET_SAMPLE = 20_000
"""Draws of the basket distribution used for shares and conditional means."""

HELP_WAIT_MIN = 1.0
"""Mean wait for an attendant (minutes) the starting plan aims for."""

_PERCENTILES = {"wait_p50_min": 0.5, "wait_p90_min": 0.9, "wait_p95_min": 0.95}


def wait_rule(scenario: Scenario, targets: Sequence[Target]) -> dict[str, float]:
    """Keyword arguments of :func:`erlang_c_min_servers` standing for the wait targets."""
    for t in targets:
        if t.op != "<=" or t.value <= 0:
            continue
        if t.metric == "wait_mean_min":
            return {"target_wait_min": t.value}
        if t.metric in _PERCENTILES:
            return {"target_p_wait_within": _PERCENTILES[t.metric], "t": t.value}
    for t in targets:
        if t.metric == "within_target_pct" and t.op == ">=" and 0 < t.value < 100:
            return {"target_p_wait_within": t.value / 100.0, "t": scenario.run.target_wait_min}
    return {"target_p_wait_within": 0.9, "t": scenario.run.target_wait_min}


def _servers(lam: float, mean_service_min: float, rule: dict[str, float], upper: int) -> int:
    if lam <= 0 or upper == 0:
        return 0
    try:
        c = erlang_c_min_servers(
            lam,
            1.0 / mean_service_min,
            target_wait_min=rule.get("target_wait_min"),
            target_p_wait_within=rule.get("target_p_wait_within"),
            t=rule.get("t"),
        )
        return min(upper, c)
    except ValueError:  # no c up to the search limit: as many as exist
        return upper


def analytic_plan(space: PlanSpace, targets: Sequence[Target]) -> StaffPlan:
    """The closed-form starting plan (module docstring), within the space's bounds.

    Roles that are not searched keep the base scenario's counts.
    """
    s = space.base
    rng = np.random.default_rng(0)
    items = np.maximum(1, np.rint(s.customers.basket_items.sample(rng, BASKET_SAMPLE)))
    limit = s.customers.kiosk_item_limit
    kiosk_ok = items <= limit if limit is not None else np.ones(items.size, dtype=bool)
    ch = s.customers.channel
    flexible = 1.0 - ch.never_kiosk_share - ch.prefer_kiosk_share
    kiosk_share = (ch.prefer_kiosk_share + 0.5 * flexible) * float(kiosk_ok.mean())
    lane_items = float(items.mean())
    kiosk_items = float(items[kiosk_ok].mean()) if kiosk_ok.any() else 0.0
    pay = s.customers.payment_min.mean
    lane_service = lane_items * s.cashiers.scan_min_per_item.mean + s.cashiers.fixed_min.mean + pay
    kiosk_service = kiosk_items * s.kiosks.scan_min_per_item.mean + s.kiosks.fixed_min.mean + pay
    express = s.cashiers.express
    small_share = float((items <= express.item_limit).mean()) if express else 0.0
    rule = wait_rule(s, targets)
    current = StaffPlan.of(s)
    rows = []
    for b, block in enumerate(s.staffing):
        lam = block_arrival_rate(s, block)
        c, e, a, k = current.counts[b]
        if "kiosks" in space.roles:
            k = _servers(lam * kiosk_share, kiosk_service, rule, space.upper("kiosks"))
        share = kiosk_share if k > 0 else 0.0
        lanes_total = space.upper("cashiers") + space.upper("express_cashiers")
        if {"cashiers", "express_cashiers"} & set(space.roles):
            pooled = _servers(lam * (1.0 - share), lane_service, rule, lanes_total)
            if "express_cashiers" in space.roles:
                e = min(space.upper("express_cashiers"), math.floor(pooled * small_share * 0.5))
            if "cashiers" in space.roles:
                c = min(space.upper("cashiers"), pooled - e)
        if "attendants" in space.roles:
            a = _attendants(s, k, kiosk_service)
        rows.append((c, e, a, k))
    return space.repaired(StaffPlan(tuple(rows)))


def _attendants(s: Scenario, kiosks_on: int, kiosk_service_min: float) -> int:
    if kiosks_on == 0:
        return 0
    items = s.customers.basket_items.mean
    per_transaction = 0.0
    repair = 0.0
    for cause in s.kiosks.confusion:
        rate = cause.probability * (items if cause.per == "item" else 1.0)
        per_transaction += rate
        walk = 0.0 if cause.clearing == "remote" else s.attendants.mean_walk_min(s.kiosks.count)
        repair += rate * (walk + cause.resolve_min.mean)
    if per_transaction <= 0:
        return 0
    lam = per_transaction / kiosk_service_min  # confusions per running kiosk per minute
    mu = per_transaction / repair
    for r in range(1, kiosks_on + 1):
        if machine_repair(kiosks_on, lam, mu, r).wq_min <= HELP_WAIT_MIN:
            return r
    return kiosks_on
