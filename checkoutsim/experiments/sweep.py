"""Sweeps: many plans from a base scenario and factors, run resumably, Pareto front marked.

A sweep file reads::

    base: ../weekday.yaml             # scenario file, relative to this file
    replications: 10                  # optional: default the base's run.replications
    seed: 20261122                    # optional: default the base's run.seed
    grid:                             # every combination (file order: the last varies fastest)
      staffing[start=16:00].cashiers: [4, 5, 6]
      kiosks.count: [6, 8, 10]
      staffing[*].attendants: [1, 2]
    pareto:                           # optional; these are the defaults
      minimise: [operating_cost, wait_p90_min]  # operating_cost or labour_cost if the metrics
      maximise: [csat_mean]                     #   have it, else staff_hours; csat if present

or, instead of ``grid``, an explicit list ``points:`` of override mappings (same keys as a
plan file's variants: scenario keys that merge, or paths; see
:mod:`checkoutsim.scenario.overrides`).

Each point is a scenario; every point runs the same replications with the same seed (common random
numbers). :func:`run_sweep` stores each finished (point, replication) in a
:class:`~checkoutsim.experiments.run_store.RunStore` as soon as it finishes, skips what is stored
already, and writes the tables (results.csv with factors as columns, summary.csv,
metrics_by_rep.csv, points.csv, manifest.json last) once every replication is there.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from checkoutsim.experience.costs import scheduled_hours
from checkoutsim.experiments.executors import Executor, Task, make_executor
from checkoutsim.experiments.pareto import NOT_DISTINGUISHABLE, PairedFront, paired_front
from checkoutsim.experiments.run_store import RunStore, scenario_key
from checkoutsim.model.recorder import RunColumns
from checkoutsim.results.tables import SimulationResult, summarise
from checkoutsim.scenario.loader import Problem, ScenarioError, load_yaml_mapping, to_plain
from checkoutsim.scenario.plans import NAME_PATTERN, file_problems, load_base, resolve_overrides
from checkoutsim.scenario.schema import MAX_REPLICATIONS, MAX_SEED, Scenario

__all__ = [
    "COST_METRICS",
    "EXPERIENCE_MAXIMISE",
    "EXPERIENCE_MINIMISE",
    "STAFF_HOURS",
    "Sweep",
    "SweepFile",
    "SweepPoint",
    "SweepResult",
    "load_sweep",
    "pareto_front",
    "run_sweep",
]

COST_METRICS = ["operating_cost", "labour_cost"]
"""Cost axis of the default Pareto front: the first of these the metrics have (operating cost
counts kiosks too, labour cost only staff); else ``staff_hours`` (kiosks then cost nothing)."""

EXPERIENCE_MINIMISE = ["wait_p90_min"]
EXPERIENCE_MAXIMISE = ["csat_mean"]
"""Experience axes of the default Pareto front, each used when the metrics have it."""

STAFF_HOURS = "staff_hours"
"""Scheduled staff hours of a point (cashiers, express cashiers and attendants), a column of
the results table and the fallback cost axis."""

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class ParetoSpec(BaseModel):
    """Objectives of the Pareto front: metric names (scope ``all``) or ``staff_hours``."""

    model_config = _STRICT

    minimise: list[str] = Field(default_factory=list)
    maximise: list[str] = Field(default_factory=list)


class SweepFile(BaseModel):
    """The schema of a sweep file (see the module docstring)."""

    model_config = _STRICT

    base: str = Field(min_length=1)
    name: Annotated[str, Field(pattern=NAME_PATTERN)] | None = None
    description: str = ""
    replications: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS)] | None = None
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] | None = None
    grid: dict[str, Annotated[list[Any], Field(min_length=1)]] | None = None
    points: Annotated[list[dict[str, Any]], Field(min_length=1)] | None = None
    pareto: ParetoSpec | None = None


@dataclass(frozen=True)
class SweepPoint:
    """One plan of a sweep.

    Attributes
    ----------
    name : str
        ``p01``, ``p02``, ... in file order.
    factors : dict
        Factor (path or key as written) -> value, for the results table.
    scenario : Scenario
        The resolved scenario (named after the point).
    key : str
        :func:`~checkoutsim.experiments.run_store.scenario_key` of the scenario.
    """

    name: str
    factors: dict[str, Any]
    scenario: Scenario
    key: str


@dataclass(frozen=True)
class Sweep:
    """A loaded sweep file."""

    name: str
    source: str
    base: Scenario
    points: list[SweepPoint]
    factors: list[str]
    replications: int
    seed: int
    minimise: list[str] | None = None
    maximise: list[str] | None = None
    description: str = ""
    pareto_line: int | None = field(default=None, compare=False)


# -- loading ----------------------------------------------------------------------------------


def load_sweep(path: str | Path) -> Sweep:
    """Load and validate a sweep file; every point is resolved and validated.

    Raises
    ------
    ScenarioError
        Every problem, each naming the file, key path and line.
    """
    p = Path(path)
    data, source = load_yaml_mapping(p)
    try:
        spec = SweepFile.model_validate(to_plain(data))
    except ValidationError as exc:
        raise ScenarioError(file_problems(exc, data, source, "sweep")) from None
    if (spec.grid is None) == (spec.points is None):
        raise ScenarioError(
            [Problem(source, "", 1, "give either grid: (factors and their values) or points:")]
        )
    base = load_base(data, p, source)
    if spec.grid is not None:
        points, factors, problems = _grid_points(base, data["grid"], source)
    else:
        points, factors, problems = _listed_points(base, data["points"], source)
    if problems:
        raise ScenarioError(list(dict.fromkeys(problems)))
    pareto = spec.pareto
    return Sweep(
        name=spec.name or p.stem,
        source=source,
        base=base,
        points=points,
        factors=factors,
        replications=spec.replications or base.run.replications,
        seed=spec.seed if spec.seed is not None else base.run.seed,
        minimise=list(pareto.minimise) if pareto else None,
        maximise=list(pareto.maximise) if pareto else None,
        description=spec.description,
        pareto_line=_line(data, "pareto"),
    )


def _line(node: Any, key: Any) -> int | None:
    try:
        if isinstance(key, int):
            return int(node.lc.item(key)[0]) + 1
        return int(node.lc.key(key)[0]) + 1
    except (AttributeError, KeyError, TypeError, IndexError):
        return None


def _point_name(i: int, n: int) -> str:
    return f"p{i + 1:0{max(2, len(str(n)))}d}"


def _display(value: Any) -> Any:
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return json.dumps(value, sort_keys=True)


def _grid_points(
    base: Scenario, grid: Any, source: str
) -> tuple[list[SweepPoint], list[str], list[Problem]]:
    factors = [str(k) for k in grid]
    problems: list[Problem] = []
    levels: list[list[tuple[int, Any]]] = []
    for factor in factors:
        values = to_plain(grid[factor])
        seen: list[Any] = []
        for j, value in enumerate(values):
            if value in seen:
                problems.append(
                    Problem(
                        source,
                        f"grid.{factor}[{j}]",
                        _line(grid[factor], j),
                        f"value {value!r} is listed twice",
                    )
                )
            seen.append(value)
        levels.append(list(enumerate(values)))
    if problems:
        return [], factors, problems
    combos = list(itertools.product(*levels))
    points: list[SweepPoint] = []
    for i, combo in enumerate(combos):
        name = _point_name(i, len(combos))
        overrides = {f: v for f, (_, v) in zip(factors, combo, strict=True)}
        try:
            scenario = resolve_overrides(base, overrides, source, ("grid",), name)
        except ScenarioError as exc:
            problems += [_grid_problem(p, grid, factors, combo, name) for p in exc.problems]
            continue
        shown = {f: _display(v) for f, (_, v) in zip(factors, combo, strict=True)}
        points.append(SweepPoint(name, shown, scenario, scenario_key(scenario)))
    return points, factors, problems


def _grid_problem(
    problem: Problem, grid: Any, factors: list[str], combo: Sequence[tuple[int, Any]], name: str
) -> Problem:
    """Point a problem found in one grid point at the grid value that caused it."""
    for factor, (j, _) in zip(factors, combo, strict=True):
        head = f"grid.{factor}"
        if problem.key_path == head or problem.key_path.startswith(head + "."):
            rest = problem.key_path[len(head) :]
            return Problem(
                problem.source, f"{head}[{j}]{rest}", _line(grid[factor], j), problem.message
            )
    where = ", ".join(f"{f}={v!r}" for f, (_, v) in zip(factors, combo, strict=True))
    return Problem(
        problem.source,
        "grid",
        _line(grid, factors[0]) if factors else None,
        f"point {name} ({where}): {problem.message}",
    )


def _listed_points(
    base: Scenario, points_node: Any, source: str
) -> tuple[list[SweepPoint], list[str], list[Problem]]:
    factors: list[str] = []
    problems: list[Problem] = []
    points: list[SweepPoint] = []
    for i, node in enumerate(points_node):
        name = _point_name(i, len(points_node))
        flat = _flatten(to_plain(node))
        factors += [f for f in flat if f not in factors]
        try:
            scenario = resolve_overrides(base, node, source, ("points", i), name, points_node)
        except ScenarioError as exc:
            problems += exc.problems
            continue
        shown = {f: _display(v) for f, v in flat.items()}
        points.append(SweepPoint(name, shown, scenario, scenario_key(scenario)))
    return points, factors, problems


def _flatten(overrides: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested scenario keys as dotted factor names (paths stay as written)."""
    out: dict[str, Any] = {}
    for key, value in overrides.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value and "kind" not in value:
            out.update(_flatten(value, name))
        else:
            out[name] = value
    return out


