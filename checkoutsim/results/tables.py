"""Turn replication columns into tidy DataFrames, and compute metrics per replication.

All tables carry ``scenario``, ``rep`` and ``seed`` as their first columns, in that order.
Metrics are computed per replication (one store day is one observation) and only then
summarised over replications with confidence intervals: customers are never pooled across days
for an interval.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from checkoutsim.experience.costs import (
    cost_table,
    floater_hours,
    floater_hours_by_clock_hour,
    money_hourly_metrics,
    money_metrics,
)
from checkoutsim.experience.grouped import (
    Block,
    Groups,
    group_rows,
    is_label,
    long_frame,
    long_rows,
    stable_order,
    table_keys,
)
from checkoutsim.experience.pipeline import (
    add_experience,
    arrival_hour_groups,
    experience_hourly_metrics,
    experience_hourly_rows,
    experience_metrics,
)
from checkoutsim.experience.rootcause import attribute_delay, pareto
from checkoutsim.model.recorder import CHANNELS, OUTCOMES, RunColumns
from checkoutsim.model.streams import seed_scalar
from checkoutsim.scenario.schema import Scenario

__all__ = [
    "KEY_COLUMNS",
    "SimulationResult",
    "assists_frame",
    "customers_frame",
    "faults_frame",
    "grouped_hourly_metrics",
    "hourly_metrics",
    "replication_metrics",
    "summarise",
    "timeseries_frame",
]

KEY_COLUMNS = ["scenario", "rep", "seed"]


Days = Sequence[tuple[int, RunColumns]]
"""``(rep, columns)`` pairs of simulated days, in the order their rows are wanted."""


def _keyed(scenario: str, seed: int, reps: np.ndarray, columns: dict[str, object]) -> pd.DataFrame:
    """One frame of ``columns`` behind the key columns ``scenario, rep, seed``.

    Built in one go from whole columns: a frame per day and ``DataFrame.insert`` cost about
    15 ms of pandas work per simulated day, as much as simulating a small day
    (docs/performance.md).
    """
    n = reps.shape[0]
    keys: dict[str, object] = {
        "scenario": _strings(np.array([scenario], dtype=object), np.zeros(n, dtype=np.intp)),
        "rep": reps.astype(np.int32),
        "seed": np.full(n, seed_scalar(seed)),
    }
    return pd.DataFrame({**keys, **columns}, copy=False)


def _stacked(days: Days, table: str) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The columns of ``table`` of every day end to end, and each row's replication."""
    parts = [getattr(run, table) for _, run in days]
    sizes = [next(iter(p.values())).shape[0] if p else 0 for p in parts]
    reps = np.repeat(np.array([rep for rep, _ in days], dtype=np.int32), sizes)
    names = list(parts[0]) if parts else []
    return {k: np.concatenate([p[k] for p in parts]) for k in names}, reps


def customers_frame(scenario: Scenario, seed: int, days: Days) -> pd.DataFrame:
    """One row per customer of the simulated ``days`` (``(rep, columns)`` pairs)."""
    c, reps = _stacked(days, "customers")
    ids = np.concatenate(
        [np.arange(run.customers["arrival_min"].shape[0], dtype=np.int64) for _, run in days]
    )
    channel = pd.Categorical.from_codes(
        np.where(c["channel"] < 0, 2, c["channel"]).astype(np.int8),
        categories=[*CHANNELS, "none"],
    )
    outcome = pd.Categorical.from_codes(c["outcome"].astype(np.int8), categories=list(OUTCOMES))
    columns = {
        "customer_id": ids,
        "arrival_min": c["arrival_min"],
        "basket_items": c["basket_items"].astype(np.int32),
        "channel": channel,
        "lane": c["lane"].astype(np.int32),
        "outcome": outcome,
        "waiting_on_arrival": c["waiting_on_arrival"].astype(np.int32),
        "queue_wait_min": c["queue_wait_min"],
        "service_start_min": c["service_start_min"],
        "departure_min": c["departure_min"],
        "assists": c["assists"].astype(np.int32),
        "assist_wait_min": c["assist_wait_min"],
        "assist_total_min": c["assist_total_min"],
        "switches": c["switches"].astype(np.int32),
        "arrival_hour": _hour_labels(scenario, c["arrival_min"]),
    }
    if "jockeys" in c:  # only when customers may move between lanes (customers.jockeying)
        columns["jockeys"] = c["jockeys"].astype(np.int32)
    return _keyed(scenario.name, seed, reps, columns)


