"""Metrics per staffing block, for targets that must hold "in every block".

A block's metric on one simulated day is the metric computed over the customers who **arrived**
during the block (``start <= arrival < end``), wherever and whenever they were then served: the
same functions as the hourly table (:func:`checkoutsim.results.tables.hourly_metrics` and
:func:`checkoutsim.experience.pipeline.experience_hourly_metrics`) applied to blocks instead of
clock hours. So ``wait_p90_min`` of the 16:00-19:00 block is the 90th percentile of the queue waits
of the customers served who arrived from 16:00 to 19:00 that day, and ``csat_mean`` is their
mean estimated satisfaction (balked and reneged customers included, as in the day's figure).
Time-series metrics (utilisation) and money are not per customer, so they are day targets only.

**Customers** (column ``customers``): every metric is computed over all the block's customers
(``all``) and, when judging by channel (the default, :data:`JUDGE_MODES`), also over the
cashier's and the kiosks' customers apart, split as the run verdict splits them
(:data:`checkoutsim.results.verdict.CHANNELS`: the channel each customer chose, balked and
reneged customers included, the same per-customer metric functions). A store-wide figure can
meet a target that one group misses: many short kiosk waits hide one cashier's long line.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

from checkoutsim.results.tables import SimulationResult, grouped_hourly_metrics
from checkoutsim.results.targets import Judgement, judge
from checkoutsim.results.verdict import CHANNELS
from checkoutsim.scenario.schema import Scenario
from checkoutsim.scenario.targets import Target

__all__ = [
    "ALL",
    "CHANNELS",
    "DAY",
    "JUDGE_MODES",
    "arrival_block_metrics",
    "block_labels",
    "block_metrics",
    "customer_groups",
    "day_metrics",
    "judge_units",
]

DAY = "day"
"""The unit label of whole-day metrics."""

ALL = "all"
"""The ``customers`` label of a figure over every customer of the unit."""

JUDGE_MODES = ("channels", "all")
"""How targets are judged in a unit: ``channels`` (every customer, and the cashier's and the
kiosks' customers apart, as the run verdict) or ``all`` (every customer together only)."""

_COLUMNS = ["rep", "unit", "customers", "metric", "value"]


def customer_groups(judge: str) -> tuple[str, ...]:
    """The ``customers`` groups a target is judged on under ``judge`` (see :data:`JUDGE_MODES`)."""
    if judge not in JUDGE_MODES:
        raise ValueError(f"judge must be one of {', '.join(JUDGE_MODES)}, got {judge!r}")
    return (ALL, *CHANNELS) if judge == "channels" else (ALL,)


def block_labels(scenario: Scenario) -> list[str]:
    """``"HH:MM-HH:MM"`` of each staffing block, in order."""
    return [f"{b.start}-{b.end}" for b in scenario.staffing]


def arrival_block_metrics(
    result: SimulationResult,
    starts: Sequence[float],
    labels: Sequence[str],
    judge: str = "channels",
) -> pd.DataFrame:
    """Per-replication metrics of the customers arriving in each of the given blocks.

    Parameters
    ----------
    result : SimulationResult
        The simulated days.
    starts : sequence of float
        Block starts in minutes after opening, increasing.
    labels : sequence of str
        One label per block.
    judge : {"channels", "all"}
        Which customer groups to compute (see :func:`customer_groups`).

    Returns
    -------
    DataFrame
        ``rep, unit, customers, metric, value``.
    """
    arrival = result.customers["arrival_min"].to_numpy()
    index = np.searchsorted(np.asarray(starts), arrival, "right") - 1
    # The hourly functions group by ``arrival_hour``; relabel it with the arrival block (on a
    # shallow copy: copying every column cost more than the block metrics themselves).
    customers = result.customers.assign(
        arrival_hour=pd.Categorical.from_codes(
            np.clip(index, 0, len(labels) - 1).astype(np.int16),
            categories=list(labels),
            ordered=True,
        )
    )
    both = grouped_hourly_metrics(
        result.scenario, customers, result.target_wait_min, customer_groups(judge)
    )
    return both.rename(columns={"hour": "unit"})[_COLUMNS]


def block_metrics(result: SimulationResult, judge: str = "channels") -> pd.DataFrame:
    """Per-replication metrics of the customers arriving in each staffing block.

    Returns
    -------
    DataFrame
        ``rep, unit, customers, metric, value`` (``unit`` is the block label, see
        :func:`block_labels`; ``customers`` is ``all``, ``cashier`` or ``kiosk``).
    """
    scenario = result.scenario
    starts = [scenario.minutes_after_open(b.start) for b in scenario.staffing]
    return arrival_block_metrics(result, starts, block_labels(scenario), judge)


def day_metrics(result: SimulationResult, judge: str = "channels") -> pd.DataFrame:
    """Per-replication whole-day metrics as ``rep, unit, customers, metric, value``.

    The run summary's scopes (:meth:`SimulationResult.metrics`): ``all``, and with
    ``judge="channels"`` the ``cashier`` and ``kiosk`` scopes the run verdict judges too.
    """
    m = result.metrics()
    m = m[m["scope"].isin(customer_groups(judge))]
    out = m.assign(unit=DAY, customers=m["scope"].astype(str))
    return out[_COLUMNS].reset_index(drop=True)


def judge_units(
    values: pd.DataFrame,
    units: Sequence[str],
    groups: Sequence[str],
    targets: Sequence[Target],
    level: float,
) -> Iterator[tuple[str, str, Target, Judgement]]:
    """Each target judged in each unit for each customer group, from ``values``
    (``rep, unit, customers, metric, value``): ``(unit, group, target, judgement)``.

    A channel with no value in the unit (nobody used it there, or a metric without a channel
    figure such as utilisation) has nothing to judge and is left out, as in the run verdict;
    ``all`` is always judged.
    """
    for unit in units:
        for group in groups:
            here = values[(values["unit"] == unit) & (values["customers"] == group)]
            for t in targets:
                v = here.loc[here["metric"] == t.metric, "value"].to_numpy(dtype=float)
                j = judge(v, t, level)
                if group == ALL or j.n > 0:
                    yield unit, group, t, j
