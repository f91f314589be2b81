"""The coupon book: shifts from the staffing plan, and a budget that can never be exceeded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkoutsim import Scenario, simulate
from checkoutsim.experience.pipeline import add_experience
from checkoutsim.experience.recovery import RoleCode, allocate_coupons, staff_shifts
from checkoutsim.scenario.schema import ServiceRecovery


def test_shifts_are_unbroken_stretches_of_the_plan(weekday: Scenario) -> None:
    shifts = staff_shifts(weekday)
    cashiers = shifts[shifts["role"] == RoleCode.CASHIER]
    # weekday.yaml: regular cashiers 2, 3, 4, 3, 5, 2 over 08-10, 10-11, 11-14, 14-16, 16-19, 19-21.
    lane0 = cashiers[cashiers["staff_id"] == 0]
    assert lane0[["shift_start_min", "shift_end_min"]].values.tolist() == [[0.0, 780.0]]
    lane3 = cashiers[cashiers["staff_id"] == 3]
    assert lane3[["shift_start_min", "shift_end_min"]].values.tolist() == [
        [180.0, 360.0],
        [480.0, 660.0],
    ]
    lane4 = cashiers[cashiers["staff_id"] == 4]
    assert lane4[["shift_start_min", "shift_end_min"]].values.tolist() == [[480.0, 660.0]]
    # Express lane (index 10) staffed 10:00-19:00 in one stretch.
    express = cashiers[cashiers["staff_id"] == 10]
    assert express[["shift_start_min", "shift_end_min"]].values.tolist() == [[120.0, 660.0]]
    attendants = shifts[shifts["role"] == RoleCode.ATTENDANT]
    assert attendants[attendants["staff_id"] == 1][["shift_start_min"]].values.ravel().tolist() == [
        180.0,
        480.0,
    ]


def test_lean_has_one_shift_per_staff_member(lean: Scenario) -> None:
    shifts = staff_shifts(lean)
    assert len(shifts) == 2
    assert shifts["shift_end_min"].tolist() == [780.0, 780.0]


def _check_books(
    alloc_coupon: np.ndarray,
    books: pd.DataFrame,
    budget: int,
) -> None:
    assert (books["used"] <= budget).all()
    assert (books["used"] >= 0).all()
    assert ((books["used"] + books["left"]) == budget).all()
    assert int(books["used"].sum()) == int(alloc_coupon.sum())


@st.composite
def contact_sets(draw: st.DrawFn) -> tuple:
    n_customers = draw(st.integers(1, 40))
    n_staff = draw(st.integers(1, 3))
    # Random shifts per staff member: sorted cut points over a 600-minute day.
    rows = []
    for role in (RoleCode.CASHIER, RoleCode.ATTENDANT):
        for staff in range(n_staff):
            cuts = sorted(set(draw(st.lists(st.integers(0, 600), min_size=2, max_size=6))))
            for a, b in zip(cuts[::2], cuts[1::2], strict=False):
                rows.append((role, staff, float(a), float(b)))
    shifts = pd.DataFrame(rows, columns=["role", "staff_id", "shift_start_min", "shift_end_min"])
    n_contacts = draw(st.integers(0, 80))
    contacts = (
        np.array(
            draw(
                st.lists(st.integers(0, n_customers - 1), min_size=n_contacts, max_size=n_contacts)
            ),
            dtype=np.int64,
        ),
        np.array(
            draw(
                st.lists(
                    st.sampled_from([RoleCode.CASHIER, RoleCode.ATTENDANT]),
                    min_size=n_contacts,
                    max_size=n_contacts,
                )
            ),
            dtype=np.int64,
        ),
        np.array(
            draw(st.lists(st.integers(0, n_staff), min_size=n_contacts, max_size=n_contacts)),
            dtype=np.int64,
        ),
        np.array(draw(st.lists(st.floats(0.0, 700.0), min_size=n_contacts, max_size=n_contacts))),
        np.array(draw(st.lists(st.floats(0.0, 20.0), min_size=n_contacts, max_size=n_contacts))),
    )
    recovery = ServiceRecovery(
        coupons_per_shift=draw(st.integers(0, 5)),
        frustration_threshold_felt_min=draw(st.floats(0.0, 20.0)),
    )
    return n_customers, contacts, shifts, recovery


@pytest.mark.property
@settings(max_examples=300)
@given(contact_sets())
def test_budget_never_exceeded_and_books_are_used_greedily(case: tuple) -> None:
    n, contacts, shifts, recovery = case
    customer, role, staff, time, frustration = contacts
    alloc = allocate_coupons(n, *contacts, shifts=shifts, recovery=recovery)
    budget = recovery.coupons_per_shift
    _check_books(alloc.coupon, alloc.books, budget)
    # Every recipient had a qualifying contact with the giver at the moment recorded.
    for c in np.flatnonzero(alloc.coupon):
        match = (
            (customer == c)
            & (role == alloc.role[c])
            & (staff == alloc.staff_id[c])
            & (time == alloc.time_min[c])
            & (frustration >= recovery.frustration_threshold_felt_min)
        )
        assert match.any()
    # Nobody without a qualifying contact gets one.
    eligible = np.zeros(n, dtype=bool)
    ok = frustration >= recovery.frustration_threshold_felt_min
    eligible[customer[ok]] = True
    assert not (alloc.coupon & ~eligible).any()
    # Greedy: a book with coupons left never turned away an eligible customer who then went
    # without (every eligible contact on a book that ends with coupons left got served).
    books = alloc.books
    for b in np.flatnonzero(books["left"].to_numpy() > 0):
        r, s = books.at[b, "role"], books.at[b, "staff_id"]
        starts = books[(books["role"] == r) & (books["staff_id"] == s)]["shift_start_min"]
        starts = np.sort(starts.to_numpy())
        mine = np.flatnonzero(ok & (role == r) & (staff == s))
        for i in mine:
            pos = max(np.searchsorted(starts, time[i], side="right") - 1, 0)
            if starts[pos] == books.at[b, "shift_start_min"]:
                assert alloc.coupon[customer[i]]


@st.composite
def small_scenarios(draw: st.DrawFn, base: Scenario) -> tuple[Scenario, int]:
    """A two-hour store day with random staffing, book size and threshold."""
    blocks = []
    starts = ["08:00", "08:30", "09:00", "09:30"]
    ends = ["08:30", "09:00", "09:30", "10:00"]
    for start, end in zip(starts, ends, strict=True):
        blocks.append(
            {
                "start": start,
                "end": end,
                "cashiers": draw(st.integers(1, 3)),
                "express_cashiers": draw(st.integers(0, 1)),
                "attendants": draw(st.integers(1, 3)),
                "kiosks": draw(st.integers(0, 12)),
            }
        )
    overrides = {
        "store": {"open": "08:00", "close": "10:00"},
        "arrivals": {
            "profile": [
                {
                    "start": "08:00",
                    "end": "10:00",
                    "customers_per_hour": draw(st.floats(100.0, 500.0)),
                }
            ]
        },
        "staffing": blocks,
        "service_recovery": {
            "coupons_per_shift": draw(st.integers(0, 6)),
            "frustration_threshold_felt_min": draw(st.floats(0.0, 8.0)),
        },
    }
    return base.with_overrides(overrides), draw(st.integers(0, 2**31 - 1))


@pytest.mark.property
@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_budget_holds_in_simulated_days(lean: Scenario, data: st.DataObject) -> None:
    scenario, seed = data.draw(small_scenarios(lean))
    result = simulate(scenario, replications=1, seed=seed)
    customers, books = add_experience(scenario, result.customers, result.assists)
    budget = scenario.service_recovery.coupons_per_shift
    assert len(books) == len(staff_shifts(scenario))
    _check_books(customers["coupon"].to_numpy(), books, budget)
    # Coupons only lift satisfaction, by at most the lift, never above a frictionless checkout.
    lift = customers["satisfaction"] - customers["satisfaction_without_coupon"]
    assert (lift >= -1e-12).all()
    assert (lift <= scenario.service_recovery.csat_lift_score + 1e-12).all()
    assert (lift[~customers["coupon"]] == 0).all()
    assert (customers["satisfaction"] <= scenario.satisfaction.csat.no_wait_score + 1e-12).all()
    # Each recipient was frustrated enough, and reached staff (served).
    got = customers[customers["coupon"]]
    assert (got["outcome"] == "served").all()
    threshold = scenario.service_recovery.frustration_threshold_felt_min
    assert (got["frustration_min"] >= threshold - 1e-9).all()


def test_first_frustrated_customer_in_time_gets_the_last_coupon() -> None:
    shifts = pd.DataFrame(
        [(RoleCode.CASHIER, 0, 0.0, 600.0), (RoleCode.CASHIER, 1, 0.0, 600.0)],
        columns=["role", "staff_id", "shift_start_min", "shift_end_min"],
    )
    recovery = ServiceRecovery(coupons_per_shift=1, frustration_threshold_felt_min=5.0)
    alloc = allocate_coupons(
        4,
        contact_customer=np.array([0, 1, 2, 3]),
        contact_role=np.full(4, RoleCode.CASHIER),
        contact_staff=np.array([0, 0, 0, 1]),
        contact_time_min=np.array([30.0, 20.0, 10.0, 40.0]),
        contact_frustration_min=np.array([9.0, 6.0, 4.0, 5.0]),
        shifts=shifts,
        recovery=recovery,
    )
    # Customer 2 came first but was not frustrated enough; customer 1 came next and was.
    assert alloc.coupon.tolist() == [False, True, False, True]
    assert alloc.staff_id.tolist() == [-1, 0, -1, 1]
    assert alloc.books["used"].tolist() == [1, 1]
    assert alloc.books["left"].tolist() == [0, 0]


# -- the seed's coupon book: acknowledge first, a book a season (issue 14) ----------------------


def test_books_carry_over_from_day_to_day_and_refill_each_period(lean: Scenario) -> None:
    s = lean.with_overrides(
        {
            "service_recovery": {
                "coupons_per_book": 3,
                "book_days": 2,
                "frustration_threshold_felt_min": 5.0,
            }
        }
    )
    result = simulate(s, replications=4, seed=8)
    books = result.coupons.sort_values(["role", "staff_id", "rep"])
    assert books["used"].sum() > 0
    for _, book in books.groupby(["role", "staff_id"], observed=True):
        start = book.set_index("rep")["coupons"]
        left = book.set_index("rep")["left"]
        assert start[0] == 3 and start[2] == 3  # a full book at the start of each period
        assert start[1] == left[0] and start[3] == left[2]  # what day r left, day r+1 starts with
        assert (book["used"] + book["left"] == book["coupons"]).all()
    per_day = result.customers.groupby("rep")["coupon"].sum()
    assert per_day.tolist() == result.coupons.groupby("rep")["used"].sum().tolist()
    m = result.metrics()
    left_metric = m[m["metric"] == "coupons_left"].set_index("rep")["value"]
    assert left_metric.tolist() == result.coupons.groupby("rep")["left"].sum().tolist()


def test_acknowledging_gives_back_a_share_of_the_lost_csat_for_free(lean: Scenario) -> None:
    share = 0.4
    s = lean.with_overrides(
        {"service_recovery": {"acknowledge_restore_share": share, "coupons_per_book": 0}}
    )
    result = simulate(s, replications=1, seed=3)
    c = result.customers
    top = s.satisfaction.csat.no_wait_score
    acked = c["acknowledged"].to_numpy()
    assert acked.sum() > 0 and not c["coupon"].any()
    before = c["satisfaction_before_recovery"].to_numpy()
    expected = np.where(acked, before + share * (top - before), before)
    assert c["satisfaction"].to_numpy() == pytest.approx(expected, rel=1e-12)
    # Only customers who reached staff frustrated enough are acknowledged.
    threshold = s.service_recovery.acknowledge_threshold_felt_min
    assert (c.loc[acked, "outcome"] == "served").all()
    assert (c.loc[acked, "frustration_min"] >= threshold - 1e-9).all()
    assert result.costs().set_index("line").loc["coupon_cost", "mean"] == 0.0


def test_with_defaults_a_well_staffed_day_uses_fewer_coupons_than_a_lean_one(
    weekday: Scenario, lean: Scenario
) -> None:
    """The coupon is the last resort: the default threshold is a severe failure."""
    used = {}
    for name, s in (("weekday", weekday.with_overrides({"service_recovery": {}})), ("lean", lean)):
        m = simulate(s, replications=4, seed=21).metrics()
        used[name] = m[m["metric"] == "coupons_used"]["value"].to_numpy()
    assert used["weekday"].mean() < used["lean"].mean()
    assert used["weekday"].mean() <= 2.0  # few or none in a day, from 8 books