def assists_frame(scenario: Scenario, seed: int, days: Days) -> pd.DataFrame:
    """One row per confusion event: who, which cause, and when the kiosk froze and thawed."""
    a, reps = _stacked(days, "assists")
    names = [c.name for c in scenario.kiosks.confusion] or ["(none)"]
    columns = {
        "customer_id": a["customer_id"],
        "cause": pd.Categorical.from_codes(a["cause"].astype(np.int32), categories=names),
        "kiosk": a["kiosk"].astype(np.int32),
        "attendant": a["attendant"].astype(np.int32),
        "stuck_min": a["stuck_min"],
        "noticed_min": a["noticed_min"],
        "assigned_min": a["assigned_min"],
        "attendant_arrived_min": a["attendant_arrived_min"],
        "resolved_min": a["resolved_min"],
        "wait_for_attendant_min": a["attendant_arrived_min"] - a["stuck_min"],
        "frozen_min": a["resolved_min"] - a["stuck_min"],
        "stuck_hour": _hour_labels(scenario, a["stuck_min"]),
    }
    return _keyed(scenario.name, seed, reps, columns)


FAULT_COLUMNS = (
    "kind",
    "kiosk",
    "attendant",
    "struck_min",
    "down_min",
    "assigned_min",
    "attendant_arrived_min",
    "repaired_min",
)
"""The recorder's fault columns (``RunColumns.faults``)."""

_FAULT_INTS = frozenset({"kind", "kiosk", "attendant"})


def _fault_columns(run: RunColumns) -> dict[str, np.ndarray]:
    """A day's fault columns, complete: a day from before faults were recorded has none, and
    one stored before the attendant's arrival was recorded has no walk (arrived = assigned)."""
    f = dict(run.faults)
    if not f:
        return {k: np.empty(0, np.int64 if k in _FAULT_INTS else np.float64) for k in FAULT_COLUMNS}
    f.setdefault("attendant_arrived_min", f["assigned_min"])
    return {k: f[k] for k in FAULT_COLUMNS}


def faults_frame(scenario: Scenario, seed: int, days: Days) -> pd.DataFrame:
    """One row per kiosk outage: which fault, which kiosk, who repaired it, and when.

    ``attendant`` is -1 for a technician's repair. A fault still being repaired when the day's
    run ended is not recorded. ``out_of_order_min`` is ``repaired_min - down_min`` (the kiosk
    served nobody meanwhile); ``repair_attendant_min`` is the attendant's time on it (walk and
    repair, ``repaired_min - assigned_min``; 0 for a technician's).
    """
    complete = [(rep, replace(run, faults=_fault_columns(run))) for rep, run in days]
    f, reps = _stacked(complete, "faults")
    if not f:  # no day at all
        f = _fault_columns(RunColumns({}, {}, {}, 0.0))
    names = [fault.name for fault in scenario.kiosks.faults] or ["(none)"]
    attendant = f["attendant"].astype(np.int32)
    columns = {
        "kind": pd.Categorical.from_codes(f["kind"].astype(np.int32), categories=names),
        "kiosk": f["kiosk"].astype(np.int32),
        "attendant": attendant,
        "struck_min": f["struck_min"],
        "down_min": f["down_min"],
        "assigned_min": f["assigned_min"],
        "attendant_arrived_min": f["attendant_arrived_min"],
        "repaired_min": f["repaired_min"],
        "out_of_order_min": f["repaired_min"] - f["down_min"],
        "repair_attendant_min": np.where(
            attendant >= 0, f["repaired_min"] - f["assigned_min"], 0.0
        ),
        "down_hour": _hour_labels(scenario, f["down_min"]),
    }
    return _keyed(scenario.name, seed, reps, columns)


def timeseries_frame(scenario: Scenario, seed: int, days: Days) -> pd.DataFrame:
    """Queue lengths and busy servers every ``run.sample_interval_min`` minutes."""
    t, reps = _stacked(days, "timeseries")
    names = list(t)
    columns: dict[str, object] = {names[0]: t[names[0]]}
    columns["clock"] = _clock_labels(scenario, t["time_min"])
    columns.update({k: t[k] for k in names[1:]})
    return _keyed(scenario.name, seed, reps, columns)


