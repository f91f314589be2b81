"""Changing a scenario from Python: the same override keys and paths that plan files use.

For an analyst in a notebook::

    from checkoutsim.scenario import with_overrides, with_staffing
    evening = with_staffing(weekday, start="16:00", cashiers=6)
    bigger = with_overrides(weekday, {"kiosks.count": 12, "staffing[*].attendants": 2})

Every result is validated like a scenario file (ranges, cross-field checks, the capacity
guard), so a change that makes no sense (25 staffed cashiers on 10 lanes) is refused with a
:class:`~checkoutsim.scenario.loader.ScenarioError` naming the key, never simulated silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checkoutsim.scenario.loader import Problem, ScenarioError
from checkoutsim.scenario.plans import resolve_overrides
from checkoutsim.scenario.schema import Scenario

__all__ = ["with_overrides", "with_staffing"]

_SOURCE = "overrides"  # what messages name instead of a file


def with_overrides(
    scenario: Scenario, overrides: Mapping[str, Any], *, name: str | None = None
) -> Scenario:
    """A new scenario: ``scenario`` with ``overrides`` applied and validated.

    Parameters
    ----------
    scenario : Scenario
        The scenario to start from (not changed).
    overrides : mapping
        Scenario keys that merge (``{"kiosks": {"count": 12}}``) or paths that set one value
        (``{"staffing[start=16:00].cashiers": 6}``, ``staffing[*]`` for every block), exactly
        as in a plan file's variants (docs/experiments.md); applied in order.
    name : str, optional
        Name of the new scenario (default: unchanged, unless the overrides set ``name``).

    Raises
    ------
    ScenarioError
        Each problem, located at the override that caused it.
    """
    return resolve_overrides(scenario, dict(overrides), _SOURCE, (), name=name)


def with_staffing(
    scenario: Scenario,
    *,
    start: str,
    cashiers: int | None = None,
    express_cashiers: int | None = None,
    attendants: int | None = None,
    kiosks: int | None = None,
    name: str | None = None,
) -> Scenario:
    """A new scenario with other staff on duty in the staffing block(s) starting at ``start``.

    Parameters
    ----------
    scenario : Scenario
        The scenario to start from (not changed).
    start : str
        ``"HH:MM"``, the start of an existing staffing block.
    cashiers, express_cashiers, attendants, kiosks : int, optional
        New counts for that block; those not given stay as they are.
    name : str, optional
        Name of the new scenario (default: unchanged).

    Raises
    ------
    ScenarioError
        No block starts at ``start``, nothing to change, or the counts do not fit the store.
    """
    counts = {
        "cashiers": cashiers,
        "express_cashiers": express_cashiers,
        "attendants": attendants,
        "kiosks": kiosks,
    }
    overrides = {f"staffing[start={start}].{k}": v for k, v in counts.items() if v is not None}
    if not overrides:
        raise ScenarioError(
            [Problem(_SOURCE, "staffing", None, "give at least one count to change")]
        )
    return with_overrides(scenario, overrides, name=name)
