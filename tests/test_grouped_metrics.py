"""The metric tables computed for all groups at once equal a plain per-group computation.

Issue 20: ``hourly_metrics``, ``replication_metrics``, ``experience_metrics``,
``experience_hourly_metrics``, ``grouped_hourly_metrics`` (so the planner's block metrics) and
``money_hourly_metrics`` reduce every (replication, hour) group at once
(:mod:`checkoutsim.experience.grouped`). Here
each figure is recomputed the plain way, numpy on one group's rows at a time, on simulated days
of the shipped weekday and lean-staffing scenarios and on hand-made edge cases, and must be
equal to the last bit (the grouped sums add each group's values in numpy's own order).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from checkoutsim import Scenario, SimulationResult, simulate
from checkoutsim.experience.costs import (
    money_hourly_metrics,
    money_metrics,
    scheduled_hours_by_clock_hour,
)
from checkoutsim.experience.grouped import Groups, group_rows
from checkoutsim.experience.pipeline import experience_hourly_metrics, experience_metrics
from checkoutsim.experience.satisfaction import net_promoter_score
from checkoutsim.planning.blocks import block_labels, block_metrics
from checkoutsim.results.tables import (
    grouped_hourly_metrics,
    hourly_metrics,
    replication_metrics,
)

TARGET = 4.0


@pytest.fixture(scope="module", params=["weekday", "lean"])
def run(request: pytest.FixtureRequest) -> SimulationResult:
    """Two days of a shipped scenario (lean staffing has coupons, both have faults)."""
    scenario: Scenario = request.getfixturevalue(request.param)
    return simulate(scenario, 2, 2026, workers=1)


# -- the plain computation of one group -----------------------------------------------------


def _nan_if_empty(f: Callable[[np.ndarray], float], x: np.ndarray) -> float:
    return float(f(x)) if x.size else np.nan


def customer_reference(c: pd.DataFrame) -> dict[str, float]:
    """The customer metrics of one group of customers, numpy on its rows."""
    outcome = c["outcome"].astype(str).to_numpy()
    served = outcome == "served"
    n = outcome.size
    waits = c["queue_wait_min"].to_numpy()[served]
    sojourn = (c["departure_min"].to_numpy() - c["arrival_min"].to_numpy())[served]
    assists = c["assists"].to_numpy()[served]
    p = np.percentile(waits, [50, 90, 95]) if waits.size else [np.nan] * 3
    return {
        "arrivals": n,
        "served": served.sum(),
        "balked": (outcome == "balked").sum(),
        "reneged": (outcome == "reneged").sum(),
        "balked_pct": 100.0 * (outcome == "balked").sum() / n if n else np.nan,
        "reneged_pct": 100.0 * (outcome == "reneged").sum() / n if n else np.nan,
        "abandoned_items": c["basket_items"].to_numpy()[~served].sum(),
        "wait_mean_min": _nan_if_empty(np.mean, waits),
        "wait_p50_min": p[0],
        "wait_p90_min": p[1],
        "wait_p95_min": p[2],
        "wait_max_min": _nan_if_empty(np.max, waits),
        "within_target_pct": _nan_if_empty(lambda w: 100.0 * np.mean(w <= TARGET), waits),
        "time_in_store_checkout_mean_min": _nan_if_empty(np.mean, sojourn),
        "assists_per_customer": _nan_if_empty(np.mean, assists),
        "assisted_pct": _nan_if_empty(lambda a: 100.0 * np.mean(a > 0), assists),
    }


def experience_reference(c: pd.DataFrame, coupons: bool) -> dict[str, float]:
    """The experience metrics of one group of customers (``Series.mean`` skips NaN: nanmean)."""
    csat = c["satisfaction"].to_numpy()
    classes = c["nps_class"].cat.codes.to_numpy()
    out = {
        "perceived_wait_mean_min": np.nanmean(c["perceived_wait_min"].to_numpy()),
        "overtaken_per_customer": np.mean(c["overtaken"].to_numpy()),
        "switched_pct": 100.0 * np.mean(c["switches"].to_numpy() > 0),
        "csat_mean": np.mean(csat),
        "satisfied_pct": 100.0 * np.mean(csat >= 3.5),
        "ces_mean": np.nanmean(c["effort"].to_numpy()),
        "nps": net_promoter_score(classes),
        "promoters_pct": 100.0 * np.mean(classes == 2),
        "detractors_pct": 100.0 * np.mean(classes == 0),
    }
    if coupons:
        out["coupons_used"] = c["coupon"].to_numpy().sum()
    return out


def assist_reference(a: pd.DataFrame) -> dict[str, float]:
    waits = a["wait_for_attendant_min"].to_numpy()
    return {
        "attendant_response_mean_min": _nan_if_empty(np.mean, waits),
        "attendant_response_p90_min": _nan_if_empty(lambda w: np.percentile(w, 90), waits),
    }


def utilisation_reference(ts: pd.DataFrame, widths: np.ndarray) -> dict[str, float]:
    out = {}
    for kind in ("cashiers", "kiosks", "attendants"):
        duty = np.dot(ts[f"{kind}_on_duty_avg"].to_numpy(dtype=float), widths)
        busy = np.dot(ts[f"{kind}_busy_avg"].to_numpy(dtype=float), widths)
        out[f"{kind}_utilisation_pct"] = 100.0 * busy / duty if duty > 0 else np.nan
    return out


def by_group(frame: pd.DataFrame, keys: list[str]) -> dict[tuple[object, ...], pd.DataFrame]:
    """Rows of each combination of ``keys`` that occurs, in table order (a boolean mask each)."""
    combos = sorted(set(frame[keys].astype(str).itertuples(index=False, name=None)))
    as_str = {k: frame[k].astype(str).to_numpy() for k in keys}
    out = {}
    for combo in combos:
        mask = np.ones(len(frame), dtype=bool)
        for k, v in zip(keys, combo, strict=True):
            mask &= as_str[k] == v
        out[combo] = frame[mask]
    return out


def table(long: pd.DataFrame, keys: list[str]) -> dict[tuple[object, ...], dict[str, float]]:
    """``{group: {metric: value}}`` of a long table, group keys as strings."""
    out: dict[tuple[object, ...], dict[str, float]] = {}
    for row in long[[*keys, "metric", "value"]].itertuples(index=False, name=None):
        group = tuple(str(v) for v in row[:-2])
        assert row[-2] not in out.setdefault(group, {}), f"{row[-2]} twice in {group}"
        out[group][row[-2]] = row[-1]
    return out


def assert_same(got: dict[str, float], want: dict[str, float], where: object) -> None:
    assert list(got) == list(want), where
    np.testing.assert_array_equal(
        np.array(list(got.values()), dtype=float),
        np.array(list(want.values()), dtype=float),
        err_msg=str(where),
    )


# -- Groups --------------------------------------------------------------------------------


def test_group_reductions_equal_numpy_on_each_group() -> None:
    rng = np.random.default_rng(20)
    sizes = np.r_[1, 2, 3, 7, 8, 9, 127, 128, 129, 1000, rng.integers(1, 60, 40)]
    index = rng.permutation(np.repeat(np.arange(sizes.size), sizes))
    values = np.round(rng.exponential(2.0, index.size), 1)  # ties, as waits of 0 have
    values[index == 3] = 0.0
    ints = rng.integers(0, 5, index.size)
    g = Groups(index, sizes.size + 1)  # the last group has no rows
    p = g.percentiles(values, (50, 90, 95, 2.5))
    for k in range(sizes.size):
        x = values[index == k]
        assert g.sum(values)[k] == np.sum(x)
        assert g.mean(values)[k] == np.mean(x)
        assert g.max(values)[k] == np.max(x)
        assert g.sum(ints)[k] == np.sum(ints[index == k])
        assert g.dot(values, ints)[k] == np.dot(x, ints[index == k].astype(float))
        np.testing.assert_array_equal(p[:, k], np.percentile(x, [50, 90, 95, 2.5]))
    assert np.isnan(p[:, -1]).all() and np.isnan(g.mean(values)[-1])
    assert g.sum(values)[-1] == 0.0 and np.isnan(g.max(values)[-1])


def test_a_nan_makes_its_groups_percentile_and_mean_nan_and_skipna_mean_skips_it() -> None:
    values = np.array([1.0, np.nan, 3.0, 4.0, 5.0])
    g = Groups(np.array([0, 0, 0, 1, 1]), 2)
    assert np.isnan(g.percentiles(values, (90,))[0, 0]) and np.isnan(g.mean(values)[0])
    assert g.percentiles(values, (90,))[0, 1] == np.percentile([4.0, 5.0], 90)
    assert g.skipna_mean(values)[0] == pd.Series([1.0, np.nan, 3.0]).mean()


def test_group_rows_in_groupby_order_and_rows_in_table_order() -> None:
    hours = pd.Categorical(["10", "09", "10", "09", "11"], categories=["11", "10", "09"])
    reps = np.array([1, 0, 0, 1, 0], dtype=np.int32)
    g, values = group_rows([pd.Series(reps), pd.Series(hours)])
    # reps ascending, then hours in category order (11 before 10 before 09)
    assert list(zip(*values, strict=True)) == [
        (0, "11"),
        (0, "10"),
        (0, "09"),
        (1, "10"),
        (1, "09"),
    ]
    assert g.order.tolist() == [4, 2, 1, 0, 3]
    assert g.where(reps == 0).sizes.tolist() == [1, 1, 1, 0, 0]


# -- the tables on simulated days ------------------------------------------------------------


def test_hourly_metrics_equal_the_per_hour_computation(run: SimulationResult) -> None:
    c, ts, a = run.customers, run.timeseries, run.assists
    got = table(hourly_metrics(c, ts, TARGET, a), ["rep", "hour"])
    want: dict[tuple[object, ...], dict[str, float]] = {}
    for (rep, hour), frame in by_group(c, ["rep", "arrival_hour"]).items():
        want[(rep, hour)] = customer_reference(frame)
    for (rep, hour), frame in by_group(a, ["rep", "stuck_hour"]).items():
        want.setdefault((rep, hour), {}).update(assist_reference(frame))
    for rep in ts["rep"].unique():
        day = ts[ts["rep"] == rep]
        t = day["time_min"].to_numpy()
        widths = np.diff(t, prepend=0.0)  # each row closes the interval since the last row
        hours = _row_hours(run.scenario, day)
        for hour in sorted(set(hours)):
            rows = hours == hour
            ref = utilisation_reference(day[rows], widths[rows])
            want.setdefault((str(rep), hour), {}).update(ref)
    assert sorted(got) == sorted(want)
    assert any("attendant_response_p90_min" not in m for m in got.values())  # hours, no freeze
    for key, metrics in want.items():
        assert_same(got[key], metrics, key)


def _row_hours(scenario: Scenario, day: pd.DataFrame) -> np.ndarray:
    """Clock hour ('HH:00') in which each time-series interval of one day lies (its start)."""
    t = day["time_min"].to_numpy()
    start = np.r_[0.0, t[:-1]] + scenario.store.open_min
    return np.array([f"{int(m // 60):02d}:00" for m in start])


def test_experience_hourly_metrics_equal_the_per_hour_computation(run: SimulationResult) -> None:
    coupons = run.scenario.service_recovery is not None
    got = table(experience_hourly_metrics(run.scenario, run.customers), ["rep", "hour"])
    groups = by_group(run.customers, ["rep", "arrival_hour"])
    assert list(got) == list(groups)  # 'HH:00' sorts as the hours do
    for key, frame in groups.items():
        assert_same(got[key], experience_reference(frame, coupons), key)


def test_replication_and_experience_metrics_equal_the_per_day_computation(
    run: SimulationResult,
) -> None:
    c, a, f = run.customers, run.assists, run.faults
    got = table(replication_metrics(c, a, run.timeseries, TARGET, f), ["rep", "scope"])
    got_exp = table(experience_metrics(run.scenario, c), ["rep", "scope"])
    for rep in range(run.replications):
        day = c[c["rep"] == rep]
        day_assists = assist_reference(a[a["rep"] == rep])
        day_faults = f[f["rep"] == rep]
        ts = run.timeseries[run.timeseries["rep"] == rep]
        widths = np.diff(ts["time_min"].to_numpy(), prepend=0.0)
        for scope in ("all", "cashier", "kiosk"):
            frame = day if scope == "all" else day[day["channel"] == scope]
            want = customer_reference(frame)
            if scope != "cashier":
                want.update(day_assists)
            if scope == "all":
                want.update(utilisation_reference(ts, widths))
                want["kiosk_outages"] = len(day_faults)
                want["kiosk_out_of_order_min"] = np.sum(day_faults["out_of_order_min"].to_numpy())
                want["attendant_repair_min"] = np.sum(day_faults["repair_attendant_min"].to_numpy())
            assert_same(got[(str(rep), scope)], want, (rep, scope))
            exp = experience_reference(frame, False)
            shown = {k: v for k, v in got_exp[(str(rep), scope)].items() if k in exp}
            assert_same(shown, exp, (rep, scope, "experience"))


def test_block_metrics_equal_the_per_block_computation(run: SimulationResult) -> None:
    scenario = run.scenario
    got = table(block_metrics(run), ["rep", "unit", "customers"])
    starts = np.array([scenario.minutes_after_open(b.start) for b in scenario.staffing])
    labels = np.array(block_labels(scenario))
    c = run.customers
    block = labels[np.searchsorted(starts, c["arrival_min"].to_numpy(), "right") - 1]
    coupons = scenario.service_recovery is not None
    n = 0
    for rep in range(run.replications):
        for label in labels:
            for group in ("all", "cashier", "kiosk"):
                rows = (c["rep"].to_numpy() == rep) & (block == label)
                if group != "all":
                    rows &= c["channel"].astype(str).to_numpy() == group
                if not rows.any():
                    assert (str(rep), label, group) not in got
                    continue
                want = customer_reference(c[rows]) | experience_reference(c[rows], coupons)
                assert_same(got[(str(rep), label, group)], want, (rep, label, group))
                n += 1
    assert n == len(got)


# -- edge cases ------------------------------------------------------------------------------


def test_an_hour_of_balked_customers_only_has_counts_and_nan_waits(run: SimulationResult) -> None:
    c = run.customers.copy()
    hour = c["arrival_hour"].cat.categories[2]
    in_hour = (c["arrival_hour"] == hour).to_numpy() & (c["rep"] == 0).to_numpy()
    c["outcome"] = c["outcome"].where(~in_hour, "balked")
    long = hourly_metrics(c, run.timeseries.iloc[0:0], TARGET)
    got = table(long, ["rep", "hour"])[("0", str(hour))]
    assert got["arrivals"] == got["balked"] == in_hour.sum() and got["balked_pct"] == 100.0
    assert got["served"] == 0.0
    for name in ("wait_mean_min", "wait_p90_min", "within_target_pct", "assisted_pct"):
        assert np.isnan(got[name]), name
    assert_same(got, customer_reference(c[in_hour]), hour)


def test_a_day_without_customers_in_an_hour_has_no_customer_rows_there(
    run: SimulationResult,
) -> None:
    c = run.customers
    hour = str(c["arrival_hour"].cat.categories[3])
    kept = c[~((c["rep"] == 1) & (c["arrival_hour"] == hour))]
    got = table(hourly_metrics(kept, run.timeseries, TARGET, run.assists), ["rep", "hour"])
    assert "arrivals" not in got[("1", hour)]  # utilisation of that hour is still there
    assert "cashiers_utilisation_pct" in got[("1", hour)]
    assert got[("0", hour)]["arrivals"] == (c[c["rep"] == 0]["arrival_hour"] == hour).sum()
    exp = table(experience_hourly_metrics(run.scenario, kept), ["rep", "hour"])
    assert ("1", hour) not in exp and ("0", hour) in exp


def test_a_single_customer(run: SimulationResult) -> None:
    one = run.customers.iloc[:1]
    ((key, got),) = table(
        hourly_metrics(one, run.timeseries.iloc[0:0], TARGET), ["rep", "hour"]
    ).items()
    assert_same(got, customer_reference(one), key)
    assert got["wait_p90_min"] == one["queue_wait_min"].iloc[0] or got["served"] == 0.0
    ((key, exp),) = table(experience_hourly_metrics(run.scenario, one), ["rep", "hour"]).items()
    coupons = run.scenario.service_recovery is not None
    assert_same(exp, experience_reference(one, coupons), key)


def test_a_day_nobody_came_to_has_counts_of_zero_and_nan_waits(run: SimulationResult) -> None:
    c = run.customers
    got = table(
        replication_metrics(c[c["rep"] == 0], run.assists, run.timeseries, TARGET), ["rep", "scope"]
    )
    empty = got[("1", "all")]
    assert empty["arrivals"] == 0.0 and np.isnan(empty["wait_p90_min"])
    assert not np.isnan(empty["cashiers_utilisation_pct"])
    exp = table(experience_metrics(run.scenario, c[c["channel"] != "kiosk"]), ["rep", "scope"])
    assert ("0", "kiosk") not in exp and ("0", "cashier") in exp


def test_empty_tables_are_the_empty_tables_of_the_row_loops(run: SimulationResult) -> None:
    none = run.customers.iloc[0:0]
    for long in (
        hourly_metrics(none, run.timeseries.iloc[0:0], TARGET),
        experience_hourly_metrics(run.scenario, none),
        experience_metrics(run.scenario, none),
    ):
        assert long.empty and all(d == np.dtype(object) for d in long.dtypes)
    grouped = grouped_hourly_metrics(run.scenario, none, TARGET, ["all", "kiosk"])
    assert grouped.empty
    assert list(grouped.columns) == [
        "scenario",
        "rep",
        "seed",
        "hour",
        "customers",
        "metric",
        "value",
    ]


def test_the_tables_keep_their_column_types(run: SimulationResult) -> None:
    long = hourly_metrics(run.customers, run.timeseries, TARGET, run.assists)
    assert long["rep"].dtype == np.int64 and long["seed"].dtype == np.int64
    assert long["value"].dtype == np.float64
    assert all(isinstance(v, str) for v in long["hour"].head())
    keys = long[["rep", "hour"]].astype(str).agg(" ".join, axis=1)
    assert keys.is_monotonic_increasing  # days, then hours


def test_a_wait_equal_to_the_target_is_within_it(run: SimulationResult) -> None:
    c = run.customers.copy()
    served = (c["outcome"] == "served").to_numpy()
    waits = c["queue_wait_min"].to_numpy().copy()
    waits[np.flatnonzero(served)[::3]] = TARGET  # a third of the served wait exactly the target
    c["queue_wait_min"] = waits
    got = table(hourly_metrics(c, run.timeseries.iloc[0:0], TARGET), ["rep", "hour"])
    for key, frame in by_group(c, ["rep", "arrival_hour"]).items():
        assert_same(got[key], customer_reference(frame), key)


def test_a_channel_nobody_used_in_an_hour_has_no_rows_there(run: SimulationResult) -> None:
    c = run.customers
    hour = str(c["arrival_hour"].cat.categories[4])
    gone = (c["rep"] == 0) & (c["arrival_hour"] == hour) & (c["channel"] == "kiosk")
    got = table(
        grouped_hourly_metrics(run.scenario, c[~gone], TARGET, ["all", "kiosk"]),
        ["rep", "hour", "customers"],
    )
    assert ("0", hour, "kiosk") not in got and ("1", hour, "kiosk") in got
    assert "csat_mean" in got[("0", hour, "all")]


def test_seeds_keep_their_integer_type_beside_a_seed_from_2_63(run: SimulationResult) -> None:
    big = 2**63 + 5
    other = simulate(run.scenario.with_overrides({"name": "other"}), 1, big, workers=1)
    c = pd.concat([run.customers, other.customers], ignore_index=True)
    long = hourly_metrics(c, run.timeseries.iloc[0:0], TARGET)
    # pandas joins int64 and uint64 seed columns as float64; the table's keys are integers again
    assert long["seed"].dtype == np.uint64
    assert set(long["seed"].tolist()) == {int(s) for s in c["seed"].unique()}


def money_by_hour_reference(
    scenario: Scenario, day: pd.DataFrame, worked: dict[str, float]
) -> dict[str, dict[str, float]]:
    """Labour, lost sales and coupon cost of one day by hour label, plain Python."""
    c = scenario.costs
    sched = scheduled_hours_by_clock_hour(scenario)
    labour = {
        h: ch * c.cashier_wage_per_hour + at * c.attendant_wage_per_hour
        for h, ch, at in zip(sched["hour"], sched["cashier"], sched["attendant"], strict=True)
    }
    lost = {}
    for hour, frame in by_group(day, ["arrival_hour"]).items():
        unserved = frame["outcome"].astype(str).to_numpy() != "served"
        lost[hour[0]] = int(frame["basket_items"].to_numpy()[unserved].sum()) * c.spend_per_item
    value = scenario.service_recovery.coupon_value if scenario.service_recovery else 0.0
    coupon: dict[str, float] = {}
    for when in day["coupon_min"].dropna():
        label = f"{int((scenario.store.open_min + when) // 60):02d}:00"
        coupon[label] = coupon.get(label, 0.0) + value
    return {
        h: {
            "labour_cost": labour.get(h, 0.0) + worked.get(h, 0.0) * c.floater_wage_per_hour,
            "lost_sales": lost.get(h, 0.0),
            "coupon_cost": coupon.get(h, 0.0),
        }
        for h in sorted(set(labour) | set(lost) | set(coupon) | set(worked))
    }


@pytest.mark.parametrize("floater_hours", [None, {"09:00": 0.5, "23:00": 1.25}])
def test_money_by_hour_equals_the_per_day_computation(
    run: SimulationResult, floater_hours: dict[str, float] | None
) -> None:
    # Floaters' hours given by hand: one in an hour of the schedule, one outside it; and a
    # coupon handed over an hour after closing, when nobody arrives and nobody is scheduled.
    days = [(run.scenario.name, rep, 2026) for rep in range(run.replications)]
    floaters = {days[1]: floater_hours} if floater_hours else None
    customers = run.customers.copy()
    late = customers["coupon_min"].to_numpy().copy()
    late[5] = run.scenario.store.day_length_min + 61.0
    customers["coupon_min"] = late
    long = money_hourly_metrics(run.scenario, customers, floaters)
    got = table(long, ["rep", "hour"])
    want = {}
    for rep in range(run.replications):
        worked = (floaters or {}).get(days[rep], {})
        day = customers[customers["rep"] == rep]
        for hour, m in money_by_hour_reference(run.scenario, day, worked).items():
            want[(str(rep), hour)] = m
    assert list(got) == list(want)
    for key, metrics in want.items():
        assert_same(got[key], metrics, key)


def test_money_of_all_days_at_once_is_the_money_of_each_day_alone(run: SimulationResult) -> None:
    c = run.customers
    closed = ("0-closed", 0, 2026)  # a day nobody came to, sorted before the others
    days = [closed] + [(run.scenario.name, rep, 2026) for rep in range(run.replications)]
    together = table(money_metrics(run.scenario, c, days), ["scenario", "rep", "scope"])
    assert list(together) == [(d[0], str(d[1]), "all") for d in days]
    for name, rep, seed in days[1:]:
        alone = money_metrics(run.scenario, c[c["rep"] == rep], [(name, rep, seed)])
        key = (name, str(rep), "all")
        assert_same(together[key], table(alone, ["scenario", "rep", "scope"])[key], rep)
    empty = together[("0-closed", "0", "all")]
    assert empty["lost_customers"] == 0.0 and np.isnan(empty["cost_per_customer_served"])
    assert empty["labour_cost"] == together[(run.scenario.name, "0", "all")]["labour_cost"]