def _strings(labels: np.ndarray, codes: np.ndarray) -> object:
    """``labels[codes]`` as pandas' default string column, built from the few distinct labels.

    pandas converts an object array to its string dtype one Python string at a time (about
    10 ms per 80,000 rows, on every table of every run); with pyarrow strings the labels are
    converted once and repeated with ``take``.
    """
    dtype = _default_string_dtype()
    if getattr(dtype, "storage", None) != "pyarrow" or codes.shape[0] == 0:
        return labels[codes]  # (an empty object column stays ``object``, as it always was)
    import pyarrow as pa

    taken = pa.array(labels.tolist(), type=pa.large_string()).take(pa.array(codes))
    return pd.array(taken, dtype=dtype)


@functools.cache
def _default_string_dtype() -> object:
    """The dtype pandas gives a column of Python strings (pandas 3: ``str``, on pyarrow)."""
    return pd.Series(["x"]).dtype


def _clock_labels(scenario: Scenario, minutes_after_open: np.ndarray) -> object:
    """'HH:MM' of each time (whole minutes after opening), as a string column."""
    absolute = (scenario.store.open_min + np.asarray(minutes_after_open)).astype(np.int64)
    minutes, codes = np.unique(absolute, return_inverse=True)
    hours, mins = minutes // 60, minutes % 60
    labels = np.char.add(
        np.char.add(np.char.zfill(hours.astype(str), 2), ":"), np.char.zfill(mins.astype(str), 2)
    )
    return _strings(labels.astype(object), codes.reshape(-1))


def _hour_labels(scenario: Scenario, minutes_after_open: np.ndarray) -> pd.Categorical:
    """'HH:00' of the clock hour in which each time falls (as an ordered categorical)."""
    absolute = scenario.store.open_min + np.asarray(minutes_after_open, dtype=np.float64)
    hour = np.floor(absolute / 60.0).astype(np.int64)
    first = scenario.store.open_min // 60
    last = max(
        int(hour.max()) if hour.size else first,
        (scenario.store.open_min + scenario.store.day_length_min - 1) // 60,
    )
    categories = [f"{h:02d}:00" for h in range(first, last + 1)]
    codes = (hour - first).astype(np.int16)
    return pd.Categorical.from_codes(codes, categories=categories, ordered=True)


# -- metrics ----------------------------------------------------------------------------------
#
# Every metric table is computed for all its groups (days, hours, blocks) at once with the
# reductions of checkoutsim.experience.grouped, equal to the per-group figures bit for bit.

_CUSTOMER_METRICS = (
    "arrivals",
    "served",
    "balked",
    "reneged",
    "balked_pct",
    "reneged_pct",
    "abandoned_items",
    "wait_mean_min",
    "wait_p50_min",
    "wait_p90_min",
    "wait_p95_min",
    "wait_max_min",
    "within_target_pct",
    "time_in_store_checkout_mean_min",
    "assists_per_customer",
    "assisted_pct",
)
"""The customer metrics of a day, an hour or a block, in the tables' order."""


_CUSTOMER_COLUMNS = (
    "channel",
    "outcome",
    "basket_items",
    "queue_wait_min",
    "arrival_min",
    "departure_min",
    "assists",
)
"""The columns :func:`_customer_metrics` reads."""


def _customer_metrics(g: Groups, customers: pd.DataFrame, target: float) -> dict[str, np.ndarray]:
    """The customer metrics (:data:`_CUSTOMER_METRICS`) of every group of ``customers`` rows.

    Waits, time in store and assists are over the served customers; a group without one has
    NaN there (and a group without customers NaN percentages).
    """
    outcome = customers["outcome"]
    served_rows = is_label(outcome, "served")
    n = g.sizes
    served = g.count(served_rows)
    balked = g.count(is_label(outcome, "balked"))
    reneged = g.count(is_label(outcome, "reneged"))
    s = g.where(served_rows)
    waits = customers["queue_wait_min"].to_numpy()
    assists = customers["assists"].to_numpy()
    p50, p90, p95 = s.percentiles(waits, (50, 90, 95))
    with np.errstate(invalid="ignore", divide="ignore"):
        balked_pct = np.where(n > 0, 100.0 * balked / n, np.nan)
        reneged_pct = np.where(n > 0, 100.0 * reneged / n, np.nan)
    sojourn = customers["departure_min"].to_numpy() - customers["arrival_min"].to_numpy()
    values = (
        n,
        served,
        balked,
        reneged,
        balked_pct,
        reneged_pct,
        g.where(~served_rows).sum(customers["basket_items"].to_numpy()),
        s.mean(waits),
        p50,
        p90,
        p95,
        s.max(waits),
        100.0 * s.share(waits <= target),
        s.mean(sojourn),
        s.mean(assists),
        100.0 * s.share(assists > 0),
    )
    return {
        k: np.asarray(v, dtype=np.float64) for k, v in zip(_CUSTOMER_METRICS, values, strict=True)
    }


