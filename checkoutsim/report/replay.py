"""The data of an animated replay: one simulated day as compact columns for ``replay.html``.

The replay reads only what a run records: the customer, assist, fault and time-series tables of
one day (:class:`~checkoutsim.results.tables.SimulationResult`) and the scenario's staffing
blocks.
Nothing is added to the simulation, so runs without ``--replay`` cost what they cost before.

Times are integer seconds after opening (``round(minutes * 60)``); the page and the tests work
on the same rounded times. Every state the page draws for a server (a cashier lane, a kiosk, an
attendant) comes from a **timeline**: the moments its state changes, built here from intervals
with a priority (a later, higher state wins where intervals overlap). A new kind of state, a
kiosk out of order or a floating attendant, is one more list of intervals and one more name in
:data:`KIOSK_STATES` or :data:`ATTENDANT_STATES`; the page colours states by name.

Two things are not recorded and are drawn from the staffing blocks: which kiosk ids are off
duty when a block runs fewer kiosks (the highest ids are shown closed) and which attendant is
off duty when fewer are on (the highest ids, unless busy). Busy states are exact.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from checkoutsim.model.store import run_replication
from checkoutsim.results.tables import SimulationResult
from checkoutsim.scenario.schema import Scenario

__all__ = [
    "ATTENDANT_STATES",
    "KIOSK_STATES",
    "LANE_STATES",
    "REPLAY",
    "Interval",
    "day_data",
    "seconds",
    "simulated_day",
    "state_at",
    "timeline",
]

REPLAY = "replay.html"

LANE_STATES = ("closed", "open")
KIOSK_STATES = ("closed", "idle", "scanning", "frozen", "helped", "out_of_order")
"""Kiosk states in rising priority: ``frozen`` is waiting for an attendant (who may be walking
over), ``helped`` is the attendant at the kiosk. ``out_of_order`` is a kiosk fault, from the
kiosk going down (its customer gone) until it is repaired; it is on duty but not busy, as in the
time series."""
ATTENDANT_STATES = ("off", "idle", "walking", "helping", "repairing")
"""Attendant states: ``walking`` to a kiosk (to a freeze or a fault), ``helping`` a frozen
customer, ``repairing`` a kiosk out of order. Every state from ``walking`` on is busy."""

_NONE = -1


def seconds(minutes: Any) -> np.ndarray:
    """Minutes after opening as integer seconds; NaN becomes -1 (never happened)."""
    values = np.asarray(minutes, dtype=np.float64)
    out = np.full(values.shape, _NONE, dtype=np.int64)
    ok = np.isfinite(values)
    out[ok] = np.round(values[ok] * 60.0).astype(np.int64)
    return out


@dataclass(frozen=True)
class Interval:
    """A state held over ``[start, end)`` seconds; ``where`` is a kiosk for an attendant."""

    start: int
    end: int
    state: int
    where: int = _NONE
    origin: int = _NONE


def timeline(intervals: Iterable[Interval]) -> list[tuple[int, int, int, int]]:
    """The moments the state changes: ``(second, state, where, origin)``, in time order.

    Where intervals overlap the highest state wins (a frozen kiosk is also a busy one). An
    empty interval is dropped. The first entry is at the earliest start.
    """
    spans = [iv for iv in intervals if iv.end > iv.start]
    if not spans:
        return []
    bounds = sorted({iv.start for iv in spans} | {iv.end for iv in spans})
    out: list[tuple[int, int, int, int]] = []
    starts = np.array([iv.start for iv in spans])
    ends = np.array([iv.end for iv in spans])
    states = np.array([iv.state for iv in spans])
    for b in bounds:
        covering = np.flatnonzero((starts <= b) & (b < ends))
        if covering.size == 0:
            entry = (b, _NONE, _NONE, _NONE)
        else:
            # Highest state, and of those the one that started last (the newest walk).
            best = covering[np.lexsort((starts[covering], states[covering]))[-1]]
            iv = spans[best]
            entry = (b, iv.state, iv.where, iv.origin)
        if not out or out[-1][1:] != entry[1:]:
            out.append(entry)
    return out


def state_at(changes: Sequence[tuple[int, int, int, int]], second: int) -> int:
    """The state of a timeline at ``second`` (-1 before its first change)."""
    state = _NONE
    for t, s, _, _ in changes:
        if t > second:
            break
        state = s
    return state


def _blocks(scenario: Scenario, end_s: int) -> list[tuple[int, int, Any]]:
    """Each staffing block as ``(start_s, end_s, block)``; the last runs to the day's end."""
    starts = [scenario.minutes_after_open(b.start) * 60 for b in scenario.staffing]
    ends = [*starts[1:], max(end_s, starts[-1]) + 1]
    return [(s, e, b) for s, e, b in zip(starts, ends, scenario.staffing, strict=True)]


