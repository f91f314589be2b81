"""Hand-made populations for model tests: cashier-only customers at given times."""

from __future__ import annotations

import math

import numpy as np

from checkoutsim.model.population import Population, PreferenceCode


def cashier_customers(arrivals: list[float], service: list[float]) -> Population:
    """Customers who never use a kiosk, arriving at ``arrivals`` (minutes after opening) with
    cashier service times ``service`` (minutes), infinitely patient and never balking."""
    n = len(arrivals)
    empty_f, empty_i = np.zeros(0), np.zeros(0, dtype=np.int64)
    return Population(
        arrival_min=np.array(arrivals, dtype=float),
        basket_items=np.full(n, 5, dtype=np.int64),
        cashier_service_min=np.array(service, dtype=float),
        kiosk_work_min=np.ones(n),
        payment_min=np.full(n, 0.25),
        patience_min=np.full(n, math.inf),
        preference=np.full(n, PreferenceCode.NEVER_KIOSK, dtype=np.int8),
        choice_u=np.full(n, 0.5),
        balk_u=np.full(n, 0.5),
        event_start=np.zeros(n + 1, dtype=np.int64),
        event_cause=empty_i,
        event_position=empty_f,
        event_resolve_min=empty_f,
        event_walk_min=empty_f,
        event_notice_min=empty_f,
    )
