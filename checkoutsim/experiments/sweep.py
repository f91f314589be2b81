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
      minimise: [total_cost, wait_p90_min]  # total_cost (or, with objective "labour",
      maximise: [csat_mean]                 #   operating_cost) if the metrics have it,
                                            #   else staff_hours; csat if present

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
import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, overload

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
    "COST_OBJECTIVES",
    "EAGER_POINTS",
    "EXPERIENCE_MAXIMISE",
    "EXPERIENCE_MINIMISE",
    "STAFF_HOURS",
    "GridPoints",
    "Sweep",
    "SweepFile",
    "SweepPoint",
    "SweepResult",
    "load_sweep",
    "pareto_front",
    "run_sweep",
]

COST_OBJECTIVES: dict[str, list[str]] = {
    "total": ["total_cost", "operating_cost", "labour_cost"],
    "labour": ["operating_cost", "labour_cost"],
}
"""Cost axis of the default Pareto front, per cost objective: the first of these metrics the
days have, else ``staff_hours`` (kiosks then cost nothing). ``total`` (the default) is the
total cost per day (labour, kiosks, coupons, lost margin, shrink, rescans), as ``optimize``
minimises; ``labour`` keeps the axis sweeps had before, the operating cost (labour plus kiosks
plus coupons)."""

COST_METRICS = COST_OBJECTIVES["labour"]
"""The ``labour`` cost axis (kept for callers that imported it)."""

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
    points: Sequence[SweepPoint]
    factors: list[str]
    replications: int
    seed: int
    minimise: list[str] | None = None
    maximise: list[str] | None = None
    description: str = ""
    pareto_line: int | None = field(default=None, compare=False)
    objective: str = "total"
    """Cost axis of the default front: a key of :data:`COST_OBJECTIVES` (ignored when the
    file's ``pareto`` names the objectives)."""

    def __post_init__(self) -> None:
        if self.objective not in COST_OBJECTIVES:
            raise ValueError(
                f"objective must be one of {', '.join(COST_OBJECTIVES)}, got {self.objective!r}"
            )


# -- loading ----------------------------------------------------------------------------------


def load_sweep(path: str | Path) -> Sweep:
    """Load and validate a sweep file.

    A grid of up to :data:`EAGER_POINTS` points (and any ``points:`` list) is resolved and
    validated whole. A larger grid comes back as a lazy :class:`GridPoints`: its file, every
    factor value (applied alone to the first point) and the first point are checked now,
    within a second whatever the size; each combination is resolved when it runs, and
    :func:`run_sweep` reports the combinations that do not make a valid scenario.

    Raises
    ------
    ScenarioError
        Every problem, each naming the file, key path and line.
    """
    p = Path(path)
    data, source = load_yaml_mapping(p, comments=False)
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


EAGER_POINTS = 2_000
"""Grids up to this many points are resolved and validated whole when loaded (every problem
at once, about 1 ms per point); larger grids are resolved lazily, while they run."""


class GridPoints(Sequence[SweepPoint]):
    """The points of a grid, each resolved (and validated) only when it is asked for.

    A point is the combination ``i`` in file order, the last factor varying fastest, so
    ``len()`` and any single point cost nothing like resolving the whole grid; iterating
    resolves one point after the other and keeps none of them.

    Raises
    ------
    ScenarioError
        From indexing or iterating: the problems of that point, located at the grid value
        that caused them.
    """

    def __init__(
        self, base: Scenario, grid: Any, factors: list[str], values: list[list[Any]], source: str
    ):
        self._base, self._grid, self._source = base, grid, source
        self._factors, self._values = factors, values
        self._radix = [len(v) for v in values]
        self._len = math.prod(self._radix)

    def __len__(self) -> int:
        return self._len

    def combo(self, i: int) -> list[tuple[int, Any]]:
        """(level index, value) of every factor of point ``i``."""
        out: list[tuple[int, Any]] = []
        for size, values in zip(reversed(self._radix), reversed(self._values), strict=True):
            i, j = divmod(i, size)
            out.append((j, values[j]))
        return out[::-1]

    @overload
    def __getitem__(self, i: int) -> SweepPoint: ...
    @overload
    def __getitem__(self, i: slice) -> list[SweepPoint]: ...
    def __getitem__(self, i: int | slice) -> SweepPoint | list[SweepPoint]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError(f"grid point {i} out of range (the grid has {self._len})")
        return self._resolve(i, self.combo(i))

    def __iter__(self) -> Iterator[SweepPoint]:
        for i, combo in enumerate(itertools.product(*(list(enumerate(v)) for v in self._values))):
            yield self._resolve(i, list(combo))

    def _resolve(self, i: int, combo: Sequence[tuple[int, Any]]) -> SweepPoint:
        name = _point_name(i, self._len)
        overrides = {f: v for f, (_, v) in zip(self._factors, combo, strict=True)}
        try:
            scenario = resolve_overrides(self._base, overrides, self._source, ("grid",), name)
        except ScenarioError as exc:
            raise ScenarioError(
                [_grid_problem(p, self._grid, self._factors, combo, name) for p in exc.problems]
            ) from None
        shown = {f: _display(v) for f, (_, v) in zip(self._factors, combo, strict=True)}
        return SweepPoint(name, shown, scenario, scenario_key(scenario))

    def sample(self) -> Iterator[int]:
        """Indices of the first point and of each factor level changed alone from it."""
        yield 0
        stride = self._len
        for size in self._radix:
            stride //= size
            yield from (j * stride for j in range(1, size))