# -- running ----------------------------------------------------------------------------------


@dataclass
class SweepResult:
    """A finished sweep.

    Attributes
    ----------
    sweep : Sweep
        What was run.
    metrics : DataFrame
        Per replication, long (``scenario`` is the point name).
    summary : DataFrame
        Per point, scope and metric: mean and confidence interval.
    results : DataFrame
        One row per point: ``point``, the factors, ``staff_hours``, then for each scope-``all``
        metric ``<metric>_mean``, ``<metric>_ci_low``, ``<metric>_ci_high``, then ``pareto``
        (on the front), ``pareto_status`` (``front``, ``not distinguishable``, ``dominated``,
        ``no data``) and ``pareto_reference`` (a dominating plan, or the front plan it cannot
        be told apart from).
    minimise, maximise : list of str
        The Pareto objectives used.
    ran, reused : int
        Replications simulated by this call, and found already stored.
    marks : PairedFront
        The paired Pareto marks (``results["pareto_status"]``), with the confidence level and
        the number of comparisons they were adjusted for.
    """

    sweep: Sweep
    metrics: pd.DataFrame
    summary: pd.DataFrame
    results: pd.DataFrame
    minimise: list[str]
    maximise: list[str]
    ran: int
    reused: int
    marks: PairedFront

    @property
    def pareto_points(self) -> list[str]:
        """Names of the points on the front (paired intervals; see :mod:`.pareto`)."""
        return [str(p) for p in self.results.loc[self.results["pareto"], "point"]]

    @property
    def indistinguishable_points(self) -> dict[str, str]:
        """Point -> the front point it cannot be told apart from."""
        r = self.results
        pick = r["pareto_status"] == NOT_DISTINGUISHABLE
        return dict(zip(r.loc[pick, "point"], r.loc[pick, "pareto_reference"], strict=True))


