"""Changes to a scenario, as written in plan and sweep files.

An override mapping holds two kinds of keys:

* **scenario keys** with nested mappings, merged key by key into the base scenario (as
  :meth:`Scenario.with_overrides`): ``kiosks: {count: 10}`` changes the kiosk count and
  keeps everything else under ``kiosks``; a list (``staffing``) or any other value replaces
  the original whole;
* **paths** that set one value wherever they point (any key with a ``.`` or ``[``)::

      kiosks.count                          one key
      staffing[2].cashiers                  the third staffing block (0-based; -1 is the last)
      staffing[*].attendants                every staffing block
      staffing[start=16:00].cashiers        the block(s) whose ``start`` is "16:00"
      kiosks.confusion[name=age_check].probability

A path never creates keys: every step must exist in the base scenario (the error lists the
keys or elements that do), so a misspelt path fails before anything runs.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Every",
    "Index",
    "Key",
    "Origin",
    "PathError",
    "Where",
    "apply_overrides",
    "format_loc",
    "is_path",
    "parse_path",
    "set_path",
]

Loc = tuple[str | int, ...]


class PathError(ValueError):
    """A path that is malformed or does not lead anywhere in the base scenario.

    Attributes
    ----------
    path : str
        The path as written.
    detail : str
        What is wrong with it.
    """

    def __init__(self, path: str, detail: str):
        self.path = path
        self.detail = detail
        super().__init__(f"{path}: {detail}")


@dataclass(frozen=True)
class Key:
    """Step into a mapping key."""

    name: str


@dataclass(frozen=True)
class Index:
    """Step into one list element (negative counts from the end)."""

    index: int


@dataclass(frozen=True)
class Every:
    """Step into every list element (``[*]``)."""


@dataclass(frozen=True)
class Where:
    """Step into the list elements whose ``field`` reads ``value`` (``[start=16:00]``)."""

    field: str
    value: str


Step = Key | Index | Every | Where

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_SEGMENT_RE = re.compile(rf"^(?P<name>{_NAME})(?P<selectors>(\[[^\[\]]*\])*)$")
_SELECTOR_RE = re.compile(r"\[([^\[\]]*)\]")
_WHERE_RE = re.compile(rf"^(?P<field>{_NAME})=(?P<value>.+)$")


def is_path(key: object) -> bool:
    """True for an override key written as a path (it holds a ``.`` or a ``[``)."""
    return isinstance(key, str) and ("." in key or "[" in key)


def parse_path(text: str) -> tuple[Step, ...]:
    """Parse ``a.b[2].c[*].d[name=x]`` into steps.

    Raises
    ------
    PathError
        With what is wrong and how paths are written.
    """
    steps: list[Step] = []
    if not text or text.strip() != text:
        raise PathError(text, f"malformed path: {_SYNTAX}")
    for segment in text.split("."):
        match = _SEGMENT_RE.match(segment)
        if match is None:
            raise PathError(text, f"malformed path at {segment!r}: {_SYNTAX}")
        steps.append(Key(match["name"]))
        for selector in _SELECTOR_RE.findall(match["selectors"]):
            steps.append(_selector(selector, text))
    return tuple(steps)


_SYNTAX = (
    "write keys joined by dots, with [N], [*] or [key=value] after a list, "
    "e.g. staffing[*].cashiers or kiosks.count"
)


def _selector(text: str, path: str) -> Step:
    inner = text.strip()
    if inner == "*":
        return Every()
    if re.fullmatch(r"-?\d+", inner):
        return Index(int(inner))
    where = _WHERE_RE.match(inner)
    if where is not None:
        return Where(where["field"], where["value"].strip().strip("\"'"))
    raise PathError(path, f"malformed selector [{text}]: {_SYNTAX}")


def format_loc(loc: Loc) -> str:
    """``("staffing", 2, "cashiers")`` -> ``"staffing[2].cashiers"``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def set_path(data: dict[str, Any], path: str, value: Any) -> list[Loc]:
    """Set ``value`` at every place ``path`` points to in ``data`` (modified in place).

    Returns
    -------
    list of tuple
        The concrete key paths set, e.g. ``[("staffing", 0, "cashiers"), ...]``.

    Raises
    ------
    PathError
        If the path is malformed or a step does not exist in ``data``.
    """
    steps = parse_path(path)
    targets: list[tuple[Any, str | int, Loc]] = []

    def walk(node: Any, rest: tuple[Step, ...], loc: Loc) -> None:
        step, more = rest[0], rest[1:]
        for key in _expand(node, step, loc, path):
            child_loc = (*loc, key)
            if more:
                child = node[key]
                if child is None:
                    raise PathError(
                        path,
                        f"{format_loc(child_loc)} is null in the base scenario, so "
                        "there is nothing under it to set; override the whole "
                        f"{format_loc(child_loc)} mapping instead",
                    )
                walk(child, more, child_loc)
            else:
                targets.append((node, key, child_loc))

    walk(data, steps, ())
    for parent, key, _ in targets:
        parent[key] = copy.deepcopy(value)
    return [loc for _, _, loc in targets]


def _expand(node: Any, step: Step, loc: Loc, path: str) -> list[str | int]:
    here = format_loc(loc) or "the top level"
    if isinstance(step, Key):
        if not isinstance(node, Mapping):
            raise PathError(path, f"{here} is not a mapping, so it has no key {step.name!r}")
        if step.name not in node:
            keys = ", ".join(sorted(str(k) for k in node))
            raise PathError(path, f"no key {step.name!r} under {here} (keys there: {keys})")
        return [step.name]
    if not isinstance(node, list):
        raise PathError(path, f"{here} is not a list, so it takes no [...] selector")
    if isinstance(step, Index):
        if not -len(node) <= step.index < len(node):
            raise PathError(
                path,
                f"index {step.index} is out of range: {here} has {len(node)} "
                f"element(s), 0 to {len(node) - 1}",
            )
        return [step.index % len(node)]
    if isinstance(step, Every):
        if not node:
            raise PathError(path, f"{here} is empty, so [*] selects nothing")
        return list(range(len(node)))
    hits: list[str | int] = [
        i
        for i, item in enumerate(node)
        if isinstance(item, Mapping) and _text(item.get(step.field)) == step.value
    ]
    if not hits:
        seen = sorted(
            {_text(item.get(step.field)) for item in node if isinstance(item, Mapping)} - {""}
        )
        raise PathError(
            path,
            f"no element of {here} has {step.field} = {step.value!r} "
            f"(values there: {', '.join(seen) or 'none'})",
        )
    return hits


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Origin:
    """Which override key set which part of the resolved scenario.

    Attributes
    ----------
    loc : tuple
        Concrete key path in the resolved scenario (``("staffing", 2, "cashiers")``).
    source : tuple
        Key path inside the override mapping that set it (``("staffing[*].cashiers",)`` or
        ``("kiosks", "count")``).
    """

    loc: Loc
    source: Loc


def apply_overrides(
    base: Mapping[str, Any], overrides: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Origin]]:
    """Apply an override mapping (scenario keys and paths) to plain scenario data.

    Parameters
    ----------
    base : mapping
        Plain scenario data (``Scenario.to_dict()``); not modified.
    overrides : mapping
        Plain override data; keys applied in order, so a later key wins.

    Returns
    -------
    (dict, list of Origin)
        The new data (to validate as a scenario) and where each change came from.

    Raises
    ------
    PathError
        For a path key that is malformed or does not exist in ``base``; the message starts
        with the key.
    """
    data = copy.deepcopy(dict(base))
    origins: list[Origin] = []
    for key, value in overrides.items():
        if is_path(key):
            origins += [Origin(loc, (key,)) for loc in set_path(data, key, value)]
        else:
            origins += _merge(data, key, value, (key,))
    return data, origins


def _merge(node: dict[str, Any], key: str, value: Any, loc: Loc) -> list[Origin]:
    current = node.get(key)
    if isinstance(value, Mapping) and isinstance(current, Mapping):
        merged = dict(current)
        origins: list[Origin] = []
        for sub_key, sub_value in value.items():
            origins += _merge(merged, sub_key, sub_value, (*loc, sub_key))
        node[key] = merged
        return origins or [Origin(loc, loc)]
    node[key] = copy.deepcopy(value)
    return [Origin(loc, loc)]