def _grid_points(
    base: Scenario, grid: Any, source: str
) -> tuple[Sequence[SweepPoint], list[str], list[Problem]]:
    factors = [str(k) for k in grid]
    problems: list[Problem] = []
    levels: list[list[Any]] = []
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
        levels.append(list(values))
    if problems:
        return [], factors, problems
    lazy = GridPoints(base, grid, factors, levels, source)
    # A large grid: check every value (alone, on the first point) now, combinations as they run.
    picked = range(len(lazy)) if len(lazy) <= EAGER_POINTS else lazy.sample()
    points: list[SweepPoint] = []
    for i in picked:
        try:
            points.append(lazy[i])
        except ScenarioError as exc:
            problems += exc.problems
    return (points if len(lazy) <= EAGER_POINTS else lazy), factors, problems


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
    keys : list of str
        Run-store key of each point, in the order of ``results``.
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
    keys: list[str] = field(default_factory=list)

    def points_table(self) -> pd.DataFrame:
        """``point``, the factors and ``key`` (the run store folder) of every point that ran."""
        table = self.results[["point", *self.sweep.factors]].copy()
        table["key"] = self.keys
        return table

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
"""``progress(done, total)`` with ``done`` counting stored replications, old and new (the
total of a lazy grid can fall while it runs: points that turn out identical run once)."""

ResolveProgress = Callable[[int, int], None]
"""``resolving(done, total)``: plans resolved so far, of all plans of the sweep."""

BYTES_PER_METRIC_DAY = 160
"""Memory one metric of one day costs until the tables are written (the long per-day table,
its summary and the CSV text), for the memory guard. An estimate, not a measurement: the float
value, its share of the long table's key columns and of the CSV text; erring high."""

MEMORY_SHARE = 0.5
"""A sweep whose tables would need more than this share of the available memory is refused."""


@dataclass
class _Days:
    """Each finished day's metrics, compactly: one float array per day and a shared layout.

    A DataFrame per day costs kilobytes of overhead; a sweep of 200,000 plans x 10 days
    would spend gigabytes on that alone.
    """

    layouts: dict[tuple[tuple[str, str], ...], int] = field(default_factory=dict)
    by_layout: list[tuple[tuple[str, str], ...]] = field(default_factory=list)
    days: dict[tuple[str, int], tuple[int, np.ndarray]] = field(default_factory=dict)

    def add(self, key: str, rep: int, frame: pd.DataFrame) -> None:
        layout = tuple(zip(frame["scope"].astype(str), frame["metric"].astype(str), strict=True))
        index = self.layouts.setdefault(layout, len(self.layouts))
        if index == len(self.by_layout):
            self.by_layout.append(layout)
        self.days[(key, rep)] = (index, frame["value"].to_numpy(dtype=float))

    def __contains__(self, item: tuple[str, int]) -> bool:
        return item in self.days

    def frame(
        self, names: Sequence[str], keys: Sequence[str], reps: int, seed: int
    ) -> pd.DataFrame:
        """The long per-day table: ``scenario`` (point name), ``rep``, ``seed``, scope, metric,
        value, points in order and days in order within each."""
        parts: dict[str, list[np.ndarray]] = {c: [] for c in ("scenario", "rep", "scope", "metric")}
        values: list[np.ndarray] = []
        tables = [np.array(layout, dtype=object).reshape(-1, 2) for layout in self.by_layout]
        for name, key in zip(names, keys, strict=True):
            for rep in range(reps):
                index, value = self.days[(key, rep)]
                table = tables[index]
                parts["scenario"].append(np.full(len(value), name, dtype=object))
                parts["rep"].append(np.full(len(value), rep, dtype=np.int64))
                parts["scope"].append(table[:, 0])
                parts["metric"].append(table[:, 1])
                values.append(value)
        if not values:
            return pd.DataFrame(columns=["scenario", "rep", "seed", "scope", "metric", "value"])
        out = pd.DataFrame({c: np.concatenate(v) for c, v in parts.items()})
        out.insert(2, "seed", np.int64(seed))
        out["value"] = np.concatenate(values)
        return out


