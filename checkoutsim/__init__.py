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

from checkoutsim._version import __version__
from checkoutsim.experiments import ComparisonResult, compare, simulate
from checkoutsim.model import run_replication
from checkoutsim.optimize import OptimizationResult, optimize
from checkoutsim.results import SimulationResult
from checkoutsim.scenario import (
    Scenario,
    ScenarioError,
    load_scenario,
    with_overrides,
    with_staffing,
)

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
