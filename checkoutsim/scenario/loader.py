"""Load scenario files with errors that name the file, the key path and the line.

YAML is read with ruamel.yaml (YAML 1.2: ``10:30`` stays a string, ``no`` stays a string) and
duplicate keys are an error. Every problem becomes a :class:`ScenarioError` whose message reads::

    scenarios/weekday.yaml:42: staffing[2].cashiers: expected a whole number >= 0, got -1

Before a document is built, its YAML events are screened so that no input, however hostile,
costs more than a few seconds or a few megabytes: the file size, the nesting depth, the number
of aliases, how deeply aliases nest and the size of the document once aliases are expanded are
all bounded (see :data:`LIMITS`; the "billion laughs" file is refused in milliseconds), and
every explicit YAML tag (``!!str``, ``!!python/object/...``, ``!custom``) is refused, so what a
file means never depends on tags and no tag can ever construct a Python object. Plan and sweep
files are read through the same :func:`load_yaml_mapping` and get the same limits.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    NodeEvent,
    ScalarEvent,
)
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from checkoutsim.scenario.schema import (
    NAME_RULE,
    ConsistencyError,
    Scenario,
    StaffingFile,
    _dotted,
    cross_field_problems,
)
from checkoutsim.scenario.staffing_file import (
    COLUMNS,
    StaffingFileError,
    StaffingTable,
    is_reference,
    read_staffing_table,
)

__all__ = [
    "LIMITS",
    "InputLimits",
    "Problem",
    "ScenarioError",
    "dump_scenario_yaml",
    "load_scenario",
    "load_yaml_mapping",
    "parse_yaml_mapping",
    "scenario_from_mapping",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file."""

    source: str
    key_path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return (
            f"{where}: {self.key_path}: {self.message}"
            if self.key_path
            else f"{where}: {self.message}"
        )


