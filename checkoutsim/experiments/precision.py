"""Precision mode: add replications until a metric's confidence interval is narrow enough.

The stopping rule is :class:`~checkoutsim.results.stats.SequentialPrecision` (Law & Kelton's
sequential procedure), fed with the chosen metric of replication 0, 1, 2, ... in that order.
Replications run in batches on any executor; a batch may run past the stopping point, and whatever
it ran beyond is dropped, so the number of replications and the results are the same whatever the
executor, worker count or batch size.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from checkoutsim.experiments.executors import Executor, Task, make_executor
from checkoutsim.experiments.simulate import ProgressCallback
from checkoutsim.model.recorder import RunColumns
from checkoutsim.results.stats import Interval, SequentialPrecision, replications_needed
from checkoutsim.results.tables import SimulationResult
from checkoutsim.scenario.schema import Scenario

__all__ = ["PrecisionOutcome", "PrecisionTarget", "simulate_to_precision"]

_TARGET_RE = re.compile(r"^(?P<metric>[A-Za-z0-9_]+)(@(?P<scope>[A-Za-z_]+))?:(?P<hw>.+)$")


@dataclass(frozen=True)
class PrecisionTarget:
    """Stop when the ``level`` confidence interval of ``metric`` is at most ``half_width`` wide.

    Attributes
    ----------
    metric : str
        A per-replication metric name (a ``metric`` of :meth:`SimulationResult.metrics`).
    half_width : float
        Target half width, in the metric's own unit (minutes for ``wait_p90_min``).
    scope : str
        ``all``, ``cashier`` or ``kiosk``.
    """

    metric: str
    half_width: float
    scope: str = "all"

    @classmethod
    def parse(cls, text: str) -> PrecisionTarget:
        """Read ``METRIC:HALF_WIDTH`` or ``METRIC@SCOPE:HALF_WIDTH`` (``wait_p90_min:0.25``)."""
        match = _TARGET_RE.match(text.strip())
        if match is None:
            raise ValueError(
                f"expected METRIC:HALF_WIDTH or METRIC@SCOPE:HALF_WIDTH "
                f"(e.g. wait_p90_min:0.25), got {text!r}"
            )
        try:
            half_width = float(match["hw"])
        except ValueError:
            raise ValueError(f"half width {match['hw']!r} in {text!r} is not a number") from None
        if not (math.isfinite(half_width) and half_width > 0):
            raise ValueError(f"half width must be a positive number, got {match['hw']!r}")
        return cls(match["metric"], half_width, match["scope"] or "all")

    def __str__(self) -> str:
        scope = "" if self.scope == "all" else f"@{self.scope}"
        return f"{self.metric}{scope}:{self.half_width:g}"


@dataclass(frozen=True)
class PrecisionOutcome:
    """How a precision run ended.

    Attributes
    ----------
    target : PrecisionTarget
        What was asked for.
    replications : int
        Replications kept (those the stopping rule needed).
    reached : bool
        Whether the half width met the target (False: stopped at the maximum).
    interval : Interval
        The metric's final confidence interval.
    executed : int
        Replications simulated, including any a batch ran past the stopping point.
    """

    target: PrecisionTarget
    replications: int
    reached: bool
    interval: Interval
    executed: int

    def message(self) -> str:
        """One line for the terminal."""
        ci = self.interval
        got = f"{self.target.metric} = {ci.mean:.4g} ± {ci.half_width:.3g}"
        if self.reached:
            return (
                f"Precision reached after {self.replications} replications: {got} "
                f"(target ± {self.target.half_width:g}, {ci.level:.0%} CI)."
            )
        return (
            f"Precision NOT reached: stopped at the maximum of {self.replications} replications "
            f"with {got} (target ± {self.target.half_width:g}, {ci.level:.0%} CI)."
        )


def simulate_to_precision(
    scenario: Scenario,
    target: PrecisionTarget,
    *,
    max_replications: int,
    seed: int | None = None,
    min_replications: int = 5,
    level: float = 0.95,
    executor: Executor | None = None,
    workers: int = 1,
    progress: ProgressCallback | None = None,
) -> tuple[SimulationResult, PrecisionOutcome]:
    """Simulate until ``target`` is met or ``max_replications`` days have run.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    target : PrecisionTarget
        Metric, scope and half width to reach.
    max_replications : int
        Stop here whatever the precision.
    seed : int, optional
        Root seed (default ``scenario.run.seed``).
    min_replications : int
        Never stop on precision before this many replications (small samples can show a
        spuriously small variance); at least 2.
    level : float
        Confidence level.
    executor : Executor, optional
        Where to run; default a local pool of ``workers`` processes.
    workers : int
        Local processes when no executor is given.
    progress : callable, optional
        ``progress(done, planned)``; ``planned`` grows as the rule asks for more days.

    Returns
    -------
    (SimulationResult, PrecisionOutcome)
        The kept replications (0 .. n-1) and how the run ended.

    Raises
    ------
    ValueError
        If the metric or scope is unknown (the message lists the metrics there are), or the
        metric has no value (NaN) on every one of the first ``min_replications`` days.
    """
    root = scenario.run.seed if seed is None else seed
    if max_replications < 1:
        raise ValueError(f"max_replications must be at least 1, got {max_replications}")
    n0 = max(2, min(min_replications, max_replications))
    rule = SequentialPrecision(
        half_width_target=target.half_width, level=level, n0=n0, max_reps=max_replications
    )
    if executor is None:
        with make_executor(workers) as own:
            return _run(scenario, target, rule, root, own, progress)
    return _run(scenario, target, rule, root, executor, progress)


def _run(
    scenario: Scenario,
    target: PrecisionTarget,
    rule: SequentialPrecision,
    seed: int,
    executor: Executor,
    progress: ProgressCallback | None,
) -> tuple[SimulationResult, PrecisionOutcome]:
    runs: dict[int, RunColumns] = {}
    values: dict[int, float] = {}
    fed = 0  # replications given to the rule, in rep order
    planned = rule.n0
    while not rule.done:
        batch = _round_up(planned - len(runs), executor.workers)
        batch = min(batch, rule.max_reps - len(runs))
        tasks = [Task(scenario, rep, seed) for rep in range(len(runs), len(runs) + batch)]
        for task, columns in executor.map(tasks):
            runs[task.rep] = columns
            values[task.rep] = _value(scenario, task, columns, target)
            if progress:
                progress(len(runs), max(planned, len(runs)))
        while fed in values and not rule.done:
            rule.add(values[fed])
            fed += 1
        if fed >= rule.n0 and all(math.isnan(v) for v in rule.values):
            # No interval can ever narrow: refuse instead of running to the maximum.
            raise ValueError(
                f"{target.metric} ({target.scope} customers) has no value on any of the first "
                f"{fed} simulated days (for example, no customer of that kind), so no interval "
                "can reach the target; choose another metric or scope for --precision"
            )
        if not rule.done:
            finite = [v for v in rule.values if not math.isnan(v)]
            needed = (
                replications_needed(finite, target.half_width, rule.level, n0=len(runs) + 1)
                if len(finite) >= 2
                else len(runs) + 1
            )
            planned = min(max(needed, len(runs) + 1), rule.max_reps)
    kept = rule.n_added
    result = SimulationResult.from_runs(scenario, seed, [(rep, runs[rep]) for rep in range(kept)])
    outcome = PrecisionOutcome(
        target=target,
        replications=kept,
        reached=rule.reason == SequentialPrecision.PRECISION_REACHED,
        interval=rule.interval,
        executed=len(runs),
    )
    if progress:
        progress(kept, kept)
    return result, outcome


def _round_up(n: int, multiple: int) -> int:
    n = max(n, 1)
    return int(math.ceil(n / multiple) * multiple)


def _value(scenario: Scenario, task: Task, columns: RunColumns, target: PrecisionTarget) -> float:
    sim = SimulationResult.from_runs(scenario, task.seed, [(task.rep, columns)])
    m = sim.metrics()
    scopes = sorted(str(s) for s in np.unique(m["scope"]))
    if target.scope not in scopes:
        raise ValueError(f"unknown scope {target.scope!r} for --precision; scopes: {scopes}")
    m = m[(m["scope"] == target.scope) & (m["metric"] == target.metric)]
    if m.empty:
        names = ", ".join(sorted(str(x) for x in np.unique(sim.metrics()["metric"])))
        raise ValueError(f"unknown metric {target.metric!r} for --precision; metrics: {names}")
    return float(m["value"].iloc[0])
