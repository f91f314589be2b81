"""Plan files: a base scenario and named variants that override parts of it.

A plan file reads::

    base: ../weekday.yaml            # a scenario file, relative to this file
    description: Three ways to staff the weekday store
    replications: 20                 # optional: default the base scenario's run.replications
    seed: 20261122                   # optional: default the base scenario's run.seed
    variants:
      lean:                          # a name: 1-64 letters, digits, _ . - (not starting . -)
        kiosks: {count: 12}          # nested keys merge into the base scenario
        staffing[*].cashiers: 1      # paths set a value (see checkoutsim.scenario.overrides)

Every variant is resolved and validated like a scenario. A problem is reported against the
plan file, at the line of the override that caused it (``variants.lean.kiosks.count``), or at
the variant's name when it comes from a combination (a staffed lane count above the lanes that
exist, say). Problems in the base scenario are reported against the base file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from checkoutsim.scenario.loader import (
    Problem,
    ScenarioError,
    _describe,
    _locate,
    load_scenario,
    load_yaml_mapping,
    read_staffing,
    table_problem,
    to_plain,
    validation_errors,
)
from checkoutsim.scenario.overrides import Origin, PathError, apply_overrides, format_loc
from checkoutsim.scenario.schema import (
    MAX_REPLICATIONS,
    MAX_SEED,
    NAME_PATTERN,
    NAME_RULE,
    Scenario,
    cross_field_problems,
)
from checkoutsim.scenario.staffing_file import StaffingTable, is_reference

__all__ = [
    "NAME_PATTERN",
    "Plan",
    "PlanFile",
    "file_problems",
    "load_base",
    "load_plan",
    "resolve_overrides",
]

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class PlanFile(BaseModel):
    """The schema of a plan file (see the module docstring)."""

    model_config = _STRICT

    base: str = Field(min_length=1, description="Base scenario file, relative to the plan file.")
    description: str = ""
    replications: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS)] | None = Field(
        default=None,
        description="Simulated days per plan, 1 to 10,000 (default: the base scenario's).",
    )
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] | None = Field(
        default=None,
        description="Root seed shared by every plan, 0 to 2^63 - 1 (default: the base's).",
    )
    variants: dict[Annotated[str, Field(pattern=NAME_PATTERN)], dict[str, Any]] = Field(
        min_length=1, description="Variant name -> overrides of the base scenario."
    )


@dataclass(frozen=True)
class Plan:
    """A loaded plan file: a base scenario and its resolved variants.

    Attributes
    ----------
    name : str
        The plan file's stem.
    source : str
        The plan file as given.
    base : Scenario
        The base scenario (compared against).
    variants : dict of str to Scenario
        Resolved, validated variants in file order; each is named after its variant.
    overrides : dict of str to dict
        Each variant's overrides as written (plain data).
    replications, seed : int or None
        The plan file's settings, if given.
    description : str
        The plan file's description.
    """

    name: str
    source: str
    base: Scenario
    variants: dict[str, Scenario]
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    replications: int | None = None
    seed: int | None = None
    description: str = ""

    def scenarios(self) -> dict[str, Scenario]:
        """Base first, then the variants, by name."""
        return {self.base.name: self.base, **self.variants}


def file_problems(
    exc: ValidationError, data: Mapping[str, Any], source: str, kind: str
) -> list[Problem]:
    """Problems of a plan or sweep file's own keys (not of the scenarios it makes)."""
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        message = _describe(err).replace("the scenario schema", f"the {kind} file schema")
        if "[key]" in loc:
            # pydantic's marker for a bad mapping key: report the key itself.
            loc = loc[: loc.index("[key]")]
            message = f"names must be {NAME_RULE}, got {err['input']!r}"
        path, line = _locate(data, loc)
        out.append(Problem(source, format_loc(path), line, message))
    return out


def load_base(data: Mapping[str, Any], path: Path, source: str) -> Scenario:
    """Load the ``base:`` scenario of a plan or sweep file, relative to that file."""
    base_path = Path(str(data["base"]))
    resolved = base_path if base_path.is_absolute() else path.parent / base_path
    if not resolved.is_file():
        line = _key_line(data, "base")
        raise ScenarioError(
            [
                Problem(
                    source,
                    "base",
                    line,
                    f"scenario file {str(base_path)!r} not found (looked for {resolved}; "
                    "the path is relative to this file)",
                )
            ]
        )
    return load_scenario(resolved)


