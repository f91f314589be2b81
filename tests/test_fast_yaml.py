"""libyaml's fast reading of a YAML file gives the document ruamel's full parse gives (issue 20).

The loader reads a file through libyaml when it can (checkoutsim/scenario/fast_yaml.py) and
through ruamel's own parser otherwise. Either way the document must be the same, value for
value, type for type and line for line (the lines are what error messages report), and every
error must be worded by the full parse.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from checkoutsim.scenario import fast_yaml, loader

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted([*ROOT.glob("scenarios/**/*.yaml"), *ROOT.glob("checkoutsim/templates/*.yaml")])
# Formatting kept by ruamel's number types (a float's width, precision, sign, exponent).
NUMBER_FORMAT = ("_width", "_prec", "_m_sign", "_m_lead0", "_exp", "_e_width", "_e_sign")


def fast(text: str) -> Any:
    """The document read through libyaml, or ``None`` where the loader would not use it."""
    events = fast_yaml.libyaml_events(text)
    if events is None:
        return None
    try:
        return fast_yaml.compose(events, loader._yaml())
    except Exception:  # the loader reads the text again in full
        return None


def full(text: str) -> Any:
    """The document read by ruamel's own parser, as before issue 20."""
    return loader._yaml().load(io.StringIO(text))


def differences(a: Any, b: Any, path: str = "$") -> list[str]:
    """Where ``a`` and ``b`` differ in value, type or line marks (empty if they do not)."""
    if type(a) is not type(b):
        return [f"{path}: {type(a).__name__} != {type(b).__name__}"]
    found = []
    if isinstance(a, CommentedMap | CommentedSeq) and (
        (a.lc.line, a.lc.col) != (b.lc.line, b.lc.col) or a.lc.data != b.lc.data
    ):
        found.append(
            f"{path}: marks {a.lc.line, a.lc.col, a.lc.data} != {b.lc.line, b.lc.col, b.lc.data}"
        )
    if isinstance(a, dict):
        if list(a) != list(b):
            return [*found, f"{path}: keys {list(a)} != {list(b)}"]
        for key in a:
            found += differences(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        if len(a) != len(b):
            return [*found, f"{path}: {len(a)} items != {len(b)}"]
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found += differences(x, y, f"{path}[{i}]")
    elif repr(a) != repr(b) or any(
        getattr(a, f, None) != getattr(b, f, None) for f in NUMBER_FORMAT
    ):
        found.append(f"{path}: {a!r} != {b!r}")
    return found


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_file_is_read_fast_into_the_same_document(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    document = fast(text)
    assert document is not None, "the fast reader should take every shipped file"
    assert differences(document, full(text)) == []


def test_the_loader_uses_the_fast_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = fast_yaml.compose
    monkeypatch.setattr(fast_yaml, "compose", lambda *a: calls.append(1) or real(*a))
    text = (ROOT / "scenarios" / "weekday.yaml").read_text()
    loader.parse_yaml_mapping(text, "weekday.yaml", comments=False)
    assert calls == [1]
    loader.load_scenario(ROOT / "scenarios" / "weekday.yaml")
    assert calls == [1, 1]


def test_without_libyaml_the_full_parse_reads_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fast_yaml, "_cparser", lambda: None)
    text = (ROOT / "scenarios" / "weekday.yaml").read_text()
    assert fast_yaml.libyaml_events(text) is None
    assert differences(loader.parse_yaml_mapping(text, "w.yaml", comments=False), full(text)) == []


# Texts on which libyaml and ruamel disagree (found by the property test below); the fast
# reader must leave each to the full parse.
DISAGREEMENTS = {
    # An empty value: libyaml marks it after the colon, ruamel on the next line.
    "empty value": "a: 1\nb: # nothing\nc: 2\n",
    "empty list item": "a:\n-\n- 2\n",
    "empty value before an explicit key": "c:\n?  - a:b # c\n",
    # libyaml reads "&c:" as an anchor named "c:"; ruamel refuses the line.
    "anchor": "e: x\n&c: 10:30\n",
    # ruamel refuses a block whose first blank line holds fewer spaces than the next line.
    "spaced blank line in a block": "a: >\n \n     folded\n",
}


@pytest.mark.parametrize("text", DISAGREEMENTS.values(), ids=DISAGREEMENTS.keys())
def test_what_the_two_readers_disagree_on_goes_to_the_full_parse(text: str) -> None:
    assert fast_yaml.libyaml_events(text) is None


def loaded(text: str, monkeypatch: pytest.MonkeyPatch, use_fast: bool) -> tuple[Any, str]:
    """(document, error message) from the loader, with or without the fast reader."""
    with monkeypatch.context() as patch:
        if not use_fast:
            patch.setattr(fast_yaml, "libyaml_events", lambda text: None)
        try:
            return loader.parse_yaml_mapping(text, "f.yaml", comments=False), ""
        except loader.ScenarioError as exc:
            return None, str(exc)


BAD = {
    "tag": "a: !!str 1\n",
    "python tag": "a: !!python/object:os.system x\n",
    "duplicate key": "a: 1\nb: 2\na: 3\n",
    "bad indentation": "a:\n  b: 1\n c: 2\n",
    "tab": "a:\n\tb: 1\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "version directive": "%YAML 1.1\n---\na: 1\n",
    "long number": "seed: " + "9" * 150 + "\n",
    "deep nesting": "a: " + "[" * 25 + "]" * 25 + "\n",
    "unclosed quote": 'a: "open\n',
    "not a mapping": "- a\n- b\n",
    "undefined alias": "a: *nowhere\n",
    "alias bomb": "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: &d [*c, *c]\n"
    "e: &e [*d, *d]\nf: &f [*e, *e]\ng: [*f, *f]\n",
}


@pytest.mark.parametrize("text", BAD.values(), ids=BAD.keys())
def test_every_error_is_worded_by_the_full_parse(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_fast = loaded(text, monkeypatch, use_fast=True)
    without = loaded(text, monkeypatch, use_fast=False)
    assert with_fast[1] and with_fast[1] == without[1]


# -- property: whenever the fast reader takes a text, the full parse reads the same document ----

SCALARS = [
    "a",
    "b c",
    "1",
    "-2",
    "1.5",
    "1e3",
    "1.0e+3",
    "12e03",
    ".5",
    "1.",
    "0.",
    ".inf",
    "-.inf",
    ".nan",
    "0x1F",
    "0o17",
    "017",
    "0b101",
    "1_000",
    "+1",
    "-0.0",
    "08:00",
    "10:30",
    "1:30:00",
    "yes",
    "no",
    "on",
    "null",
    "~",
    "true",
    "True",
    "TRUE",
    "'it''s'",
    '"a\\tb"',
    '"\\u00e9"',
    '"\\/"',
    '"\\x41"',
    "a:b",
    "http://x.y/z",
    "a #b",
    "a#b",
    "[a, b]",
    "{a: 1, b: [2]}",
    "{a:1}",
    "[a:b]",
    "[a: b]",
    "{a, b}",
    "''",
    '""',
    "-",
    "- a",
    "!x",
    "@x",
    "%x",
    "a, b",
    "é",
    "2001-12-14",
    "'multi\n  line'",
    '"multi\n  line"',
    "plain\n  more",
    "[1,\n 2]",
    "{x: 1,\n y: 2}",
    ">\n  folded\n  text\n\n  para\n",
    "|\n  literal\n   indented\n",
    "|-\n  a\n",
    ">+\n  a\n\n",
    ">\n   more\n  less\n",
    '"esc \\" q"',
    "'sq # not'",
    "[]",
    "{}",
]
KEYS = ["a", "b", "key", "open", "1", "'q'", '"d"', "a b", "x:y", "-k", "<<", "null", "é", "k :"]
KEYS += ["[a, b]", "{k: v}", "? a\n", "? [a]\n"]


@st.composite
def documents(draw: st.DrawFn) -> str:
    def node(depth: int, indent: int) -> str:
        kind = draw(st.sampled_from(["scalar"] * 3 + ["mapping", "list"]))
        if depth > 2 or kind == "scalar":
            text = draw(st.sampled_from(SCALARS)).replace("\n", "\n" + " " * (indent + 2))
            return " " + text + draw(st.sampled_from(["", "", " # c"]))
        if kind == "mapping":
            keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3))
            pad = " " * (indent + 2)
            return "".join(f"\n{pad}{k}:{node(depth + 1, indent + 2)}" for k in keys)
        pad = " " * (indent + draw(st.sampled_from([0, 2])))
        count = draw(st.integers(1, 3))
        return "".join(f"\n{pad}-{node(depth + 1, len(pad))}" for _ in range(count))

    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4))
    lines = [f"{k}:{node(0, 0)}\n" + draw(st.sampled_from(["", "", "\n", "# c\n"])) for k in keys]
    text = "".join(lines)
    # One character inserted anywhere, half the time: texts near valid ones.
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(list(":-?[]{},#&*!|>'\" \n"))) + text[at:]
    return text


