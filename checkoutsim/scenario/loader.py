"""Load scenario files with errors that name the file, the key path and the line.

YAML is read with ruamel.yaml (YAML 1.2: ``10:30`` stays a string, ``no`` stays a string) and
duplicate keys are an error. Every problem becomes a :class:`ScenarioError` whose message reads::

    scenarios/weekday.yaml:42: staffing[2].cashiers: expected a whole number >= 0, got -1
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from checkoutsim.scenario.schema import ConsistencyError, Scenario, _dotted

__all__ = [
    "Problem",
    "ScenarioError",
    "dump_scenario_yaml",
    "load_scenario",
    "load_yaml_mapping",
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


def load_yaml_mapping(path: str | Path) -> tuple[CommentedMap, str]:
    """Read a YAML file whose top level must be a mapping.

    Returns
    -------
    (CommentedMap, str)
        The parsed document (with line marks) and the source name used in messages.
    """
    source = str(path)
    p = Path(path)
    if not p.exists():
        raise ScenarioError([Problem(source, "", None, "file not found")])
    if p.is_dir():
        raise ScenarioError([Problem(source, "", None, "is a directory, expected a YAML file")])
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(source, "", None, f"cannot be read: {exc}")]) from None
    return parse_yaml_mapping(text, source), source


def parse_yaml_mapping(text: str, source: str) -> CommentedMap:
    """Parse YAML text whose top level must be a mapping (see :func:`load_yaml_mapping`)."""
    if not text.strip():
        raise ScenarioError([Problem(source, "", 1, "the file is empty; expected a scenario")])
    try:
        data = _yaml().load(io.StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        if "duplicate key" in str(exc):
            what = "duplicate key (each key may appear only once in a mapping)"
        raise ScenarioError([Problem(source, "", line, f"malformed YAML: {what}")]) from None
    except YAMLError as exc:
        raise ScenarioError([Problem(source, "", None, f"malformed YAML: {exc}")]) from None
    if data is None:
        raise ScenarioError([Problem(source, "", 1, "the file holds no data; expected a scenario")])
    if not isinstance(data, CommentedMap):
        kind = type(data).__name__
        raise ScenarioError(
            [Problem(source, "", 1, f"the top level must be a mapping of keys, got {kind}")]
        )
    return data


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        A YAML scenario file.

    Returns
    -------
    Scenario
        The validated, frozen scenario.

    Raises
    ------
    ScenarioError
        With every problem found, each naming the file, key path and line.
    """
    data, source = load_yaml_mapping(path)
    return scenario_from_mapping(data, source)


def scenario_from_mapping(data: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate plain data (or a ruamel mapping with line marks) into a :class:`Scenario`."""
    try:
        return Scenario.model_validate(to_plain(data))
    except ValidationError as exc:
        raise ScenarioError(list(_problems(exc, data, source))) from None


def to_plain(node: Any) -> Any:
    """Convert ruamel containers to plain dicts/lists (so pydantic strict mode accepts them)."""
    if isinstance(node, Mapping):
        return {str(k) if not isinstance(k, str) else k: to_plain(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [to_plain(v) for v in node]
    return node


def _problems(exc: ValidationError, data: Mapping[str, Any], source: str) -> Iterator[Problem]:
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        inner = (err.get("ctx") or {}).get("error")
        if isinstance(inner, ConsistencyError):
            for sub_loc, msg in inner.problems:
                full = loc + tuple(sub_loc)
                yield _problem(source, data, full, msg)
            continue
        yield _problem(source, data, loc, _describe(err))


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
        elif isinstance(node, Mapping) and isinstance(part, str) and part not in _UNION_TAGS:
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
