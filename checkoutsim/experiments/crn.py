"""What common random numbers buy: the interval of a difference with and without them.

Two plans run with the same root seed see the same customers (same arrival times, baskets,
patience, payment and scanning times, confusion events): every draw is made up front from a
stream keyed by (seed, replication, source), whatever the staffing (see
:mod:`checkoutsim.model.population`). Busy days are busy under both plans, so the per-day
difference between plans varies much less than either plan does, and the paired interval of
the difference is narrower than the interval from independent runs.

:func:`crn_effect` measures it: the base and the plan with the same seed (paired t), and the
plan again with an unrelated seed (Welch's unpaired interval, the honest one for independent
runs; the paired-t width on those independent pairs is shown too).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from checkoutsim.experiments.executors import Executor, Task, make_executor
from checkoutsim.model.recorder import RunColumns
from checkoutsim.results.stats import paired_difference, welch_difference
from checkoutsim.results.tables import SimulationResult
from checkoutsim.scenario.schema import Scenario

__all__ = ["INDEPENDENT_SEED_OFFSET", "common_columns_equal", "crn_effect"]

INDEPENDENT_SEED_OFFSET = 1_000_003
"""Added to the root seed for the independent run (any other seed gives unrelated streams)."""


def common_columns_equal(
    a: RunColumns, b: RunColumns, columns: Sequence[str] = ("arrival_min", "basket_items")
) -> bool:
    """True if two runs have identical customer ``columns`` (same customers, same order)."""
    return all(np.array_equal(a.customers[c], b.customers[c]) for c in columns)


def _per_rep(
    runs: dict[tuple[str, int], RunColumns],
    scenarios: dict[str, tuple[Scenario, int]],
    scope: str,
) -> pd.DataFrame:
    frames = []
    for (label, rep), columns in runs.items():
        scenario, seed = scenarios[label]
        m = SimulationResult.from_runs(scenario, seed, [(rep, columns)]).metrics()
        m = m[m["scope"] == scope].assign(run=label)
        frames.append(m)
    long = pd.concat(frames, ignore_index=True)
    return long.pivot_table(index=["run", "rep"], columns="metric", values="value", dropna=False)


def crn_effect(
    base: Scenario,
    plan: Scenario,
    metrics: Sequence[str],
    *,
    replications: int,
    seed: int,
    scope: str = "all",
    level: float = 0.95,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """Interval of ``plan - base`` per metric, with common and with independent random numbers.

    Parameters
    ----------
    base, plan : Scenario
        The two plans.
    metrics : sequence of str
        Metric names (per-replication metrics of :meth:`SimulationResult.metrics`).
    replications : int
        Days per run.
    seed : int
        Root seed of the common-random-numbers runs; the independent run of ``plan`` uses
        ``seed + INDEPENDENT_SEED_OFFSET``.
    scope : str
        ``all``, ``cashier`` or ``kiosk``.
    level : float
        Confidence level.
    executor : Executor, optional
        Where to run (default: this process).

    Returns
    -------
    DataFrame
        One row per metric: ``diff_crn``, ``half_width_crn`` (paired t, same seed),
        ``diff_independent``, ``half_width_independent`` (Welch, plan on another seed),
        ``half_width_independent_paired`` (paired t on the independent pairs),
        ``correlation_crn`` (between the plans' per-day values under CRN), ``width_ratio``
        (independent / CRN half-width) and ``replications_factor`` (``width_ratio ** 2``: how
        many times as many days independent runs need for the CRN interval's width).
    """
    other = seed + INDEPENDENT_SEED_OFFSET
    plan_ind = plan.model_copy(update={"name": f"{plan.name[:52]}-independent"})  # names: 64 chars
    scenarios = {
        "base": (base, seed),
        "plan": (plan, seed),
        "independent": (plan_ind, other),
    }
    tasks = [
        Task(scenario, rep, s, tag=label)
        for label, (scenario, s) in scenarios.items()
        for rep in range(replications)
    ]
    runs: dict[tuple[str, int], RunColumns] = {}

    def collect(ex: Executor) -> None:
        for task, columns in ex.map(tasks):
            runs[(str(task.tag), task.rep)] = columns

    if executor is None:
        with make_executor(1) as own:
            collect(own)
    else:
        collect(executor)
    wide = _per_rep(runs, scenarios, scope)
    rows = []
    for metric in metrics:
        if metric not in wide.columns:
            raise ValueError(f"unknown metric {metric!r}; metrics: {sorted(wide.columns)}")
        a = wide.loc["base", metric].to_numpy(dtype=float)
        b = wide.loc["plan", metric].to_numpy(dtype=float)
        c = wide.loc["independent", metric].to_numpy(dtype=float)
        crn = paired_difference(a, b, level)
        ind = welch_difference(a, c, level)
        ind_paired = paired_difference(a, c, level)
        keep = ~(np.isnan(a) | np.isnan(b))
        corr = (
            float(np.corrcoef(a[keep], b[keep])[0, 1])
            if keep.sum() > 2 and np.std(a[keep]) > 0 and np.std(b[keep]) > 0
            else float("nan")
        )
        ratio = ind.half_width / crn.half_width if crn.half_width > 0 else float("inf")
        rows.append(
            {
                "metric": metric,
                "diff_crn": crn.diff,
                "half_width_crn": crn.half_width,
                "diff_independent": ind.diff,
                "half_width_independent": ind.half_width,
                "half_width_independent_paired": ind_paired.half_width,
                "correlation_crn": corr,
                "width_ratio": ratio,
                "replications_factor": ratio**2,
            }
        )
    return pd.DataFrame(rows)
