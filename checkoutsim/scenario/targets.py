"""Service targets, ``METRIC<=VALUE`` or ``METRIC>=VALUE``: their syntax and their metric names.

A target is one per-replication metric (a name from :mod:`checkoutsim.scenario.metrics`), a
direction and a value in the metric's own unit (minutes for ``wait_p90_min``, CSAT points for
``csat_mean``). Scenario files list them under ``targets:``; ``run --target`` and
``optimize --target`` take the same text. How a target is judged on simulated days is in
:mod:`checkoutsim.results.targets`.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Literal

from checkoutsim.scenario.metrics import DIRECTIONS, known_metric

__all__ = ["ALIASES", "Target", "check_known", "parse_target"]

_TARGET_RE = re.compile(
    r"^\s*(?P<metric>[A-Za-z][A-Za-z0-9_]*)\s*(?P<op><=|>=)\s*(?P<value>\S+)\s*$"
)

ALIASES = {"csat": "csat_mean", "ces": "ces_mean"}
"""Short names accepted on the command line for the experience means."""


@dataclass(frozen=True)
class Target:
    """``metric op value``: a service level the plan must reach.

    Attributes
    ----------
    metric : str
        Per-replication metric name (e.g. ``wait_p90_min``, minutes).
    op : {"<=", ">="}
        Whether the metric must stay at most or at least ``value``.
    value : float
        Threshold, in the metric's unit.
    """

    metric: str
    op: Literal["<=", ">="]
    value: float

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.value:g}"

    def with_value(self, value: float) -> Target:
        """The same target with another threshold."""
        return Target(self.metric, self.op, float(value))

    @property
    def scale(self) -> float:
        """Divisor that makes shortfalls of different metrics comparable (relative units)."""
        return abs(self.value) if self.value != 0 else 1.0

    def meets(self, value: float) -> bool:
        """Whether ``value`` is on the target's side of its threshold (the threshold included)."""
        return value <= self.value if self.op == "<=" else value >= self.value


def parse_target(text: str) -> Target:
    """Read ``METRIC<=VALUE`` or ``METRIC>=VALUE`` (``wait_p90_min<=4``, ``csat>=4.0``).

    Raises
    ------
    ValueError
        On bad syntax or a value that is not a finite number.
    """
    match = _TARGET_RE.match(text)
    if match is None:
        raise ValueError(
            f"expected METRIC<=VALUE or METRIC>=VALUE (e.g. 'wait_p90_min<=4'), got {text!r}"
        )
    try:
        value = float(match["value"])
    except ValueError:
        raise ValueError(f"value {match['value']!r} in {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"value in {text!r} must be a finite number")
    metric = ALIASES.get(match["metric"], match["metric"])
    op: Literal["<=", ">="] = "<=" if match["op"] == "<=" else ">="
    return Target(metric, op, value)


def check_known(target: Target) -> Target:
    """``target`` if a run reports its metric, else ValueError listing the metric names."""
    if not known_metric(target.metric):
        close = difflib.get_close_matches(target.metric, list(DIRECTIONS), n=3)
        hint = (
            f"did you mean {' or '.join(close)}?"
            if close
            else f"metrics: {', '.join(sorted(DIRECTIONS))}"
        )
        raise ValueError(f"unknown metric {target.metric!r} in target {target}; {hint}")
    return target
