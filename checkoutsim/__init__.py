"""checkoutsim: discrete-event simulation of a supermarket checkout front end.

Cashier lanes, self-checkout kiosks and the attendants who help kiosk customers, simulated over
a store day under a staffing plan, reporting waits, abandoned carts and utilisation.

Quick start::

    import checkoutsim
    scenario = checkoutsim.load_scenario("scenarios/weekday.yaml")
    result = checkoutsim.simulate(scenario, replications=5, seed=1)
    result.summary()
"""

from checkoutsim.compare import ComparisonResult, compare
from checkoutsim.loader import ScenarioError, load_scenario
from checkoutsim.model import run_replication
from checkoutsim.optimize import OptimizationResult, optimize
from checkoutsim.results import SimulationResult
from checkoutsim.scenario import Scenario
from checkoutsim.simulate import simulate

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
]

__version__ = "0.1.0"