def run_sweep(
    sweep: Sweep,
    store: RunStore,
    *,
    executor: Executor | None = None,
    workers: int = 1,
    progress: SweepProgress | None = None,
    resolving: ResolveProgress | None = None,
    level: float = 0.95,
) -> SweepResult:
    """Run whatever replications of ``sweep`` are not in ``store`` yet, then tabulate all.

    Points are resolved one after the other as the executor asks for work (a lazy grid of
    200,000 points starts simulating after its first point, not after resolving them all),
    and all days of a point are queued together. Each replication is saved to ``store`` the
    moment it finishes, so an interrupted sweep (Ctrl-C, a killed process, a crash) keeps
    everything finished and a rerun does only what is missing. Results equal those of an
    uninterrupted run: each replication depends on (scenario, seed, rep) alone.

    Parameters
    ----------
    progress : callable, optional
        ``progress(days stored, days in all)``.
    resolving : callable, optional
        ``resolving(plans resolved, plans in all)``.

    Raises
    ------
    ScenarioError
        If a Pareto objective names a metric that does not exist, or the sweep's tables would
        not fit in memory (both checked on the first day, before the rest run); or, at the
        end (every valid point's days stored), the grid combinations that do not make a valid
        scenario.
    """
    seed, reps = sweep.seed, sweep.replications
    n_points = len(sweep.points)
    names: list[str] = []
    keys: list[str] = []
    hours: list[float] = []
    seen: set[str] = set()
    problems: list[Problem] = []
    days = _Days()
    total = reps * n_points
    state = {"done": 0, "ran": 0, "reused": 0, "checked": False}

    def record(key: str, rep: int, frame: pd.DataFrame) -> None:
        if not state["checked"]:
            _check_objectives(sweep, frame)
            _check_memory(sweep, len(frame))
            state["checked"] = True
        days.add(key, rep, frame)

    def tick() -> None:
        if progress:
            progress(int(state["done"]), total)

    def tasks() -> Iterator[Task]:
        """Resolve points in order; load what is stored, hand on what is missing."""
        nonlocal total
        for i in range(n_points):
            try:
                point = sweep.points[i]  # a lazy grid resolves it now
            except ScenarioError as exc:  # a lazy grid's bad combination: report at the end
                where = _combination(sweep, i)
                problems.extend(
                    Problem(p.source, p.key_path, p.line, f"{where}: {p.message}")
                    for p in exc.problems
                )
                total -= reps
                tick()
                if resolving:
                    resolving(i + 1, n_points)
                continue
            names.append(point.name)
            keys.append(point.key)
            scheduled = scheduled_hours(point.scenario)
            hours.append(scheduled["cashier"] + scheduled["attendant"])
            if resolving:
                resolving(i + 1, n_points)
            if point.key in seen:  # the same scenario as an earlier point: its days serve
                total -= reps
                tick()
                continue
            seen.add(point.key)
            store.save_scenario(point.key, point.scenario)
            for rep in range(reps):
                stored = (
                    store.load_or_set_aside(point.key, seed, rep)
                    if store.has(point.key, seed, rep)
                    else None
                )
                if stored is None:
                    yield Task(
                        point.scenario, rep, seed, tag=point.key, analyse=_columns_and_metrics
                    )
                else:
                    record(point.key, rep, _rep_metrics(point.scenario, rep, seed, stored))
                    state["done"] += 1
                    state["reused"] += 1
                    tick()

    with store.lock():
        store.remove_temporaries()
        tick()
        if executor is None:
            with make_executor(workers, tasks=total) as own:
                _execute(own, tasks(), store, record, state, tick)
        else:
            _execute(executor, tasks(), store, record, state, tick)
    if problems:
        raise ScenarioError(list(dict.fromkeys(problems)))
    return _tabulate(
        sweep, names, keys, hours, days, level, ran=int(state["ran"]), reused=int(state["reused"])
    )


