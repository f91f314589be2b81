"""checkoutsim: discrete-event simulation of a supermarket checkout front end.

Cashier lanes, self-checkout kiosks and the attendants who help kiosk customers, simulated over
a store day under a staffing plan, reporting waits, abandoned carts and utilisation.

Quick start::

    import checkoutsim
    scenario = checkoutsim.load_scenario("scenarios/weekday.yaml")
    result = checkoutsim.simulate(scenario, replications=5, seed=1)
    result.summary()

This file is the public face for users only: modules inside the package import from their
layer's modules (``checkoutsim.scenario.loader``, ...), never from here. The layers and the
import rule are in ``docs/architecture.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from checkoutsim._lazy import lazy_exports
from checkoutsim._version import __version__

if TYPE_CHECKING:
    from checkoutsim.experiments import ComparisonResult, compare, simulate
    from checkoutsim.model import run_replication
    from checkoutsim.planning import OptimizationResult, optimize
    from checkoutsim.results import SimulationResult
    from checkoutsim.scenario import (
        Scenario,
        ScenarioError,
        load_scenario,
        with_overrides,
        with_staffing,
    )

# Each public name and the layer that defines it. They are imported on first use (PEP 562), so
# that ``checkoutsim --help`` does not pay for scipy, pandas and matplotlib before parsing its
# arguments (docs/performance.md).
_PUBLIC = {
    "ComparisonResult": "checkoutsim.experiments",
    "compare": "checkoutsim.experiments",
    "simulate": "checkoutsim.experiments",
    "run_replication": "checkoutsim.model",
    "OptimizationResult": "checkoutsim.planning",
    "optimize": "checkoutsim.planning",
    "SimulationResult": "checkoutsim.results",
    "Scenario": "checkoutsim.scenario",
    "ScenarioError": "checkoutsim.scenario",
    "load_scenario": "checkoutsim.scenario",
    "with_overrides": "checkoutsim.scenario",
    "with_staffing": "checkoutsim.scenario",
}


__getattr__, __dir__ = lazy_exports(__name__, _PUBLIC)


__all__ = [
    "ComparisonResult",
    "OptimizationResult",
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "__version__",
    "compare",
    "load_scenario",
    "optimize",
    "run_replication",
    "simulate",
    "with_overrides",
    "with_staffing",
]
