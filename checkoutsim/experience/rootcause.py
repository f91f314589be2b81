"""Root causes of friction: every customer-minute of delay, and the dissatisfaction, to a cause.

Causes (:func:`cause_names`):

``cashier_queue`` / ``kiosk_queue``
    Minutes served customers spent waiting in line, by the channel they chose.
``help:<cause>``
    Minutes a kiosk stood frozen by that confusion cause (waiting for an attendant, then being
    helped), from the ``assists`` table.
``abandoned``
    Minutes lost in line by customers who gave up (reneged); all of their dissatisfaction.
``balked``
    Customers who left on seeing the line: no minutes, but dissatisfaction and a lost basket.
``overtaken``
    No delay of its own: the extra felt minutes and dissatisfaction of being passed by later
    arrivals (unfair waits).
``switched``
    No delay of its own: the dissatisfaction of being pushed by a long line to the channel the
    customer did not prefer (``switched_felt_min`` per switch; issue 13).
``service``
    No delay: the felt minutes of being served (scanning, paying).
``acknowledged``
    Negative dissatisfaction: CSAT points given back by staff acknowledging the problem.
``coupon_recovery``
    Negative dissatisfaction: CSAT points given back by coupons.
``shrink``
    No delay, no dissatisfaction: the stock lost at self-checkout (money only).
``rescan``
    Random rescans of kiosk baskets: attendant time, costed, not simulated (money only).

Besides minutes and points, every cause carries ``cost`` (currency): the lost margin of the
baskets of ``abandoned`` and ``balked``, the coupons of ``coupon_recovery``, the shrink and
the rescans; these add up to the same lines of ``costs.csv``.

For each cause: ``delay_min`` (real customer-minutes), ``felt_min`` (perceived minutes),
``csat_points_lost`` (CSAT points below a frictionless checkout; a served customer's loss is
shared among the causes in proportion to their share of the customer's frustration),
customers affected and lost baskets. The parts add up exactly: delay to the sum of
``queue_wait_min`` and ``assist_total_min``, felt minutes to the sum of
``perceived_wait_min``, CSAT points to the sum of ``no_wait_score - satisfaction``; a served
customer's loss is that before any recovery, which the recovery rows give back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from checkoutsim.experience.costs import rescan_cost_per_transaction, shrink_per_customer
from checkoutsim.scenario.schema import Scenario

__all__ = ["CAUSE_LABELS", "attribute_delay", "cause_label", "cause_names", "pareto"]

_KEYS = ["scenario", "rep", "seed"]

CAUSE_LABELS = {
    "cashier_queue": "Cashier queue",
    "kiosk_queue": "Kiosk queue",
    "abandoned": "Abandoned (reneged)",
    "balked": "Balked",
    "overtaken": "Overtaken (unfair)",
    "switched": "Pushed to the other channel",
    "service": "Being served",
    "acknowledged": "Acknowledged (recovery)",
    "coupon_recovery": "Coupons (recovery)",
    "shrink": "Shrink at self-checkout (money)",
    "rescan": "Random rescans (money)",
}
"""Readable labels of the fixed causes; ``help:<cause>`` reads "Help: <cause>"."""

_MEASURES = [
    "delay_min",
    "felt_min",
    "csat_points_lost",
    "customers",
    "lost_baskets",
    "lost_items",
    "cost",
]


def cause_names(scenario: Scenario) -> list[str]:
    """All causes of a scenario, in a fixed order."""
    helps = [f"help:{c.name}" for c in scenario.kiosks.confusion]
    return [
        "cashier_queue",
        "kiosk_queue",
        *helps,
        "abandoned",
        "balked",
        "overtaken",
        "switched",
        "service",
        "acknowledged",
        "coupon_recovery",
        "shrink",
        "rescan",
    ]


def cause_label(cause: str) -> str:
    """Readable label of a cause."""
    if cause.startswith("help:"):
        return f"Help: {cause[5:].replace('_', ' ')}"
    return CAUSE_LABELS.get(cause, cause)


def attribute_delay(
    scenario: Scenario, customers: pd.DataFrame, assists: pd.DataFrame
) -> pd.DataFrame:
    """Delay, felt minutes and dissatisfaction by replication, hour and cause.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    customers : DataFrame
        Customers with the experience columns
        (:func:`checkoutsim.experience.pipeline.add_experience`).
    assists : DataFrame
        The assists table.

    Returns
    -------
    DataFrame
        ``scenario, rep, seed, hour, cause`` and the sums :data:`_MEASURES` (``customers`` counts
        distinct customers touched by the cause). Hours are those of arrival, or of the freeze
        for ``help:*``. Only (rep, hour, cause) combinations that occurred are present.
    """
    sat = scenario.satisfaction
    pw = sat.perceived_wait
    top = sat.csat.no_wait_score
    causes = cause_names(scenario)
    code = {name: i for i, name in enumerate(causes)}

    outcome = customers["outcome"].to_numpy()
    served = outcome == "served"
    reneged = outcome == "reneged"
    balked = outcome == "balked"
    channel = customers["channel"].to_numpy()
    queue = customers["queue_wait_min"].to_numpy()
    service_min = (
        customers["departure_min"] - customers["service_start_min"] - customers["assist_total_min"]
    ).to_numpy()
    frustration = customers["frustration_min"].to_numpy()
    first = customers["satisfaction_before_recovery"].to_numpy()
    before = customers["satisfaction_without_coupon"].to_numpy()
    after = customers["satisfaction"].to_numpy()
    items = customers["basket_items"].to_numpy().astype(np.float64)
    overtaken = customers["overtaken"].to_numpy().astype(np.float64)
    hour = customers["arrival_hour"].astype(str).to_numpy()
    rows = np.arange(len(customers))
    loss = np.maximum(top - first, 0.0)
    # Share of each served customer's CSAT loss per felt minute of frustration.
    per_felt = np.divide(loss, frustration, out=np.zeros_like(loss), where=frustration > 0)

    parts: list[dict[str, np.ndarray]] = []

    def part(
        mask: np.ndarray,
        cause: np.ndarray | int,
        delay: np.ndarray | float,
        felt: np.ndarray | float,
        csat: np.ndarray,
        lost: bool = False,
        cost: np.ndarray | float = 0.0,
    ) -> None:
        idx = np.flatnonzero(mask)
        parts.append(
            {
                "row": rows[idx],
                "hour": hour[idx],
                "cause": np.broadcast_to(np.asarray(cause), mask.shape)[idx].astype(np.int64),
                "delay_min": np.broadcast_to(np.asarray(delay, dtype=float), mask.shape)[idx],
                "felt_min": np.broadcast_to(np.asarray(felt, dtype=float), mask.shape)[idx],
                "csat_points_lost": csat[idx],
                "lost_baskets": np.full(idx.shape[0], 1.0 if lost else 0.0),
                "lost_items": items[idx] if lost else np.zeros(idx.shape[0]),
                "cost": np.broadcast_to(np.asarray(cost, dtype=float), mask.shape)[idx],
            }
        )

    queue_cause = np.where(channel == "kiosk", code["kiosk_queue"], code["cashier_queue"])
    felt_queue = pw.queue_weight * queue
    part(served, queue_cause, queue, felt_queue, per_felt * felt_queue)
    felt_over = pw.overtaken_felt_min * overtaken
    part(served, code["overtaken"], 0.0, felt_over, per_felt * felt_over)
    if "switches" in customers:
        pushed = pw.switched_felt_min * customers["switches"].to_numpy().astype(np.float64)
        # Frustration, not perceived wait: no felt minutes of its own, only CSAT points.
        part(served & (pushed > 0), code["switched"], 0.0, 0.0, per_felt * pushed)
    felt_service = pw.service_weight * np.where(served, service_min, 0.0)
    part(served, code["service"], 0.0, felt_service, per_felt * felt_service)
    costs = scenario.costs
    margin = items * costs.spend_per_item * costs.gross_margin_pct / 100.0
    part(
        reneged,
        code["abandoned"],
        queue,
        customers["perceived_wait_min"].to_numpy(),
        loss,
        lost=True,
        cost=margin,
    )
    part(balked, code["balked"], 0.0, 0.0, loss, lost=True, cost=margin)
    acked = customers["acknowledged"].to_numpy().astype(bool)
    part(acked, code["acknowledged"], 0.0, 0.0, -(before - first))
    coupon = customers["coupon"].to_numpy().astype(bool)
    value = scenario.service_recovery.coupon_value if scenario.service_recovery else 0.0
    part(coupon, code["coupon_recovery"], 0.0, 0.0, -(after - before), cost=value)
    no_csat = np.zeros(len(customers))
    kiosk_served = served & (channel == "kiosk")
    part(
        kiosk_served,
        code["shrink"],
        0.0,
        0.0,
        no_csat,
        cost=shrink_per_customer(scenario, customers),
    )
    part(
        kiosk_served, code["rescan"], 0.0, 0.0, no_csat, cost=rescan_cost_per_transaction(scenario)
    )

    if len(assists):
        key = pd.MultiIndex.from_arrays([customers["rep"], customers["customer_id"]])
        owner = key.get_indexer(pd.MultiIndex.from_arrays([assists["rep"], assists["customer_id"]]))
        wait = assists["wait_for_attendant_min"].to_numpy()
        frozen = assists["frozen_min"].to_numpy()
        felt_help = pw.help_wait_weight * wait + pw.service_weight * (frozen - wait)
        cause_idx = assists["cause"].cat.codes.to_numpy().astype(np.int64)
        help_codes = np.array([code[f"help:{c.name}"] for c in scenario.kiosks.confusion])
        parts.append(
            {
                "row": owner,
                "hour": assists["stuck_hour"].astype(str).to_numpy(),
                "cause": help_codes[cause_idx],
                "delay_min": frozen,
                "felt_min": felt_help,
                "csat_points_lost": per_felt[owner] * (felt_help + pw.confusion_felt_min),
                "lost_baskets": np.zeros(owner.shape[0]),
                "lost_items": np.zeros(owner.shape[0]),
                "cost": np.zeros(owner.shape[0]),
            }
        )

    flat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    df = pd.DataFrame(flat)
    df["scenario"] = customers["scenario"].to_numpy()[df["row"].to_numpy()]
    df["rep"] = customers["rep"].to_numpy()[df["row"].to_numpy()]
    df["seed"] = customers["seed"].to_numpy()[df["row"].to_numpy()]
    touched = (df["delay_min"] > 0) | (df["felt_min"] > 0) | (df["csat_points_lost"] != 0)
    touched |= df["cost"] != 0
    df["touched_row"] = np.where(touched, df["row"], -1)
    group = [*_KEYS, "hour", "cause"]
    summed = ["delay_min", "felt_min", "csat_points_lost", "lost_baskets", "lost_items", "cost"]
    sums = df.groupby(group, sort=True)[summed].sum()
    touched_rows = df[df["touched_row"] >= 0].groupby(group, sort=True)["touched_row"].nunique()
    out = sums.join(touched_rows.rename("customers"), how="left").reset_index()
    out["customers"] = out["customers"].fillna(0).astype(np.int64)
    out["cause"] = pd.Categorical.from_codes(out["cause"].to_numpy(), categories=causes)
    return out[[*_KEYS, "hour", "cause", *_MEASURES]]


def pareto(
    attribution: pd.DataFrame,
    scenario: Scenario,
    replications: int,
    *,
    by_hour: bool = False,
    level: float = 0.95,
) -> pd.DataFrame:
    """The Pareto table: causes by delay, largest first, per simulated day.

    Parameters
    ----------
    attribution : DataFrame
        :func:`attribute_delay` output.
    scenario : Scenario
        The scenario (cause list, spend per item for lost sales).
    replications : int
        Simulated days (a cause absent on a day counts zero that day).
    by_hour : bool
        One Pareto table per clock hour (hour of arrival, or of the freeze for ``help:*``).
    level : float
        Confidence level of the half-width of ``delay_min_per_day``.

    Returns
    -------
    DataFrame
        ``scenario, [hour,] rank, cause, label, delay_min_per_day, delay_min_half_width,
        delay_pct, delay_cum_pct, felt_min_per_day, csat_points_lost_per_day, csat_lost_pct,
        customers_per_day, lost_baskets_per_day, lost_sales_per_day, cost_per_day``. Overall,
        every cause is
        listed (zeros included); by hour, only causes that occurred in that hour.
    """
    from scipy import stats as st

    causes = cause_names(scenario)
    keys = ["hour", "cause"] if by_hour else ["cause"]
    per_rep = attribution.groupby(["rep", *keys], observed=True, sort=True)[_MEASURES].sum()
    reps = np.arange(replications)
    if by_hour:
        present = per_rep.reset_index()[keys].drop_duplicates()
        index = pd.MultiIndex.from_tuples(
            [(r, h, c) for r in reps for h, c in present.itertuples(index=False)],
            names=["rep", *keys],
        )
    else:
        index = pd.MultiIndex.from_product([reps, causes], names=["rep", "cause"])
    per_rep = per_rep.reindex(index, fill_value=0.0).reset_index()
    per_rep["cause"] = per_rep["cause"].astype(str)
    g = per_rep.groupby(keys, sort=False)
    out = g[_MEASURES].mean().reset_index()
    sd = g["delay_min"].std(ddof=1).to_numpy() if replications > 1 else np.nan
    tq = st.t.ppf(0.5 + level / 2.0, max(replications - 1, 1))
    out["delay_min_half_width"] = (
        tq * np.nan_to_num(sd) / np.sqrt(replications) if replications > 1 else np.nan
    )
    out["lost_sales"] = out["lost_items"] * scenario.costs.spend_per_item
    out = out.rename(
        columns={
            "delay_min": "delay_min_per_day",
            "felt_min": "felt_min_per_day",
            "csat_points_lost": "csat_points_lost_per_day",
            "customers": "customers_per_day",
            "lost_baskets": "lost_baskets_per_day",
            "lost_sales": "lost_sales_per_day",
            "cost": "cost_per_day",
        }
    )
    order = causes
    out["_order"] = out["cause"].map({c: i for i, c in enumerate(order)})
    group_keys = ["hour"] if by_hour else []
    sort_cols = [*group_keys, "delay_min_per_day", "csat_points_lost_per_day", "_order"]
    ascending = [True] * len(group_keys) + [False, False, True]
    out = out.sort_values(sort_cols, ascending=ascending, kind="stable").reset_index(drop=True)

    def shares(frame: pd.DataFrame) -> pd.DataFrame:
        total = frame["delay_min_per_day"].sum()
        csat_total = frame["csat_points_lost_per_day"].sum()
        frame = frame.copy()
        frame["rank"] = np.arange(1, len(frame) + 1)
        frame["delay_pct"] = 100.0 * frame["delay_min_per_day"] / total if total > 0 else 0.0
        frame["delay_cum_pct"] = frame["delay_pct"].cumsum()
        frame["csat_lost_pct"] = (
            100.0 * frame["csat_points_lost_per_day"] / csat_total if csat_total != 0 else 0.0
        )
        return frame

    if by_hour:
        # No hour at all when nobody came on any day (a closed store): an empty table.
        hours = [shares(f) for _, f in out.groupby("hour", sort=True)]
        out = pd.concat(hours, ignore_index=True) if hours else shares(out)
    else:
        out = shares(out)
    out["label"] = out["cause"].map(cause_label)
    out.insert(0, "scenario", scenario.name)
    columns = [
        "scenario",
        *group_keys,
        "rank",
        "cause",
        "label",
        "delay_min_per_day",
        "delay_min_half_width",
        "delay_pct",
        "delay_cum_pct",
        "felt_min_per_day",
        "csat_points_lost_per_day",
        "csat_lost_pct",
        "customers_per_day",
        "lost_baskets_per_day",
        "lost_sales_per_day",
        "cost_per_day",
    ]
    return out[columns]
