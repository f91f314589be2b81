"""A fast way to the same YAML document: libyaml's C parser feeding ruamel.yaml's composer.

ruamel.yaml's parser is pure Python and was the largest part of ``checkoutsim validate``
(issue 20). This module reads the events with libyaml (PyYAML's C parser), turns them into
ruamel's events, and :mod:`checkoutsim.scenario.loader` screens them by its usual rules and
has ruamel's own composer, YAML 1.2 resolver and round-trip constructor build the document, so
values, types and line marks are those of the full ruamel parse (tests/test_fast_yaml.py
compares them). Not kept: YAML comments and where a folded block (``>``) was wrapped, which
only writing the document back would use; so the loader reads this way only when told the
comments are not needed (``load_yaml_mapping(path, comments=False)``, as every reader inside
checkoutsim says).

It takes only what both parsers are known to read alike: one document of printable text with
no tab, carriage return, byte-order mark or Unicode line separator; no directive, tag, anchor,
alias or empty value; no literal or folded block in a text with a line of nothing but spaces;
nothing libyaml refuses and nothing ruamel warns about. Anything else, and every error, is left
to the full ruamel parse (``None`` or :class:`UnsureError` below), which words the messages.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml import events as ry
from ruamel.yaml.error import FileMark
from ruamel.yaml.parser import Parser

__all__ = ["UnsureError", "compose", "libyaml_events"]

# Text with other characters than a line feed, printable ASCII and the printable ranges below
# (so with a tab, CR, control character, NEL, LS, PS, BOM, surrogate or astral character) goes
# to the full parse: the YAML 1.1 (libyaml) and 1.2 (ruamel) readers treat some differently.
_ASCII_OTHER = re.compile("[\x00-\x09\x0b-\x1f\x7f]")
_PRINTABLE_BEYOND_ASCII = ((0xA0, 0x2027), (0x202A, 0xD7FF), (0xE000, 0xFEFE), (0xFF00, 0xFFFD))


def _plain_text(text: str) -> bool:
    if _ASCII_OTHER.search(text):
        return False
    return text.isascii() or all(
        any(low <= ord(c) <= high for low, high in _PRINTABLE_BEYOND_ASCII)
        for c in set(text)
        if ord(c) > 0x7E
    )


# A line of nothing but spaces: inside a literal or folded block, ruamel refuses some that
# libyaml reads ("more indented follow up line than first in a block scalar").
_SPACED_BLANK = re.compile(r"^ +$", re.MULTILINE)


def _cparser() -> Any:
    """PyYAML's libyaml parser class, or ``None`` when PyYAML or its C extension is missing."""
    try:
        from yaml._yaml import CParser
    except ImportError:
        return None
    return CParser


def libyaml_events(text: str) -> list[ry.Event] | None:
    """ruamel events of ``text`` read by libyaml; ``None`` if the full parse must read it."""
    if not _plain_text(text):
        return None
    cparser = _cparser()
    if cparser is None:
        return None
    try:
        return _converted(cparser(text), spaced_blank_line=_SPACED_BLANK.search(text) is not None)
    except Exception:  # every libyaml error is worded by the full parse
        return None


def _mark(mark: Any) -> FileMark:
    return FileMark("<file>", mark.index, mark.line, mark.column)


def _converted(parser: Any, spaced_blank_line: bool) -> list[ry.Event] | None:
    """ruamel's events for libyaml's, or ``None`` at the first one the full parse must read.

    Left to the full parse: tags, directives, more than one document, empty values, anchors
    and aliases (the two readers disagree on which characters an anchor name may hold), and
    literal or folded blocks in a text with a line of nothing but spaces (ruamel refuses some
    that libyaml reads).
    """
    out: list[ry.Event] = []
    documents = 0
    try:
        while (event := parser.get_event()) is not None:
            kind = type(event).__name__
            if getattr(event, "anchor", None) is not None or kind == "AliasEvent":
                return None
            start, end = _mark(event.start_mark), _mark(event.end_mark)
            if kind == "ScalarEvent":
                if event.tag is not None or (event.value == "" and not event.style):
                    # An empty value (``key:``): ruamel marks it at the next token, libyaml
                    # where it would have been.
                    return None
                if event.style in ("|", ">") and spaced_blank_line:
                    return None
                out.append(
                    ry.ScalarEvent(
                        None,
                        None,
                        tuple(event.implicit),
                        event.value,
                        start,
                        end,
                        style=event.style or None,
                    )
                )
            elif kind in ("MappingStartEvent", "SequenceStartEvent"):
                if event.tag is not None:
                    return None
                cls = ry.MappingStartEvent if kind == "MappingStartEvent" else ry.SequenceStartEvent
                out.append(cls(None, None, event.implicit, start, end, flow_style=event.flow_style))
            elif kind == "MappingEndEvent":
                out.append(ry.MappingEndEvent(start, end))
            elif kind == "SequenceEndEvent":
                out.append(ry.SequenceEndEvent(start, end))
            elif kind == "DocumentStartEvent":
                documents += 1
                if documents > 1 or event.version is not None or event.tags:
                    return None
                out.append(ry.DocumentStartEvent(start, end, explicit=event.explicit))
            elif kind == "DocumentEndEvent":
                out.append(ry.DocumentEndEvent(start, end, explicit=event.explicit))
            elif kind == "StreamStartEvent":
                out.append(ry.StreamStartEvent(start, end))
            elif kind == "StreamEndEvent":
                out.append(ry.StreamEndEvent(start, end))
            else:
                return None
    finally:
        parser.dispose()
    return out if documents == 1 else None


class _Replay(Parser):
    """A ruamel parser that hands out events read beforehand."""

    def __init__(self, loader: YAML, events: list[ry.Event]):
        self._events = iter(events)
        super().__init__(loader)

    def reset_parser(self) -> None:
        super().reset_parser()
        self.state = self._next

    def _next(self) -> ry.Event | None:
        event = next(self._events, None)
        if event is None or isinstance(event, ry.StreamEndEvent):
            self.state = None
        return event


class UnsureError(Exception):
    """ruamel warned while composing (a reused anchor...): the full parse words the warning."""


def compose(events: list[ry.Event], yaml: YAML) -> Any:
    """The document ``yaml`` (a round-trip loader) builds from ``events``, as ``yaml.load``.

    Raises
    ------
    UnsureError
        If ruamel warned: its warnings name the file as the full parse does only there.
    """
    parser = _Replay(yaml, events)
    yaml._parser = parser  # type: ignore[attr-defined]  # the loader's parser, set by YAML.load
    yaml.tags = {}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            data = yaml.constructor.get_single_data()
    finally:
        parser.dispose()
    if caught:
        raise UnsureError(str(caught[0].message))
    return data