def _assist_metrics(g: Groups, assists: pd.DataFrame) -> dict[str, np.ndarray]:
    """Wait for an attendant (mean, p90) of every group of ``assists`` rows (NaN: no rows)."""
    waits = assists["wait_for_attendant_min"].to_numpy()
    return {
        "attendant_response_mean_min": g.mean(waits),
        "attendant_response_p90_min": g.percentiles(waits, (90,))[0],
    }


def _pandas_sum(g: Groups, values: np.ndarray) -> np.ndarray:
    """``Series.sum()`` of every group: NaN counts as 0, as pandas sums."""
    values = np.asarray(values, dtype=np.float64)
    return g.sum(np.where(np.isnan(values), 0.0, values))


def _fault_metrics(g: Groups, faults: pd.DataFrame) -> dict[str, np.ndarray]:
    """Outages of each day: how many, kiosk-minutes out of order, attendant minutes on them."""
    return {
        "kiosk_outages": g.sizes.astype(np.float64),
        "kiosk_out_of_order_min": _pandas_sum(g, faults["out_of_order_min"].to_numpy()),
        "attendant_repair_min": _pandas_sum(g, faults["repair_attendant_min"].to_numpy()),
    }


_STAFF = ("cashiers", "kiosks", "attendants")


def _break_metrics(g: Groups, ts: pd.DataFrame, widths: np.ndarray) -> dict[str, np.ndarray]:
    """Staff-minutes on break of each day (a scenario with ``breaks``)."""
    return {
        f"{role}_break_min": g.dot(ts[f"{role}s_on_break_avg"].to_numpy(dtype=np.float64), widths)
        for role in ("cashier", "attendant")
    }


def _interval_minutes(ts: pd.DataFrame) -> np.ndarray:
    """Length of the interval each time-series row closes (rows of one day, in order).

    A day's rows tile it from opening (0) to the end of the day, so the lengths are the
    differences of ``time_min``; rows of several days restart at each day's first row.
    """
    t = ts["time_min"].to_numpy(dtype=np.float64)
    widths = np.diff(t, prepend=0.0)
    first = _first_rows(ts)
    widths[first] = t[first]
    return widths


def _first_rows(ts: pd.DataFrame) -> np.ndarray:
    """Which time-series rows open a day (a new scenario or replication)."""
    if not len(ts):
        return np.zeros(0, dtype=bool)
    first = np.ones(len(ts), dtype=bool)
    for key in ("scenario", "rep"):
        values = ts[key].to_numpy()
        first[1:] &= values[1:] == values[:-1]
    first[1:] = ~first[1:]
    return first


def _interval_hours(ts: pd.DataFrame) -> np.ndarray:
    """'HH:00' of the clock hour each time-series row's interval lies in.

    Rows fall on every full clock hour, so an interval lies inside the hour in which it
    starts: the hour of the previous row's clock (the interval starts there), and for a day's
    first row (which starts at opening) the hour of its own clock, or the hour before if that
    clock is a full hour at least a minute after opening (the row closes the opening hour).
    """
    clock = ts["clock"].astype(str).to_numpy()
    hour = np.array([int(c[:-3]) for c in clock], dtype=np.int64)
    on_hour = np.array([c.endswith(":00") for c in clock], dtype=bool)
    t = ts["time_min"].to_numpy(dtype=np.float64)
    first = _first_rows(ts)
    out = np.empty_like(hour)
    out[1:] = hour[:-1]
    out[first] = hour[first] - (on_hour[first] & (t[first] >= 1.0))
    return np.array([f"{h:02d}:00" for h in out], dtype=object)


def _utilisation(g: Groups, ts: pd.DataFrame, widths: np.ndarray) -> dict[str, np.ndarray]:
    """Busy over on-duty server-minutes of each kind of staff, in percent, in each group.

    Staff on break are off duty, so utilisation is over the time they were actually
    available (a lane closed for a break, or an attendant resting, counts in neither sum).

    Exact, whatever ``run.sample_interval_min``: each row's ``*_avg`` times its interval's
    length is the integral of the level over that interval (the resources' own time-weighted
    accounting), and the rows tile the day from opening to the moment the last customer left
    (or closing, if later), so the sums are the day's exact busy and on-duty minutes.
    """
    out = {}
    for kind in _STAFF:
        duty = g.dot(ts[f"{kind}_on_duty_avg"].to_numpy(dtype=np.float64), widths)
        busy = g.dot(ts[f"{kind}_busy_avg"].to_numpy(dtype=np.float64), widths)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"{kind}_utilisation_pct"] = np.where(duty > 0, 100.0 * busy / duty, np.nan)
    return out