class ScenarioError(ValueError):
    """A scenario file or mapping that cannot be used, with every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


@dataclass(frozen=True)
class InputLimits:
    """Bounds on a YAML input file, checked before its document is built.

    The shipped scenario, plan and sweep files are at most 4.3 KB, 5 levels deep and 360 nodes,
    with no aliases; every bound leaves a margin of 4 to 60 times over them while keeping the
    worst accepted file to a few seconds of parsing (ruamel.yaml reads about 100 KB a second).

    Attributes
    ----------
    max_bytes : int
        Largest file, in bytes (256 KiB: about 60 times the largest shipped file; room for an
        empirical distribution of tens of thousands of measured values).
    max_depth : int
        Deepest nesting of mappings and lists, aliases expanded (the schema needs 6).
    max_nodes : int
        Most scalars, mappings and lists once aliases are expanded (the shipped files hold at
        most 360).
    max_aliases : int
        Most aliases (``*name``) in one file (the shipped files use none).
    max_alias_depth : int
        Deepest chain of an alias to a node holding an alias to a node holding an alias...
        (one level is what reusing a distribution needs; "billion laughs" needs many).
    max_number_chars : int
        Longest unquoted number (a 64-bit seed has 19 digits); longer ones would make Python's
        integer conversion refuse or spend quadratic time.
    """

    max_bytes: int = 256 * 1024
    max_depth: int = 20
    max_nodes: int = 100_000
    max_aliases: int = 100
    max_alias_depth: int = 5
    max_number_chars: int = 100


LIMITS = InputLimits()
"""The bounds every scenario, plan and sweep file is read with."""


def load_yaml_mapping(path: str | Path, *, comments: bool = True) -> tuple[CommentedMap, str]:
    """Read a YAML file whose top level must be a mapping.

    The file is screened against :data:`LIMITS` (size, depth, aliases) and refused if it
    holds a YAML tag, before any document is built.

    Parameters
    ----------
    path : str or Path
        The file.
    comments : bool
        Keep the file's comments on the document, to write it back with them (ruamel's own
        parser). ``False`` reads about four times faster where libyaml can read the file
        (:mod:`checkoutsim.scenario.fast_yaml`); the document is otherwise the same, line
        marks included, and so is every error message.

    Returns
    -------
    (CommentedMap, str)
        The parsed document (with line marks) and the source name used in messages.

    Raises
    ------
    ScenarioError
        If the file is missing, unreadable, too large, malformed or refused by the screening.
    """
    source = str(path)
    p = Path(path)
    if not p.exists():
        raise ScenarioError([Problem(source, "", None, "file not found")])
    if p.is_dir():
        raise ScenarioError([Problem(source, "", None, "is a directory, expected a YAML file")])
    try:
        # Read at most one byte more than allowed: /dev/zero or a huge file stops here.
        with p.open("rb") as handle:
            raw = handle.read(LIMITS.max_bytes + 1)
    except OSError as exc:
        raise ScenarioError([Problem(source, "", None, f"cannot be read: {exc}")]) from None
    if len(raw) > LIMITS.max_bytes:
        raise ScenarioError([_too_large(source)])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem(source, "", None, f"cannot be read: {exc}")]) from None
    return parse_yaml_mapping(text, source, comments=comments), source


def _too_large(source: str) -> Problem:
    return Problem(
        source,
        "",
        None,
        f"the file is larger than {LIMITS.max_bytes:,} bytes ({LIMITS.max_bytes // 1024} KiB); "
        "a scenario, plan or sweep file is a few KB (the shipped ones are at most 4.3 KB)",
    )


def parse_yaml_mapping(text: str, source: str, *, comments: bool = True) -> CommentedMap:
    """Parse YAML text whose top level must be a mapping (see :func:`load_yaml_mapping`)."""
    if len(text) > LIMITS.max_bytes:
        raise ScenarioError([_too_large(source)])
    if not text.strip():
        raise ScenarioError([Problem(source, "", 1, "the file is empty; expected a scenario")])
    try:
        data = _FULL_PARSE if comments else _fast_load(text, source)
        if data is _FULL_PARSE:
            _screen(text, source)
            data = _yaml().load(io.StringIO(text))
    except ScenarioError:
        raise
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        if "duplicate key" in str(exc):
            what = "duplicate key (each key may appear only once in a mapping)"
        raise ScenarioError([Problem(source, "", line, f"malformed YAML: {what}")]) from None
    except YAMLError as exc:
        raise ScenarioError([Problem(source, "", None, f"malformed YAML: {exc}")]) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        # A backstop: the screening should stop every such input first.
        raise ScenarioError(
            [Problem(source, "", None, f"cannot be parsed: {type(exc).__name__}: {exc}")]
        ) from None
    if data is None:
        raise ScenarioError([Problem(source, "", 1, "the file holds no data; expected a scenario")])
    if not isinstance(data, CommentedMap):
        kind = type(data).__name__
        raise ScenarioError(
            [Problem(source, "", 1, f"the top level must be a mapping of keys, got {kind}")]
        )
    return data


@dataclass
class _Open:
    """A mapping or list being screened: its anchor and what it holds, aliases expanded."""

    anchor: str | None
    nodes: int = 1
    height: int = 1
    alias_depth: int = 0


@dataclass(frozen=True)
class _Anchored:
    nodes: int
    height: int
    alias_depth: int


_NUMBER_LIKE = re.compile(r"[-+]?\.?[0-9]")


_FULL_PARSE = object()
"""What :func:`_fast_load` returns when the text must go through ruamel's own parser."""


def _fast_load(text: str, source: str) -> Any:
    """The document of ``text`` read by libyaml, or :data:`_FULL_PARSE`.

    The same document as the full parse (ruamel's composer and constructor build it from the
    same events, screened by the same rules; :mod:`checkoutsim.scenario.fast_yaml`), in a
    quarter of the time. Whatever the fast reader does not take or finds wrong, including every
    screening refusal, is read again by the full parse, so every message is worded as before.
    """
    from checkoutsim.scenario.fast_yaml import compose, libyaml_events

    events = libyaml_events(text)
    if events is None:
        return _FULL_PARSE
    try:
        _screen_events(events, source)
        return compose(events, _yaml())
    except Exception:  # reported by the full parse, in its words
        return _FULL_PARSE


def _screen(text: str, source: str) -> None:
    """Walk the YAML events of ``text`` and refuse what :data:`LIMITS` and the tag rule forbid.

    Runs on the event stream (ruamel's parser is iterative, not recursive), before any
    document is built, so neither deep nesting nor alias expansion can cost more than the
    events themselves.

    Raises
    ------
    ScenarioError
        At the line of the first event that breaks a rule.
    """
    _screen_events(_yaml().parse(io.StringIO(text)), source)