@given(documents())
def test_a_text_the_fast_reader_takes_reads_the_same_in_full(text: str) -> None:
    document = fast(text)
    if document is not None:
        assert differences(document, full(text)) == []


def test_by_default_a_document_keeps_its_comments(monkeypatch: pytest.MonkeyPatch) -> None:
    # load_yaml_mapping is public: a caller may write the document back, comments and all.
    monkeypatch.setattr(fast_yaml, "compose", lambda *a: pytest.fail("read without comments"))
    document = loader.parse_yaml_mapping("a: 1  # why one\nb: 2\n", "f.yaml")
    assert "why one" in str(document.ca.items["a"])


ODD_CHARACTERS = {
    "tab": "\t",
    "CR": "\r",
    "NEL": "\x85",
    "LS": "\u2028",
    "BOM": "\ufeff",
    "astral": "\U0001f600",
    "DEL": "\x7f",
}


@pytest.mark.parametrize("char", ODD_CHARACTERS.values(), ids=ODD_CHARACTERS.keys())
def test_characters_the_readers_may_treat_differently_go_to_the_full_parse(char: str) -> None:
    text = "a: 'x{}y'\nb: 2{}\n"
    assert fast_yaml.libyaml_events(text.format(char, char)) is None
    assert fast_yaml.libyaml_events(text.format("z", "z")) is not None


def test_printable_text_beyond_ascii_is_read_fast() -> None:
    text = "name: café_été\ndescription: 'Ünïcödé — ∑ ≤ 0.3 s'\n"
    assert differences(fast(text), full(text)) == []
