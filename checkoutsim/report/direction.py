"""Better and worse, drawn the same way everywhere: marks, terminal styles, HTML classes, colours.

Which way is better for a metric is in :mod:`checkoutsim.scenario.metrics`; this module only
says how the report layer shows it. Colour is never the only carrier: a label carries an arrow
(``↓`` lower is better, ``↑`` higher is better) and a difference carries a word (better, worse),
so a black-and-white print or a colour-blind reader loses nothing.
"""

from __future__ import annotations

from typing import NamedTuple

from checkoutsim.scenario.metrics import Effect, direction, effect

__all__ = [
    "CSS",
    "DIRECTION_NOTE",
    "EFFECT_COLOURS",
    "EFFECT_STYLES",
    "STATUS_STYLES",
    "Styled",
    "css_class",
    "directed",
    "effect",
    "effect_word",
    "mark",
]

_MARKS = {"lower": "↓", "higher": "↑", "neutral": ""}

DIRECTION_NOTE = "↓ lower is better, ↑ higher is better"
"""The legend of :func:`mark`, for captions."""

EFFECT_STYLES: dict[str, str] = {
    "better": "bold green",
    "worse": "bold red",
    "neutral": "bold",
    "unclear": "",
}
"""Rich styles of a difference's effect (:func:`checkoutsim.scenario.metrics.effect`)."""

STATUS_STYLES: dict[str, str] = {
    "met": "green",
    "breached": "bold red",
    "cannot tell": "yellow",
    "no data": "dim",
}
"""Rich styles of a target's status (:mod:`checkoutsim.results.verdict`)."""

EFFECT_COLOURS: dict[str, str] = {
    "better": "#009E73",  # Okabe-Ito bluish green
    "worse": "#D55E00",  # Okabe-Ito vermillion
    "neutral": "#4D4D4D",
    "unclear": "#999999",
}
"""Figure colours of a difference's effect (colour-blind safe pair)."""

CSS = """
.better, .met { color: #007a58; font-weight: 600; }
.worse, .breached { color: #b33c00; font-weight: 600; }
.unclear { color: #666; } .cannot-tell { color: #8a6500; font-weight: 600; }
.no-data { color: #999; }
"""
"""Classes of :class:`Styled` cells in the HTML report (same hues as the figures)."""


class Styled(NamedTuple):
    """A table cell's text and the CSS class it is shown with (``better``, ``breached``...)."""

    text: str
    css_class: str

    def __str__(self) -> str:
        return self.text


def css_class(word: str) -> str:
    """``cannot tell`` -> ``cannot-tell``: a status or effect as a CSS class."""
    return word.replace(" ", "-")


def mark(metric: str) -> str:
    """``↓``, ``↑`` or ``""``: which way is better for ``metric``."""
    return _MARKS[direction(metric)]


def directed(label: str, metric: str) -> str:
    """``label`` followed by the metric's arrow (unchanged for a metric with no better side)."""
    arrow = mark(metric)
    return f"{label} {arrow}" if arrow else label


def effect_word(kind: Effect) -> str:
    """A difference's effect in words: better, worse, differs, or blank when unclear."""
    return {"better": "better", "worse": "worse", "neutral": "differs", "unclear": ""}[kind]
