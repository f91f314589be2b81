"""Every estimate from checked logs: :func:`calibrate_logs` returns a :class:`Calibration`."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from checkoutsim.calibration.arrivals import ArrivalFit, fit_arrivals
from checkoutsim.calibration.basket import BasketFit, fit_basket
from checkoutsim.calibration.estimates import Estimate, proportion
from checkoutsim.calibration.kiosk import CauseFit, fit_causes, link_events
from checkoutsim.calibration.preferences import PreferenceFit
from checkoutsim.calibration.reading import Logs
from checkoutsim.calibration.service import (
    ChannelFit,
    PaymentFit,
    ServiceFit,
    fit_channels,
    fit_payment,
    fit_service,
)
from checkoutsim.scenario.schema import Scenario

__all__ = ["Calibration", "StaffingFit", "calibrate_logs"]


@dataclass(frozen=True)
class StaffingFit:
    """Staffing blocks read from the rota: the median crew of each role over the days."""

    blocks: list[dict[str, object]]
    express_lanes: int
    express_item_limit: int | None
    regular_lanes: int


@dataclass
class Calibration:
    """Every estimate, with the notes of what was repaired, assumed or left to the base."""

    arrivals: ArrivalFit
    basket: BasketFit
    services: dict[str, ServiceFit]
    payment: PaymentFit | None
    channels: ChannelFit
    causes: list[CauseFit]
    remote: Estimate
    staffing: StaffingFit | None
    kiosks_seen: int
    lanes_seen: int
    days: int
    transactions: int
    hourly_throughput: pd.DataFrame
    daily_service_min: pd.Series
    weekday_totals: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    preferences: PreferenceFit | None = None


def _work(logs: Logs, owner: pd.Series, channel: str) -> tuple[pd.DataFrame, str]:
    """Scanning work of each usable transaction of ``channel``: duration less what is not
    scanning (tender time; at a kiosk, every freeze from call to clear)."""
    t = logs.transactions
    rows = t[(t["channel"] == channel) & ~t["outlier"]]
    work = rows["duration_min"].to_numpy(dtype=float).copy()
    what = "duration"
    tender = rows["tender_min"].to_numpy(dtype=float)
    if np.isfinite(tender).all():
        work -= tender
        what += " - tender"
    if channel == "kiosk" and len(logs.events):
        e = logs.events
        frozen = e["clear_min"].to_numpy(dtype=float) + np.nan_to_num(
            e["wait_min"].to_numpy(dtype=float)
        )
        per = pd.Series(frozen).groupby(owner.to_numpy()).sum()
        per = per[per.index >= 0]
        work -= per.reindex(rows.index, fill_value=0.0).to_numpy()
        what += " - freezes (wait + clear)"
    return rows.assign(work=work), what


def _staffing(logs: Logs, base: Scenario, day_len: int) -> StaffingFit | None:
    rota = logs.staffing
    if rota is None or rota.empty:
        return None
    # Whole minutes: a scenario's blocks start and end on "HH:MM".
    cuts = np.unique(
        np.clip(np.rint(np.r_[0, day_len, rota["start_min"], rota["end_min"]]), 0, day_len)
    )
    segments = []
    for lo, hi in itertools.pairwise(cuts):
        mid = (lo + hi) / 2
        on = rota[(rota["start_min"] <= mid) & (rota["end_min"] > mid)]
        crew = on.groupby(["day", "role"]).size().unstack(fill_value=0)
        crew = crew.reindex(columns=["cashier", "express_cashier", "attendant"], fill_value=0)
        crew = crew.reindex(sorted(rota["day"].unique()), fill_value=0)
        segments.append([lo, hi, *np.rint(crew.median()).astype(int).tolist()])
    merged: list[list[float]] = []
    for seg in segments:
        if merged and merged[-1][2:] == seg[2:]:
            merged[-1][1] = seg[1]
        else:
            merged.append(list(seg))
    opening = base.store.open_min
    blocks = [
        {
            "start": _clock(opening + int(lo)),
            "end": _clock(opening + int(hi)),
            "cashiers": int(c),
            "express_cashiers": int(x),
            "attendants": int(a),
        }
        for lo, hi, c, x, a in merged
    ]
    express = sorted(set(rota.loc[rota["role"] == "express_cashier", "station"]))
    regular = sorted(set(rota.loc[rota["role"] == "cashier", "station"]))
    t = logs.transactions
    at_express = t["station"].isin(express)
    limit = int(t.loc[at_express, "items"].max()) if at_express.any() else None
    return StaffingFit(blocks, len(express), limit, len(regular))


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _hourly(logs: Logs, days: list[pd.Timestamp]) -> pd.DataFrame:
    """Transactions ending in each hour after opening, per day (the throughput to reproduce)."""
    t = logs.transactions[logs.transactions["day"].isin(days)]
    hour = np.floor(t["end_min"].to_numpy() / 60).astype(int)
    table = pd.crosstab(t["day"].to_numpy(), hour)
    return table


def _weekday_totals(t: pd.DataFrame, days: list[pd.Timestamp]) -> pd.DataFrame:
    """Transactions a day by weekday: mean, sd and days (whether weekdays differ)."""
    daily = t[t["day"].isin(days)].groupby("day").size()
    names = pd.DatetimeIndex(daily.index).day_name().str[:3]
    order = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    table = daily.groupby(names).agg(["mean", "std", "size"])
    return table.reindex([d for d in order if d in table.index])


def calibrate_logs(logs: Logs, base: Scenario) -> Calibration:
    """Estimate everything the logs tell; the rest stays as in ``base`` (and is noted).

    Parameters
    ----------
    logs : Logs
        Checked logs (:func:`checkoutsim.calibration.reading.read_logs`).
    base : Scenario
        The scenario that supplies what logs cannot (opening hours, patience, balking, walk
        times, costs, the experience model).
    """
    notes = list(logs.notes)
    day_len = base.store.day_length_min
    t = logs.transactions
    arrivals = fit_arrivals(t, logs.arrival_days, day_len)
    basket = fit_basket(t["items"].to_numpy())
    owner = link_events(logs.events, t)
    stray = int((owner < 0).sum())
    if stray:
        notes.append(
            f"kiosk events: {stray} event(s) fall in no kiosk transaction of their kiosk (clock "
            "mismatch between kiosk and till?): their clear times are used, they are not counted "
            "in the confusion probabilities"
        )
    services = {}
    for channel in ("cashier", "kiosk"):
        rows, what = _work(logs, owner, channel)
        if len(rows) >= 30:
            services[channel] = fit_service(
                channel, rows["items"].to_numpy(), rows["work"].to_numpy(), what
            )
        else:
            notes.append(
                f"{channel}: {len(rows)} usable transactions (under 30): service times kept "
                "from the base scenario"
            )
    payment = fit_payment(t)
    if payment is None:
        notes.append(
            "no tender_min logged: payment cannot be told apart from the fixed time; the "
            "base scenario's payment_min is kept and its mean is taken off the fitted fixed time"
        )
    causes = fit_causes(logs.events, t, owner) if len(logs.events) else []
    remote = proportion(
        int((logs.events["cleared"] == "remote").sum()),
        len(logs.events),
        "share of interventions cleared remotely",
    )
    notes.append(
        f"remote clearing: {remote.value:.1%} of interventions (95% CI {remote.low:.1%}-"
        f"{remote.high:.1%}); reported, not written: the scenario's clearing is set per cause "
        "(kiosks.confusion[].clearing), and the base scenario's setting is kept"
    )
    return Calibration(
        arrivals=arrivals,
        basket=basket,
        services=services,
        payment=payment,
        channels=fit_channels(t),
        causes=causes,
        remote=remote,
        staffing=_staffing(logs, base, day_len),
        kiosks_seen=int(t.loc[t["channel"] == "kiosk", "station"].nunique()),
        lanes_seen=int(t.loc[t["channel"] == "cashier", "station"].nunique()),
        days=int(t["day"].nunique()),
        transactions=len(t),
        hourly_throughput=_hourly(logs, logs.arrival_days),
        daily_service_min=t.groupby("day")["duration_min"].mean(),
        weekday_totals=_weekday_totals(t, logs.arrival_days),
        notes=notes,
    )