def _lanes(scenario: Scenario, end_s: int) -> list[list[tuple[int, int, int, int]]]:
    regular = scenario.cashiers.lanes
    express = scenario.cashiers.express.lanes if scenario.cashiers.express else 0
    out = []
    for k in range(regular + express):
        spans = []
        for start, stop, block in _blocks(scenario, end_s):
            staffed = k < block.cashiers if k < regular else k - regular < block.express_cashiers
            spans.append(Interval(start, stop, int(staffed)))
        out.append(timeline(spans))
    return out


def _kiosks(
    scenario: Scenario,
    end_s: int,
    customers: pd.DataFrame,
    assists: pd.DataFrame,
    faults: pd.DataFrame,
) -> list[list[tuple[int, int, int, int]]]:
    state = {name: code for code, name in enumerate(KIOSK_STATES)}
    count = scenario.kiosks.count
    spans: list[list[Interval]] = [[] for _ in range(count)]
    for start, stop, block in _blocks(scenario, end_s):
        on = count if block.kiosks is None else block.kiosks
        for k in range(count):
            spans[k].append(Interval(start, stop, state["idle"] if k < on else state["closed"]))
    at_kiosk = customers[(customers["channel"] == "kiosk") & (customers["service_start_s"] >= 0)]
    for k, s, d in zip(
        at_kiosk["lane"].tolist(),
        at_kiosk["service_start_s"].tolist(),
        at_kiosk["departure_s"].tolist(),
        strict=True,
    ):
        spans[k].append(Interval(s, d, state["scanning"]))
    for k, stuck, arrived, resolved in zip(
        assists["kiosk"].tolist(),
        seconds(assists["stuck_min"]).tolist(),
        seconds(assists["attendant_arrived_min"]).tolist(),
        seconds(assists["resolved_min"]).tolist(),
        strict=True,
    ):
        spans[k].append(Interval(stuck, arrived, state["frozen"]))
        spans[k].append(Interval(arrived, resolved, state["helped"]))
    for k, down, repaired in zip(
        faults["kiosk"].tolist(),
        seconds(faults["down_min"]).tolist(),
        seconds(faults["repaired_min"]).tolist(),
        strict=True,
    ):
        spans[k].append(Interval(down, repaired, state["out_of_order"]))
    return [timeline(s) for s in spans]


def _jobs(assists: pd.DataFrame, faults: pd.DataFrame) -> pd.DataFrame:
    """Every attendant job of the day, freezes and attendant-cleared faults, by assignment.

    Columns ``attendant, kiosk, assigned_s, arrived_s, done_s, fault`` (times in seconds).
    """
    by_attendant = faults[faults["attendant"] >= 0]
    parts = [
        pd.DataFrame(
            {
                "attendant": assists["attendant"].to_numpy(dtype=np.int64),
                "kiosk": assists["kiosk"].to_numpy(dtype=np.int64),
                "assigned_min": assists["assigned_min"].to_numpy(dtype=np.float64),
                "arrived_min": assists["attendant_arrived_min"].to_numpy(dtype=np.float64),
                "done_min": assists["resolved_min"].to_numpy(dtype=np.float64),
                "fault": np.zeros(len(assists), dtype=bool),
            }
        ),
        pd.DataFrame(
            {
                "attendant": by_attendant["attendant"].to_numpy(dtype=np.int64),
                "kiosk": by_attendant["kiosk"].to_numpy(dtype=np.int64),
                "assigned_min": by_attendant["assigned_min"].to_numpy(dtype=np.float64),
                "arrived_min": by_attendant["attendant_arrived_min"].to_numpy(dtype=np.float64),
                "done_min": by_attendant["repaired_min"].to_numpy(dtype=np.float64),
                "fault": np.ones(len(by_attendant), dtype=bool),
            }
        ),
    ]
    jobs = pd.concat(parts, ignore_index=True).sort_values("assigned_min", kind="stable")
    for name in ("assigned", "arrived", "done"):
        jobs[f"{name}_s"] = seconds(jobs.pop(f"{name}_min"))
    return jobs