SweepProgress = Callable[[int, int], None]
"""``progress(done, total)`` with ``done`` counting stored replications, old and new."""


def run_sweep(
    sweep: Sweep,
    store: RunStore,
    *,
    executor: Executor | None = None,
    workers: int = 1,
    progress: SweepProgress | None = None,
    level: float = 0.95,
) -> SweepResult:
    """Run whatever replications of ``sweep`` are not in ``store`` yet, then tabulate all.

    Each replication is saved to ``store`` the moment it finishes, so an interrupted sweep
    (Ctrl-C, a killed process, a crash) keeps everything finished and a rerun does only what
    is missing. Results equal those of an uninterrupted run: each replication depends on
    (scenario, seed, rep) alone.

    Raises
    ------
    ScenarioError
        If a Pareto objective names a metric that does not exist (checked on the first
        replication's metrics, before the rest run).
    """
    seed, reps = sweep.seed, sweep.replications
    unique: dict[str, Scenario] = {}
    for point in sweep.points:
        unique.setdefault(point.key, point.scenario)
    with store.lock():
        store.remove_temporaries()
        for key, scenario in unique.items():
            store.save_scenario(key, scenario)
        todo = [
            Task(scenario, rep, seed, tag=key, analyse=_columns_and_metrics)
            for rep in range(reps)
            for key, scenario in unique.items()
            if not store.has(key, seed, rep)
        ]
        total = reps * len(unique)
        per_key: dict[tuple[str, int], pd.DataFrame] = {}
        checked = False

        def record(key: str, rep: int, frame: pd.DataFrame) -> None:
            nonlocal checked
            if not checked:
                _check_objectives(sweep, frame)
                checked = True
            per_key[(key, rep)] = frame

        if progress:
            progress(total - len(todo), total)
        ran = 0
        while True:  # a second round only for stored days found unreadable
            if todo:
                done = total - len(todo)
                if executor is None:
                    with make_executor(workers, tasks=len(todo)) as own:
                        _execute(own, todo, store, record, done, total, progress)
                else:
                    _execute(executor, todo, store, record, done, total, progress)
                ran += len(todo)
            todo = []
            for rep in range(reps):
                for key, scenario in unique.items():
                    if (key, rep) in per_key:
                        continue
                    stored = store.load_or_set_aside(key, seed, rep)
                    if stored is None:
                        todo.append(
                            Task(scenario, rep, seed, tag=key, analyse=_columns_and_metrics)
                        )
                    else:
                        record(key, rep, _rep_metrics(scenario, rep, seed, stored))
            if not todo:
                break
    return _tabulate(sweep, per_key, level, ran=ran, reused=total - ran)