def _screen_events(events: Iterable[Event], source: str) -> None:
    """:func:`_screen` on YAML events (ruamel's, from either parser)."""
    stack: list[_Open] = []
    anchors: dict[str, _Anchored] = {}
    total = 0
    aliases = 0

    def refuse(event: Event, message: str) -> ScenarioError:
        mark = event.start_mark
        line = mark.line + 1 if mark is not None else None
        return ScenarioError([Problem(source, "", line, message)])

    def add(event: Event, nodes: int, height: int, alias_depth: int, new: int) -> None:
        # ``new`` values not counted yet: a finished mapping's or list's were counted as
        # they came; an alias counts the whole expansion it stands for.
        nonlocal total
        total += new
        if total > LIMITS.max_nodes:
            raise refuse(
                event,
                f"the document holds more than {LIMITS.max_nodes:,} values once aliases are "
                "expanded; a scenario holds a few hundred",
            )
        if len(stack) + height > LIMITS.max_depth:
            raise refuse(
                event,
                f"nested more than {LIMITS.max_depth} levels deep (aliases expanded); a "
                "scenario needs at most 6",
            )
        if stack:
            parent = stack[-1]
            parent.nodes += nodes
            parent.height = max(parent.height, height + 1)
            parent.alias_depth = max(parent.alias_depth, alias_depth)

    for event in events:
        if isinstance(event, DocumentStartEvent):
            version = getattr(event, "version", None)
            if version is not None and tuple(version) != (1, 2):
                raise refuse(
                    event,
                    f"%YAML {'.'.join(str(v) for v in version)} directive: scenario files are "
                    "read as YAML 1.2; remove the directive",
                )
            continue
        if isinstance(event, NodeEvent) and not isinstance(event, AliasEvent):
            tag = getattr(event, "tag", None)
            if tag is not None:
                raise refuse(event, _tag_message(str(tag)))
        if isinstance(event, ScalarEvent):
            value = event.value
            if (
                event.style is None
                and len(value) > LIMITS.max_number_chars
                and _NUMBER_LIKE.match(value)
            ):
                raise refuse(
                    event,
                    f"a number of {len(value):,} characters; numbers may have at most "
                    f"{LIMITS.max_number_chars} (quote it if it is text)",
                )
            add(event, 1, 0, 0, 1)
            if event.anchor is not None:
                anchors[event.anchor] = _Anchored(1, 0, 0)
        elif isinstance(event, AliasEvent):
            aliases += 1
            if aliases > LIMITS.max_aliases:
                raise refuse(
                    event,
                    f"more than {LIMITS.max_aliases} aliases (*name); write the values out or "
                    "use fewer aliases",
                )
            target = anchors.get(str(event.anchor))
            if target is None:
                raise refuse(
                    event,
                    f"alias *{event.anchor} refers to an anchor that is not defined before it "
                    "or to a mapping or list that contains the alias itself",
                )
            if target.alias_depth + 1 > LIMITS.max_alias_depth:
                raise refuse(
                    event,
                    f"aliases nest more than {LIMITS.max_alias_depth} levels deep (an alias "
                    "to a node holding aliases to nodes holding aliases...)",
                )
            add(event, target.nodes, target.height, target.alias_depth + 1, target.nodes)
        elif isinstance(event, CollectionStartEvent):
            stack.append(_Open(event.anchor))
            total += 1
            if len(stack) > LIMITS.max_depth:
                raise refuse(
                    event,
                    f"nested more than {LIMITS.max_depth} levels deep; a scenario needs at most 6",
                )
        elif isinstance(event, CollectionEndEvent) and stack:
            done = stack.pop()
            add(event, done.nodes, done.height, done.alias_depth, 0)
            if done.anchor is not None:
                anchors[done.anchor] = _Anchored(done.nodes, done.height, done.alias_depth)