def _attendants(
    scenario: Scenario, end_s: int, assists: pd.DataFrame, faults: pd.DataFrame
) -> list[list[tuple[int, int, int, int]]]:
    state = {name: code for code, name in enumerate(ATTENDANT_STATES)}
    count = max(block.attendants for block in scenario.staffing)
    spans: list[list[Interval]] = [[] for _ in range(count)]
    rows = _jobs(assists, faults)
    where = [_NONE] * count  # the kiosk each attendant last worked at (-1: the desk)
    jobs: list[list[tuple[int, int, int, int]]] = [[] for _ in range(count)]
    for a, k, assigned, arrived, resolved, fault in zip(
        rows["attendant"].tolist(),
        rows["kiosk"].tolist(),
        rows["assigned_s"].tolist(),
        rows["arrived_s"].tolist(),
        rows["done_s"].tolist(),
        rows["fault"].tolist(),
        strict=True,
    ):
        at_kiosk = state["repairing"] if fault else state["helping"]
        spans[a].append(Interval(assigned, arrived, state["walking"], k, where[a]))
        spans[a].append(Interval(arrived, resolved, at_kiosk, k))
        jobs[a].append((resolved, k, assigned, arrived))
        where[a] = k
    for a in range(count):
        # Idle where the last job ended, until the next job's walk starts.
        ends = [(0, _NONE)] + [(r, k) for r, k, _, _ in jobs[a]]
        nexts = [s for _, _, s, _ in jobs[a]] + [math.inf]
        for (free_from, kiosk), until in zip(ends, nexts, strict=True):
            for start, stop, block in _blocks(scenario, end_s):
                lo, hi = max(start, free_from), min(stop, until)
                if hi > lo:
                    on = a < block.attendants
                    spans[a].append(
                        Interval(int(lo), int(hi), state["idle"] if on else state["off"], kiosk)
                    )
    return [timeline(s) for s in spans]


def _flat(timelines: list[list[tuple[int, int, int, int]]]) -> dict[str, list[int]]:
    """Timelines end to end, columnar: ``t, s, w, o`` and each entity's ``off``set."""
    flat: dict[str, list[int]] = {"t": [], "s": [], "w": [], "o": [], "off": [0]}
    for changes in timelines:
        for t, s, w, o in changes:
            flat["t"].append(t)
            flat["s"].append(s)
            flat["w"].append(w)
            flat["o"].append(o)
        flat["off"].append(len(flat["t"]))
    return flat


def _int_list(values: Any) -> list[int]:
    return [int(v) for v in np.asarray(values).tolist()]