def _execute(
    executor: Executor,
    todo: list[Task],
    store: RunStore,
    record: Callable[[str, int, pd.DataFrame], None],
    reused: int,
    total: int,
    progress: SweepProgress | None,
) -> None:
    done = reused
    for task, (columns, frame) in executor.map(todo):
        key = str(task.tag)
        store.save(key, task.seed, task.rep, columns)
        done += 1
        if progress:
            progress(done, total)
        record(key, task.rep, frame)


def _rep_metrics(scenario: Scenario, rep: int, seed: int, columns: RunColumns) -> pd.DataFrame:
    return SimulationResult.from_runs(scenario, seed, [(rep, columns)]).metrics()


def _columns_and_metrics(
    scenario: Scenario, rep: int, seed: int, columns: RunColumns
) -> tuple[RunColumns, pd.DataFrame]:
    """A day's columns (to store) and its metrics, worked out in the worker that ran it."""
    return columns, _rep_metrics(scenario, rep, seed, columns)


def _objectives(sweep: Sweep, available: set[str]) -> tuple[list[str], list[str]]:
    if sweep.minimise is not None or sweep.maximise is not None:
        return list(sweep.minimise or []), list(sweep.maximise or [])
    cost = next((m for m in COST_METRICS if m in available), STAFF_HOURS)
    minimise = [cost, *(m for m in EXPERIENCE_MINIMISE if m in available)]
    maximise = [m for m in EXPERIENCE_MAXIMISE if m in available]
    return minimise, maximise


def _check_objectives(sweep: Sweep, frame: pd.DataFrame) -> None:
    available = {str(m) for m in frame.loc[frame["scope"] == "all", "metric"]}
    minimise, maximise = _objectives(sweep, available)
    unknown = [m for m in [*minimise, *maximise] if m not in available and m != STAFF_HOURS]
    if unknown:
        names = ", ".join(sorted(available | {STAFF_HOURS}))
        raise ScenarioError(
            [
                Problem(
                    sweep.source,
                    "pareto",
                    sweep.pareto_line,
                    f"unknown metric(s) {', '.join(unknown)}; choose from {names}",
                )
            ]
        )