def _combination(sweep: Sweep, i: int) -> str:
    """``point p04 (factor=value, ...)``: which combination of a lazy grid a problem is in."""
    name = _point_name(i, len(sweep.points))
    if not isinstance(sweep.points, GridPoints):
        return f"point {name}"
    values = [v for _, v in sweep.points.combo(i)]
    shown = ", ".join(f"{f}={v!r}" for f, v in zip(sweep.factors, values, strict=True))
    return f"point {name} ({shown})"


def _check_memory(sweep: Sweep, rows_per_day: int) -> None:
    """Refuse a sweep whose in-memory tables would not fit, before it runs for hours."""
    need = len(sweep.points) * sweep.replications * rows_per_day * BYTES_PER_METRIC_DAY
    try:
        available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):  # pragma: no cover - not POSIX
        return
    if need > MEMORY_SHARE * available:
        raise ScenarioError(
            [
                Problem(
                    sweep.source,
                    "grid" if isinstance(sweep.points, GridPoints) else "points",
                    None,
                    f"{len(sweep.points):,} plans x {sweep.replications} days x "
                    f"{rows_per_day} metrics need about {need / 2**30:.1f} GiB in memory for "
                    f"the tables, more than {MEMORY_SHARE:.0%} of the "
                    f"{available / 2**30:.1f} GiB available: split the grid into several "
                    "sweeps or run fewer replications",
                )
            ]
        )


def _execute(
    executor: Executor,
    todo: Iterator[Task],
    store: RunStore,
    record: Callable[[str, int, pd.DataFrame], None],
    state: dict[str, Any],
    tick: Callable[[], None],
) -> None:
    for task, (columns, frame) in executor.map(todo):
        key = str(task.tag)
        store.save(key, task.seed, task.rep, columns)
        state["done"] += 1
        state["ran"] += 1
        tick()
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
    cost = next((m for m in COST_OBJECTIVES[sweep.objective] if m in available), STAFF_HOURS)
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
    names: list[str],
    keys: list[str],
    hours: list[float],
    days: _Days,
    level: float,
    ran: int,
    reused: int,
) -> SweepResult:
    metrics = days.frame(names, keys, sweep.replications, sweep.seed)
    summary = summarise(metrics, ["scenario", "scope"], level)
    results = _wide(sweep, names, hours, summary)
    available = {str(m) for m in summary.loc[summary["scope"] == "all", "metric"]}
    minimise, maximise = _objectives(sweep, available)
    marks = paired_front(
        _per_rep(metrics, results, [*minimise, *maximise], sweep.replications),
        minimise,
        maximise,
        level,
    )
    results["pareto"] = marks.front
    results["pareto_status"] = marks.status
    results["pareto_reference"] = [None if i is None else names[i] for i in marks.reference]
    return SweepResult(
        sweep, metrics, summary, results, minimise, maximise, ran, reused, marks, keys
    )


def _per_rep(
    metrics: pd.DataFrame, results: pd.DataFrame, objectives: Sequence[str], reps: int
) -> dict[str, np.ndarray]:
    """Per objective, the ``(points, replications)`` values the paired front compares."""
    points = results["point"].tolist()
    out: dict[str, np.ndarray] = {}
    every = metrics[metrics["scope"] == "all"]
    for objective in objectives:
        if objective == STAFF_HOURS:  # fixed by the staffing: the same every day
            fixed = results[STAFF_HOURS].to_numpy(dtype=float)
            out[objective] = np.repeat(fixed[:, None], reps, axis=1)
            continue
        rows = every[every["metric"] == objective]
        wide = rows.pivot(index="scenario", columns="rep", values="value")
        out[objective] = wide.reindex(index=points, columns=range(reps)).to_numpy(dtype=float)
    return out


def _column(objective: str) -> str:
    return objective if objective == STAFF_HOURS else f"{objective}_mean"


def _wide(
    sweep: Sweep, names: list[str], hours: list[float], summary: pd.DataFrame
) -> pd.DataFrame:
    table = pd.DataFrame({"point": names})
    if isinstance(sweep.points, GridPoints):  # factors from the index: no point re-resolved
        grid = sweep.points
        index = [int(str(n)[1:]) - 1 for n in names]
        for k, factor in enumerate(sweep.factors):
            table[factor] = [_display(grid.combo(i)[k][1]) for i in index]
    else:
        by_name = {p.name: p for p in sweep.points}
        for factor in sweep.factors:
            table[factor] = [by_name[n].factors.get(factor) for n in names]
    table[STAFF_HOURS] = hours
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