def _key_line(node: Any, key: Any) -> int | None:
    try:
        return int(node.lc.key(key)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return None


def load_plan(path: str | Path) -> Plan:
    """Load, resolve and validate a plan file.

    Raises
    ------
    ScenarioError
        Every problem found, each naming the file, key path and line.
    """
    p = Path(path)
    data, source = load_yaml_mapping(p, comments=False)
    try:
        spec = PlanFile.model_validate(to_plain(data))
    except ValidationError as exc:
        raise ScenarioError(file_problems(exc, data, source, "plan")) from None
    base = load_base(data, p, source)
    problems: list[Problem] = []
    variants: dict[str, Scenario] = {}
    for name in spec.variants:
        if name == base.name:
            problems.append(
                Problem(
                    source,
                    f"variants.{name}",
                    _key_line(data["variants"], name),
                    f"a variant may not share the base scenario's name {base.name!r}",
                )
            )
            continue
        try:
            variants[name] = resolve_overrides(
                base, data["variants"][name], source, ("variants", name), name, data["variants"]
            )
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    return Plan(
        name=p.stem,
        source=source,
        base=base,
        variants=variants,
        overrides={k: dict(v) for k, v in spec.variants.items()},
        replications=spec.replications,
        seed=spec.seed,
        description=spec.description,
    )


def resolve_overrides(
    base: Scenario,
    node: Mapping[str, Any],
    source: str,
    prefix: tuple[str | int, ...],
    name: str | None = None,
    container: Any = None,
) -> Scenario:
    """Apply an override mapping to ``base`` and validate the result.

    Parameters
    ----------
    base : Scenario
        The scenario to change.
    node : mapping
        The overrides as read from the file (a ruamel mapping keeps line numbers).
    source : str
        The file, for messages.
    prefix : tuple
        Where ``node`` sits in the file (``("variants", "lean")``), for messages.
    name : str, optional
        Name of the resulting scenario (unless the overrides set ``name`` themselves).
    container : mapping, optional
        The mapping holding ``node`` under ``prefix[-1]``, for the line of a problem that no
        single override caused.

    Raises
    ------
    ScenarioError
        Each problem located at the override that caused it.
    """
    plain = to_plain(node)
    where = format_loc(prefix)
    fallback = _node_line(node)
    if container is not None and prefix:
        fallback = _key_line(container, prefix[-1]) or fallback
    if not isinstance(plain, Mapping):
        raise ScenarioError(
            [Problem(source, where, fallback, "expected a mapping of scenario overrides")]
        )
    plain = dict(plain)
    table, file_problems = _staffing_file(node, plain, source, prefix)
    try:
        data, origins = apply_overrides(base.to_dict(), plain)
    except PathError as exc:
        line = _key_line(node, exc.path) or fallback
        raise ScenarioError(
            [Problem(source, format_loc((*prefix, exc.path)), line, exc.detail)]
        ) from None
    if name is not None and "name" not in plain:
        data["name"] = name
    try:
        scenario = Scenario.model_validate(data)
        errors: list[tuple[tuple[Any, ...], str]] = []
    except ValidationError as exc:
        errors = [*validation_errors(exc), *cross_field_problems(data)]
    if not errors and not file_problems:
        return scenario
    problems = list(file_problems)
    for loc, msg in errors:
        if table is not None and _from_table(data, origins, loc):
            problem = table_problem(table, _locate(data, loc)[0][1:], msg)
            if problem is not None:
                problems.append(problem)
        else:
            problems.append(
                _override_problem(source, node, prefix, data, origins, loc, msg, fallback)
            )
    raise ScenarioError(list(dict.fromkeys(problems)))


def _staffing_file(
    node: Any, plain: dict[str, Any], source: str, prefix: tuple[str | int, ...]
) -> tuple[StaffingTable | None, list[Problem]]:
    """Read an override ``staffing: {from: ...}`` (relative to the plan or sweep file).

    ``plain["staffing"]`` becomes the rows read, or is dropped when the file cannot be read
    (so the variant's other overrides are still checked).
    """
    if not is_reference(plain.get("staffing")):
        return None, []
    directory = Path(source).parent if Path(source).is_file() else Path()
    table, found = read_staffing(node, source, directory, ("staffing",))
    problems = [
        replace(p, key_path=format_loc(prefix) + "." + p.key_path) if prefix else p for p in found
    ]
    if table is None:
        del plain["staffing"]
        return None, problems
    plain["staffing"] = table.rows
    problems += [Problem(table.source, where, None, msg) for where, msg in table.problems]
    return table, problems


def _from_table(data: Mapping[str, Any], origins: list[Origin], loc: tuple[Any, ...]) -> bool:
    """True when the value at ``loc`` came whole from the staffing file (not a later path)."""
    real, _ = _locate(data, loc)
    if real[:1] != ("staffing",):
        return False
    origin = _origin_of(real, origins)
    return origin is not None and origin.loc == ("staffing",) and origin.source == ("staffing",)


def _node_line(node: Any) -> int | None:
    lc = getattr(node, "lc", None)
    line = getattr(lc, "line", None)
    return int(line) + 1 if line is not None else None


def _override_problem(
    source: str,
    node: Any,
    prefix: tuple[str | int, ...],
    data: Mapping[str, Any],
    origins: list[Origin],
    loc: tuple[Any, ...],
    message: str,
    fallback: int | None,
) -> Problem:
    real, _ = _locate(data, loc)  # drops pydantic's union tags
    origin = _origin_of(real, origins)
    if origin is None:
        where = format_loc(real) or "(top level)"
        return Problem(
            source,
            format_loc(prefix),
            fallback,
            f"in the resolved scenario, {where}: {message}",
        )
    rest = real[len(origin.loc) :] if real[: len(origin.loc)] == origin.loc else ()
    in_file, line = _locate(node, (*origin.source, *rest))
    key_path = format_loc((*prefix, *in_file)) if in_file else format_loc(prefix)
    if len(origin.source) == 1 and str(origin.source[0]) != format_loc(origin.loc):
        # A path key with a selector: say which concrete place it set.
        message = f"(at {format_loc(real)}) {message}"
    return Problem(source, key_path, line or fallback, message)


def _origin_of(loc: tuple[str | int, ...], origins: list[Origin]) -> Origin | None:
    """The override that set ``loc`` or a parent of it; else one that set a child of it."""
    best: Origin | None = None
    for origin in origins:
        n = len(origin.loc)
        if loc[:n] == origin.loc and (best is None or n > len(best.loc)):
            best = origin
    if best is not None:
        return best
    for origin in origins:
        if origin.loc[: len(loc)] == loc and loc:
            return origin
    return None