def _concat_rows(parts: Sequence[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Long-format columns of several parts, end to end."""
    if not parts:
        return {}
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


class _Days:
    """The days of the per-day tables, and which rows of a table belong to each.

    A day is ``(scenario, rep, seed)``; as before, the assists, time series and faults of a day
    are the rows with its scenario and replication (whatever their seed).
    """

    def __init__(self, days: Sequence[tuple[Any, Any, Any]]) -> None:
        self.days = list(days)

    def rows(
        self,
        frame: pd.DataFrame,
        keys: Sequence[str],
        grouped: tuple[Groups, list[np.ndarray]] | None = None,
    ) -> tuple[np.ndarray, Groups]:
        """Rows of ``frame`` of each day (day by day, in table order), and their groups.

        ``grouped`` is ``group_rows`` of ``frame``'s ``keys`` when the caller has it already.
        """
        if not len(frame) or not self.days:
            return np.zeros(0, dtype=np.int64), Groups(np.zeros(0, dtype=np.int64), len(self.days))
        g, values = grouped or group_rows([frame[k] for k in keys])
        found = {
            (str(v[0]), *(int(x) for x in v[1:])): j
            for j, v in enumerate(zip(*values, strict=True))
        }
        rows, index = [], []
        for d, day in enumerate(self.days):
            key = (str(day[0]), *(int(x) for x in day[1 : len(keys)]))
            j = found.get(key)
            if j is not None:
                start = int(g.starts[j])
                rows.append(g.order[start : start + int(g.sizes[j])])
                index.append(np.full(int(g.sizes[j]), d, dtype=np.int64))
        if not rows:
            return np.zeros(0, dtype=np.int64), Groups(np.zeros(0, dtype=np.int64), len(self.days))
        return np.concatenate(rows), Groups(np.concatenate(index), len(self.days))


def _day_widths(ts: pd.DataFrame, g: Groups) -> np.ndarray:
    """Interval lengths of the rows of each day's time series (rows grouped by day, in order):
    :func:`_interval_minutes` of each day alone."""
    t = ts["time_min"].to_numpy(dtype=np.float64)
    widths = np.diff(t, prepend=0.0)
    first = g.starts[g.sizes > 0]
    widths[first] = t[first]
    return widths


def replication_metrics(
    customers: pd.DataFrame,
    assists: pd.DataFrame,
    timeseries: pd.DataFrame,
    target_wait_min: float,
    faults: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per-replication metrics in long format.

    Parameters
    ----------
    customers, assists, timeseries : DataFrame
        The run's tables.
    target_wait_min : float
        Target queue wait in minutes.
    faults : DataFrame, optional
        The kiosk outages (:func:`faults_frame`); with it, every day also gets
        ``kiosk_outages``, ``kiosk_out_of_order_min`` and ``attendant_repair_min`` (scope
        ``all``). Left out for a scenario without faults, whose metrics stay as they were.
        A time series with break columns (a scenario with ``breaks``) adds
        ``cashier_break_min`` and ``attendant_break_min`` (staff-minutes away, scope ``all``).

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario, rep, seed, scope, metric, value``; ``scope`` is ``all``,
        ``cashier`` or ``kiosk``.
    """
    names = [*KEY_COLUMNS, "scope", "metric", "value"]
    by_customer_day = group_rows([customers[k] for k in KEY_COLUMNS])
    _, ts_days = group_rows([timeseries[k] for k in KEY_COLUMNS])
    # A day nobody came to (the store closed, or every arrival rate zero) is still a day: it has
    # a time series, counts of zero, NaN waits and 0% utilisation of the staff on duty.
    found: set[tuple[Any, Any, Any]] = set(zip(*by_customer_day[1], strict=True))
    found |= set(zip(*ts_days, strict=True))
    days = _Days(sorted(found, key=lambda day: (str(day[0]), int(day[1]), int(day[2]))))
    if not days.days:
        return pd.DataFrame([], columns=names)
    rows, g = days.rows(customers, KEY_COLUMNS, by_customer_day)
    cust = customers[list(_CUSTOMER_COLUMNS)].take(rows)
    a_rows, a_groups = days.rows(assists, KEY_COLUMNS[:2])
    assist = _assist_metrics(a_groups, assists.take(a_rows))
    t_rows, t_groups = days.rows(timeseries, KEY_COLUMNS[:2])
    ts = timeseries.take(t_rows)
    widths = _day_widths(ts, t_groups)
    day_wide = {**_customer_metrics(g, cust, target_wait_min), **assist}
    day_wide.update(_utilisation(t_groups, ts, widths))
    if "cashiers_on_break_avg" in ts.columns:
        day_wide.update(_break_metrics(t_groups, ts, widths))
    if faults is not None:
        f_rows, f_groups = days.rows(faults, KEY_COLUMNS[:2])
        day_wide.update(_fault_metrics(f_groups, faults.take(f_rows)))
    blocks: list[Block] = [("all", day_wide, None)]
    for channel in CHANNELS:
        m = _customer_metrics(g.where(is_label(cust["channel"], channel)), cust, target_wait_min)
        if channel == "kiosk":
            m.update(assist)
        blocks.append((channel, m, None))
    keys = table_keys([np.array([day[i] for day in days.days]) for i in range(3)])
    columns = long_rows(keys, blocks)
    columns["scope"] = columns.pop("label")
    return long_frame(columns, names)


def _hourly_customer_rows(
    customers: pd.DataFrame,
    target_wait_min: float,
    groups: tuple[Groups, list[np.ndarray]],
    rows: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Long columns of the customer metrics by hour of arrival, from the customers'
    :func:`arrival_hour_groups` (of the customers ``rows`` only: a group with none of them
    has no row)."""
    g, values = groups
    if rows is not None:
        g = g.where(rows)
    present = g.sizes > 0
    keys = {k: v[present] for k, v in table_keys(values).items()}
    m = {k: v[present] for k, v in _customer_metrics(g, customers, target_wait_min).items()}
    return long_rows(keys, [(None, m, None)])


def _by_hour(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Long columns in a stable sort by day and hour label (as the tables always were)."""
    if not columns:
        return columns
    order = stable_order([columns[k] for k in [*KEY_COLUMNS, "hour"]])
    return {k: v[order] for k, v in columns.items()}


def hourly_metrics(
    customers: pd.DataFrame,
    timeseries: pd.DataFrame,
    target_wait_min: float,
    assists: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per-replication metrics by clock hour of arrival, long format.

    Columns ``scenario, rep, seed, hour, metric, value``. Utilisation is by the hour of the
    time-series interval; with ``assists``, the wait for an attendant
    (``attendant_response_*``) is by the hour the kiosk froze (an hour without a freeze has no
    such row).
    """
    parts = [_hourly_customer_rows(customers, target_wait_min, arrival_hour_groups(customers))]
    if assists is not None and len(assists):
        g, values = group_rows([assists[k] for k in [*KEY_COLUMNS, "stuck_hour"]])
        parts.append(long_rows(table_keys(values), [(None, _assist_metrics(g, assists), None)]))
    if len(timeseries):
        widths = _interval_minutes(timeseries)
        g, values = group_rows([*(timeseries[k] for k in KEY_COLUMNS), _interval_hours(timeseries)])
        parts.append(
            long_rows(table_keys(values), [(None, _utilisation(g, timeseries, widths), None)])
        )
    columns = _by_hour(_concat_rows([p for p in parts if p["value"].shape[0]]))
    return long_frame(columns, [*KEY_COLUMNS, "hour", "metric", "value"])


def grouped_hourly_metrics(
    scenario: Scenario,
    customers: pd.DataFrame,
    target_wait_min: float,
    groups: Sequence[str],
) -> pd.DataFrame:
    """Per-replication customer and experience metrics by hour of arrival, per customer group.

    ``groups`` are ``"all"`` (every customer) and channels (``"cashier"``, ``"kiosk"``: the
    channel each customer chose, balked and reneged customers included), as the run verdict
    splits them. The ``arrival_hour`` column says which hour (or block) a customer counts in.

    Returns
    -------
    DataFrame
        ``scenario, rep, seed, hour, customers, metric, value``: for each group, its
        :func:`hourly_metrics` rows (customer metrics) then its
        :func:`~checkoutsim.experience.pipeline.experience_hourly_metrics` rows.
    """
    columns = [*KEY_COLUMNS, "hour", "customers", "metric", "value"]
    by_hour = arrival_hour_groups(customers)  # once for every group and both tables
    parts = []
    for group in groups:
        rows = None if group == "all" else is_label(customers["channel"], group)
        base = _by_hour(_hourly_customer_rows(customers, target_wait_min, by_hour, rows))
        experience = experience_hourly_rows(scenario, customers, by_hour, rows)
        for part in (base, experience):
            n = part["value"].shape[0]
            if n:
                parts.append({**part, "customers": np.full(n, group, dtype=object)})
    if not parts:
        return pd.DataFrame(columns=columns)
    return long_frame(_concat_rows(parts), columns)


def summarise(metrics: pd.DataFrame, by: Sequence[str], level: float = 0.95) -> pd.DataFrame:
    """Mean and Student-t confidence interval over replications for each group and metric.

    A thin long-format wrapper over :func:`checkoutsim.results.stats.summarise_reps`, the one
    confidence-interval implementation.

    Parameters
    ----------
    metrics : DataFrame
        Long per-replication metrics (``replication_metrics`` or ``hourly_metrics``).
    by : sequence of str
        Grouping columns besides ``metric`` (e.g. ``["scenario", "scope"]``); together with
        ``rep`` they must identify one value per metric (no pooling across groups).
    level : float
        Confidence level.

    Returns
    -------
    DataFrame
        ``*by, metric, mean, ci_low, ci_high, half_width, sd, n``; metrics that are NaN in a
        replication (no kiosk customers that day, say) are left out of that replication's count,
        and a metric that is NaN in every replication of a group is left out.
    """
    from checkoutsim.results.stats import summarise_reps

    keys = list(by)
    columns = [*keys, "metric", "mean", "ci_low", "ci_high", "half_width", "sd", "n"]
    if metrics.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    names = [str(m) for m in pd.unique(metrics["metric"])]
    if metrics["value"].dtype == object:
        # Concatenated with an empty table (a closed day has no experience rows), the values
        # arrive as objects; they are numbers (a string here is an error, and raises).
        metrics = metrics.assign(value=pd.to_numeric(metrics["value"]))
    wide = metrics.pivot(index=[*keys, "rep"], columns="metric", values="value")
    wide = wide.reindex(columns=names).reset_index()
    wide.columns.name = None
    # Groups in order of first appearance (pivot sorts them).
    first = metrics[keys].drop_duplicates().reset_index(drop=True)
    first["_order"] = range(len(first))
    wide = wide.merge(first, on=keys, how="left").sort_values(["_order", "rep"], kind="stable")
    out = summarise_reps(wide.drop(columns="_order"), names, by=keys, level=level)
    return out[out["n"] > 0].reset_index(drop=True)[columns]


@dataclass
class SimulationResult:
    """Everything a set of replications of one scenario produced.

    Attributes
    ----------
    scenario : Scenario
        The scenario that was run.
    seed : int
        Root seed.
    replications : int
        Number of simulated days.
    customers, assists, timeseries : DataFrame
        Tidy tables, keyed by ``scenario, rep, seed``. ``customers`` carries the estimated
        experience columns (``perceived_wait_min``, ``satisfaction``, ``effort``,
        ``nps_class``, coupons; see ``docs/satisfaction.md``), added on construction.
    coupons : DataFrame
        The coupon books: one row per replication and staff shift (``used``, ``left``,
        ``cost``); empty when the scenario has no ``service_recovery``.
    faults : DataFrame
        One row per kiosk outage (:func:`faults_frame`), keyed like the other tables; empty
        when the scenario has no ``kiosks.faults`` (or the result was built without it).
    """

    scenario: Scenario
    seed: int
    replications: int
    customers: pd.DataFrame
    assists: pd.DataFrame
    timeseries: pd.DataFrame
    _metrics: pd.DataFrame | None = field(default=None, repr=False)
    _hourly: pd.DataFrame | None = field(default=None, repr=False)
    coupons: pd.DataFrame | None = field(default=None, repr=False)
    _attribution: pd.DataFrame | None = field(default=None, repr=False)
    faults: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    _channel_hourly: pd.DataFrame | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not len(self.faults.columns):  # built without faults: none, with the table's columns
            self.faults = faults_frame(self.scenario, self.seed, [])
        # The experience layer is post-processing of the recorded columns; it never changes
        # what happened in the simulation.
        if self.coupons is None or "satisfaction" not in self.customers.columns:
            self.customers, self.coupons = add_experience(
                self.scenario, self.customers, self.assists
            )

    @classmethod
    def from_runs(
        cls, scenario: Scenario, seed: int, runs: Sequence[tuple[int, RunColumns]]
    ) -> SimulationResult:
        """Assemble a result from ``(rep, columns)`` pairs (any order; sorted by rep)."""
        ordered = sorted(runs, key=lambda pair: pair[0])
        customers = customers_frame(scenario, seed, ordered)
        assists = assists_frame(scenario, seed, ordered)
        timeseries = timeseries_frame(scenario, seed, ordered)
        faults = faults_frame(scenario, seed, ordered)
        return cls(scenario, seed, len(ordered), customers, assists, timeseries, faults=faults)

    def __repr__(self) -> str:
        # Short on purpose: the dataclass repr printed every table (thousands of characters).
        return (
            f"SimulationResult(scenario={self.scenario.name!r}, replications={self.replications},"
            f" seed={self.seed}, customers={len(self.customers):,} rows, "
            f"assists={len(self.assists):,} rows, timeseries={len(self.timeseries):,} rows, "
            f"faults={len(self.faults):,} rows)"
        )

    @property
    def target_wait_min(self) -> float:
        """The scenario's target queue wait in minutes."""
        return self.scenario.run.target_wait_min

    def metrics(self) -> pd.DataFrame:
        """Per-replication metrics, long format (see :func:`replication_metrics`)."""
        if self._metrics is None:
            base = replication_metrics(
                self.customers,
                self.assists,
                self.timeseries,
                self.target_wait_min,
                self.faults if self.scenario.kiosks.faults else None,
            )
            experience = experience_metrics(self.scenario, self.customers, self.coupons)
            days = self.timeseries[KEY_COLUMNS].drop_duplicates().itertuples(index=False)
            money = money_metrics(
                self.scenario,
                self.customers,
                days=map(tuple, days),
                floaters=floater_hours(self.timeseries),
            )
            # An empty part (no customer on any day) would turn every column into objects.
            parts = [f for f in (base, experience, money) if not f.empty]
            self._metrics = pd.concat(parts, ignore_index=True)
        return self._metrics

    def hourly(self) -> pd.DataFrame:
        """Per-replication metrics by hour of day, long format (see :func:`hourly_metrics`)."""
        if self._hourly is None:
            base = hourly_metrics(
                self.customers, self.timeseries, self.target_wait_min, self.assists
            )
            experience = experience_hourly_metrics(self.scenario, self.customers)
            floaters = floater_hours_by_clock_hour(self.timeseries, self.scenario.store.open_min)
            money = money_hourly_metrics(self.scenario, self.customers, floaters)
            parts = [f for f in (base, experience, money) if not f.empty]
            both = pd.concat(parts or [base], ignore_index=True)
            self._hourly = both.sort_values([*KEY_COLUMNS, "hour"], kind="stable").reset_index(
                drop=True
            )
        return self._hourly

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Mean and confidence interval over replications, by scope (all, cashier, kiosk)."""
        return summarise(self.metrics(), ["scenario", "scope"], level)

    def summary_by_hour(self, level: float = 0.95) -> pd.DataFrame:
        """Mean and confidence interval over replications, by hour of day."""
        return summarise(self.hourly(), ["scenario", "hour"], level)

    def summary_by_hour_and_channel(self, level: float = 0.95) -> pd.DataFrame:
        """Mean and confidence interval over replications by hour and channel.

        The cashier's and the kiosks' customers apart (``customers`` column), by hour of
        arrival: the per-channel split of the run verdict, hour by hour.
        """
        if self._channel_hourly is None:  # both the --by-hour table and the run's files use it
            self._channel_hourly = grouped_hourly_metrics(
                self.scenario, self.customers, self.target_wait_min, CHANNELS
            )
        return summarise(self._channel_hourly, ["scenario", "hour", "customers"], level)

    def root_causes(self, by_hour: bool = False, level: float = 0.95) -> pd.DataFrame:
        """Pareto table of the causes of delay and dissatisfaction, per simulated day.

        See :func:`checkoutsim.experience.rootcause.pareto`; ``by_hour=True`` gives one table
        per clock hour.
        """
        if self._attribution is None:
            self._attribution = attribute_delay(self.scenario, self.customers, self.assists)
        return pareto(
            self._attribution, self.scenario, self.replications, by_hour=by_hour, level=level
        )

    def costs(self, level: float = 0.95) -> pd.DataFrame:
        """Money lines per simulated day with confidence intervals (``docs/satisfaction.md``)."""
        return cost_table(self.summary(level), self.scenario)

    def headline(self) -> dict[str, float]:
        """Overall means of the main metrics (for ``--json`` and quick looks)."""
        s = self.summary()
        s = s[s["scope"] == "all"]
        return {str(k): float(v) for k, v in zip(s["metric"], s["mean"], strict=True)}