def _tag_message(tag: str) -> str:
    shown = "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml") else tag
    return (
        f"YAML tag {shown!r}: tags are not allowed in scenario, plan or sweep files (they "
        'would change what a value means); write the plain value, quoting text (e.g. "10:30")'
    )


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        A YAML scenario file. Its ``staffing`` may be ``{from: FILE}``, a CSV file or a
        workbook sheet relative to the scenario file
        (:mod:`checkoutsim.scenario.staffing_file`).

    Returns
    -------
    Scenario
        The validated, frozen scenario.

    Raises
    ------
    ScenarioError
        With every problem found, each naming the file, key path and line.
    """
    data, source = load_yaml_mapping(path, comments=False)
    return scenario_from_mapping(data, source, Path(path).parent)


def scenario_from_mapping(
    data: Mapping[str, Any], source: str = "<scenario>", directory: str | Path | None = None
) -> Scenario:
    """Validate plain data (or a ruamel mapping with line marks) into a :class:`Scenario`.

    Parameters
    ----------
    data : mapping
        The scenario as read from a file, or plain data.
    source : str
        How messages name the file.
    directory : str or Path, optional
        Where a staffing file (``staffing: {from: ...}``) is looked for: the scenario file's
        folder. Default: the folder of ``source`` when it is a file, else the working folder.
    """
    plain = to_plain(data)
    problems: list[Problem] = []
    table: StaffingTable | None = None
    from_file = isinstance(plain, Mapping) and is_reference(plain.get("staffing"))
    if from_file:
        if directory is None:
            directory = Path(source).parent if Path(source).is_file() else Path()
        table, problems = read_staffing(data, source, Path(directory), ("staffing",))
        if table is not None:
            plain["staffing"] = table.rows
            problems += [Problem(table.source, where, None, msg) for where, msg in table.problems]
    try:
        scenario = Scenario.model_validate(plain)
        errors: list[tuple[tuple[Any, ...], str]] = []
    except ValidationError as exc:
        # The schema error stopped pydantic before the cross-field checks: run those on the
        # parts that are valid, so one run reports every problem.
        errors = [*validation_errors(exc), *cross_field_problems(plain)]
    if not errors and not problems:
        return scenario
    for loc, msg in errors:
        if from_file and loc[:1] == ("staffing",):
            problem = table_problem(table, loc[1:], msg)
            if problem is not None:
                problems.append(problem)
        else:
            problems.append(_problem(source, data, loc, msg))
    raise ScenarioError(list(dict.fromkeys(problems)))


def read_staffing(
    data: Any, source: str, directory: Path, prefix: tuple[str | int, ...]
) -> tuple[StaffingTable | None, list[Problem]]:
    """Read the staffing file that ``data[prefix]`` (``{from: ..., sheet: ...}``) points at.

    Parameters
    ----------
    data : mapping
        The file's document (a ruamel mapping keeps lines for the messages).
    source : str
        The scenario (or plan, sweep) file, for messages about the reference itself.
    directory : Path
        The folder the path is relative to.
    prefix : tuple
        Where the reference sits in ``data`` (``("staffing",)``, or ``("variants", "lean",
        "staffing")`` in a plan file).

    Returns
    -------
    (StaffingTable or None, list of Problem)
        The table (``None`` when the file could not be read) and the problems of the reference.
    """
    node: Any = data
    for part in prefix:
        node = node[part]
    try:
        reference = StaffingFile.model_validate(to_plain(node))
    except ValidationError as exc:
        return None, [
            _problem(source, data, (*prefix, *loc), msg) for loc, msg in validation_errors(exc)
        ]
    where, line = _locate(data, (*prefix, "from"))
    path = Path(reference.from_)
    resolved = path if path.is_absolute() else directory / path
    try:
        table = read_staffing_table(resolved, str(resolved), reference.sheet, LIMITS.max_bytes)
    except StaffingFileError as exc:
        return None, [Problem(source, _dotted(where), line, f"staffing file {exc}")]
    return table, []


def table_problem(
    table: StaffingTable | None, loc: tuple[Any, ...], message: str
) -> Problem | None:
    """A problem of the staffing list at ``loc`` (``(2, "cashiers")``), located in its file.

    ``None`` when the file could not be read (that was reported) or for a cell of a required
    column the header lacks (reported once, at the header).
    """
    if table is None:
        return None
    parts = [p for p in loc if isinstance(p, int) or p in COLUMNS][:2]
    if (
        len(parts) == 2
        and parts[1] in table.missing_columns
        and message == "required key is missing"
    ):
        return None
    return Problem(table.source, table.where(tuple(parts)), None, message)


def validation_errors(exc: ValidationError) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Each (location, message) of a pydantic error, cross-field problems unpacked."""
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        inner = (err.get("ctx") or {}).get("error")
        if isinstance(inner, ConsistencyError):
            for sub_loc, msg in inner.problems:
                yield loc + tuple(sub_loc), msg
        else:
            yield loc, _describe(err)