def _wait_curve(customers: pd.DataFrame, end_s: int, bin_s: int) -> dict[str, Any]:
    """Mean and longest queue wait (minutes) of customers served, by ``bin_s`` of arrival."""
    served = customers[customers["outcome"] == "served"]
    bins = np.arange(0, end_s + bin_s, bin_s)
    which = np.clip(served["arrival_s"].to_numpy() // bin_s, 0, len(bins) - 1)
    waits = served["queue_wait_min"].to_numpy()
    mean, longest = [], []
    for b in range(len(bins)):
        w = waits[which == b]
        mean.append(round(float(w.mean()), 2) if w.size else -1.0)
        longest.append(round(float(w.max()), 2) if w.size else -1.0)
    return {"t": _int_list(bins), "mean": mean, "max": longest}


def _worst_hour(scenario: Scenario, customers: pd.DataFrame) -> dict[str, Any]:
    """The clock hour whose served customers had the longest 90th-percentile queue wait."""
    served = customers[customers["outcome"] == "served"]
    if served.empty:
        return {"start_s": 0, "label": "", "p90_min": 0.0}
    hours = served.groupby("arrival_hour", observed=True)["queue_wait_min"].quantile(0.9)
    label = str(hours.idxmax())
    start = (int(label[:2]) * 60 - scenario.store.open_min) * 60
    return {"start_s": max(start, 0), "label": label, "p90_min": round(float(hours.max()), 2)}


def _days_text(days: list[int]) -> str:
    if days and days == list(range(days[0], days[-1] + 1)):
        return f"{days[0]} to {days[-1]}"
    return ", ".join(map(str, days)) or "none"


def day_data(result: SimulationResult, day: int = 0, label: str | None = None) -> dict[str, Any]:
    """Everything ``replay.html`` needs to play day ``day`` of ``result``, as plain JSON data.

    Parameters
    ----------
    result : SimulationResult
        A run holding replication ``day``.
    day : int
        The replication (0-based) to replay.
    label : str, optional
        The name shown above the floor plan; default the scenario's name.

    Returns
    -------
    dict
        ``meta`` (store layout, clock, target), ``customers`` (columns, one entry per customer
        in arrival order), ``lanes``, ``kiosks`` and ``attendants`` (flattened timelines,
        see :func:`timeline`), ``series`` (queue lengths every sample) and ``waits`` (the wait
        curve), all times integer seconds after opening.

    Raises
    ------
    ValueError
        If ``result`` has no replication ``day``.
    """
    scenario = result.scenario
    days = sorted(int(d) for d in result.timeseries["rep"].unique())
    if day not in days:
        raise ValueError(f"day {day} is not in the run: it simulated days {_days_text(days)}")
    customers = result.customers[result.customers["rep"] == day].copy()
    assists = result.assists[result.assists["rep"] == day]
    faults = result.faults[result.faults["rep"] == day]
    ts = result.timeseries[result.timeseries["rep"] == day]
    customers["arrival_s"] = seconds(customers["arrival_min"])
    customers["service_start_s"] = seconds(customers["service_start_min"])
    customers["departure_s"] = seconds(customers["departure_min"])
    customers = customers.sort_values(["arrival_s", "customer_id"], kind="stable")
    end_s = int(max(customers["departure_s"].max() if len(customers) else 0, 0))
    end_s = max(end_s, scenario.store.day_length_min * 60, int(seconds(ts["time_min"]).max()))
    satisfaction = customers["satisfaction"].to_numpy(dtype=np.float64)
    express = scenario.cashiers.express
    meta = {
        "name": scenario.name,
        "label": label or scenario.name,
        "day": day,
        "seed": int(result.seed),
        "open_min": scenario.store.open_min,
        "close_s": scenario.store.day_length_min * 60,
        "end_s": end_s,
        "target_s": round(scenario.run.target_wait_min * 60),
        "regular_lanes": scenario.cashiers.lanes,
        "express_lanes": express.lanes if express else 0,
        "express_limit": express.item_limit if express else 0,
        "kiosks": scenario.kiosks.count,
        "attendants": max(block.attendants for block in scenario.staffing),
        "lane_states": list(LANE_STATES),
        "kiosk_states": list(KIOSK_STATES),
        "attendant_states": list(ATTENDANT_STATES),
        "causes": [c.name for c in scenario.kiosks.confusion],
        "faults": [f.name for f in scenario.kiosks.faults],
        "worst_hour": _worst_hour(scenario, customers),
    }
    channel = customers["channel"].astype(str).map({"cashier": 0, "kiosk": 1}).fillna(-1)
    outcome = customers["outcome"].astype(str).map({"served": 0, "balked": 1, "reneged": 2})
    columns = {
        "id": _int_list(customers["customer_id"]),
        "arr": _int_list(customers["arrival_s"]),
        "start": _int_list(customers["service_start_s"]),
        "dep": _int_list(customers["departure_s"]),
        "lane": _int_list(customers["lane"]),
        "ch": _int_list(channel.astype(np.int64)),
        "out": _int_list(outcome.fillna(-1).astype(np.int64)),
        "items": _int_list(customers["basket_items"]),
        "wait": _int_list(seconds(customers["queue_wait_min"])),
        "assists": _int_list(customers["assists"]),
        "help_wait": _int_list(seconds(customers["assist_wait_min"])),
        "switches": _int_list(customers["switches"]),
        # Satisfaction 1-5 as hundredths (-100: not estimated).
        "sat": _int_list(np.where(np.isfinite(satisfaction), np.round(satisfaction * 100), -100)),
    }
    series = {
        "t": _int_list(seconds(ts["time_min"])),
        "cashier_queue": _int_list(ts["cashier_queue"]),
        "kiosk_queue": _int_list(ts["kiosk_queue"]),
        "help_queue": _int_list(ts["help_queue"]),
    }
    return {
        "meta": meta,
        "customers": columns,
        "lanes": _flat(_lanes(scenario, end_s)),
        "kiosks": _flat(_kiosks(scenario, end_s, customers, assists, faults)),
        "attendants": _flat(_attendants(scenario, end_s, assists, faults)),
        "series": series,
        "waits": _wait_curve(customers, end_s, 600),
    }


def simulated_day(
    scenario: Scenario, day: int, seed: int, label: str | None = None
) -> dict[str, Any]:
    """Simulate day ``day`` (a replication) of ``scenario`` alone and return its replay data.

    The same ``(scenario, day, seed)`` gives the very day that ``simulate`` gives as replication
    ``day``: a replication's randomness comes from (seed, rep) alone. Plans of a comparison
    replayed with one ``seed`` and ``day`` therefore meet the same customers.
    """
    columns = run_replication(scenario, day, seed)
    return day_data(SimulationResult.from_runs(scenario, seed, [(day, columns)]), day, label)