def _tabulate(
    sweep: Sweep,
    per_key: dict[tuple[str, int], pd.DataFrame],
    level: float,
    ran: int,
    reused: int,
) -> SweepResult:
    frames = []
    for point in sweep.points:
        for rep in range(sweep.replications):
            frame = per_key[(point.key, rep)]
            frames.append(frame.assign(scenario=point.name))
    metrics = pd.concat(frames, ignore_index=True)
    summary = summarise(metrics, ["scenario", "scope"], level)
    results = _wide(sweep, summary)
    available = {str(m) for m in summary.loc[summary["scope"] == "all", "metric"]}
    minimise, maximise = _objectives(sweep, available)
    marks = paired_front(
        _per_rep(metrics, results, [*minimise, *maximise], sweep.replications),
        minimise,
        maximise,
        level,
    )
    names = results["point"].astype(str).tolist()
    results["pareto"] = marks.front
    results["pareto_status"] = marks.status
    results["pareto_reference"] = [None if i is None else names[i] for i in marks.reference]
    return SweepResult(sweep, metrics, summary, results, minimise, maximise, ran, reused, marks)


def _per_rep(
    metrics: pd.DataFrame, results: pd.DataFrame, objectives: Sequence[str], reps: int
) -> dict[str, np.ndarray]:
    """Per objective, the ``(points, replications)`` values the paired front compares."""
    points = results["point"].tolist()
    out: dict[str, np.ndarray] = {}
    every = metrics[metrics["scope"] == "all"]
    for objective in objectives:
        if objective == STAFF_HOURS:  # fixed by the staffing: the same every day
            hours = results[STAFF_HOURS].to_numpy(dtype=float)
            out[objective] = np.repeat(hours[:, None], reps, axis=1)
            continue
        rows = every[every["metric"] == objective]
        wide = rows.pivot(index="scenario", columns="rep", values="value")
        out[objective] = wide.reindex(index=points, columns=range(reps)).to_numpy(dtype=float)
    return out


def _column(objective: str) -> str:
    return objective if objective == STAFF_HOURS else f"{objective}_mean"


def _wide(sweep: Sweep, summary: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for point in sweep.points:
        hours = scheduled_hours(point.scenario)
        rows.append(
            {
                "point": point.name,
                **{f: point.factors.get(f) for f in sweep.factors},
                STAFF_HOURS: hours["cashier"] + hours["attendant"],
            }
        )
    table = pd.DataFrame(rows)
    s = summary[summary["scope"] == "all"]
    wide = s.pivot(index="scenario", columns="metric", values=["mean", "ci_low", "ci_high"])
    order = [str(m) for m in pd.unique(s["metric"])]
    columns = {}
    for metric in order:
        for stat in ("mean", "ci_low", "ci_high"):
            columns[f"{metric}_{stat}"] = wide[(stat, metric)]
    values = pd.DataFrame(columns)
    values.index.name = "point"
    return table.merge(values.reset_index(), on="point", how="left")


def pareto_front(
    table: pd.DataFrame, minimise: Sequence[str], maximise: Sequence[str] = ()
) -> np.ndarray:
    """Rows not dominated by any other row, on the means alone (no intervals).

    Sweeps mark their front with :func:`checkoutsim.experiments.pareto.paired_front`, which
    judges differences on their paired intervals; this is the textbook front of point
    estimates. Row ``a`` dominates ``b`` when it is at least as good on every objective and strictly
    better on one. Rows with a missing objective are never on the front.

    Parameters
    ----------
    table : DataFrame
        One row per plan.
    minimise, maximise : sequence of str
        Columns where lower, respectively higher, is better.

    Returns
    -------
    numpy.ndarray of bool
    """
    columns = [*minimise, *maximise]
    if not columns:
        return np.zeros(len(table), dtype=bool)
    signs = np.array([1.0] * len(minimise) + [-1.0] * len(maximise))
    x = table[columns].to_numpy(dtype=float) * signs  # lower is better everywhere
    ok = ~np.isnan(x).any(axis=1)
    front = ok.copy()
    for i in np.flatnonzero(ok):
        others = x[ok]
        dominated = np.any(np.all(others <= x[i], axis=1) & np.any(others < x[i], axis=1))
        front[i] = not dominated
    return front