def to_plain(node: Any) -> Any:
    """Convert ruamel containers to plain dicts/lists (so pydantic strict mode accepts them)."""
    if isinstance(node, Mapping):
        return {str(k) if not isinstance(k, str) else k: to_plain(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [to_plain(v) for v in node]
    return node


def _problem(source: str, data: Any, loc: tuple[Any, ...], message: str) -> Problem:
    path, line = _locate(data, loc)
    return Problem(source, _dotted(path), line, message)


def _locate(data: Any, loc: tuple[Any, ...]) -> tuple[tuple[str | int, ...], int | None]:
    """Follow ``loc`` through the YAML tree; return the real key path and its line (1-based).

    pydantic adds tags of tagged unions (``lognormal``) and type names to ``loc``; parts that
    are not keys of the data are skipped.
    """
    node = data
    path: list[str | int] = []
    line: int | None = _line_of_node(node)
    for part in loc:
        if isinstance(node, Mapping) and part in node:
            if isinstance(node, CommentedMap):
                with contextlib.suppress(KeyError, TypeError, AttributeError):
                    line = node.lc.key(part)[0] + 1
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            if isinstance(node, CommentedSeq):
                with contextlib.suppress(KeyError, TypeError, AttributeError, IndexError):
                    line = node.lc.item(part)[0] + 1
            path.append(part)
            node = node[part]
        elif (
            isinstance(node, Mapping)
            and isinstance(part, str)
            and part not in _UNION_TAGS
            and not part.startswith("function-")
        ):
            # A missing key: report it under its parent, at the parent's line.
            path.append(part)
            break
    return tuple(path), line


def _line_of_node(node: Any) -> int | None:
    lc = getattr(node, "lc", None)
    if lc is not None and getattr(lc, "line", None) is not None:
        return int(lc.line) + 1
    return None


_UNION_TAGS = {
    "fixed",
    "exponential",
    "lognormal",
    "gamma",
    "triangular",
    "uniform",
    "empirical",
    "int",
    "float",
    "str",
    "list[float]",
    "function-after[_check_time_of_day(), str]",
}


_TYPE_WORDS = {
    "float_type": "a number",
    "int_type": "a whole number",
    "string_type": "a text string",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys",
    "model_type": "a mapping of keys",
    "finite_number": "a finite number",
    "int_from_float": "a whole number",
}


def _describe(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    got = err.get("input")
    shown = _show(got)
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return f"unknown key (not part of the scenario schema; check the spelling), value {shown}"
    if kind in _TYPE_WORDS:
        return f"expected {_TYPE_WORDS[kind]}, got {shown}"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        tag = ctx.get("tag", got)
        return f"unknown distribution kind {tag!r}; expected one of {ctx.get('expected_tags', '')}"
    if kind == "union_tag_not_found":
        return "a distribution needs a 'kind' key (fixed, exponential, lognormal, gamma, ...)"
    if kind == "string_pattern_mismatch":
        return f"expected a name of {NAME_RULE}, got {shown}"
    if kind == "value_error":
        inner = err.get("ctx", {}).get("error")
        return str(inner) if inner is not None else err["msg"]
    return f"{err['msg'][0].lower()}{err['msg'][1:]}, got {shown}"


def _show(value: Any) -> str:
    if isinstance(value, Mapping | list):
        text = repr(to_plain(value))
        return text if len(text) <= 60 else text[:57] + "..."
    return repr(value)


def dump_scenario_yaml(scenario: Scenario) -> str:
    """The scenario as YAML text that :func:`load_scenario` reads back to an equal scenario."""
    buffer = io.StringIO()
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.dump(_quote_times(scenario.to_dict()), buffer)
    return buffer.getvalue()


def _quote_times(node: Any) -> Any:
    """Quote "HH:MM" strings so that YAML 1.1 readers (PyYAML) do not read them as numbers."""
    if isinstance(node, dict):
        return {k: _quote_times(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_quote_times(v) for v in node]
    if isinstance(node, str) and _TIME_LIKE.match(node):
        return DoubleQuotedScalarString(node)
    return node


_TIME_LIKE = re.compile(r"^\d{1,2}:\d{2}$")
