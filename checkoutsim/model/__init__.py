"""The model layer: the store as SimPy processes, and :func:`run_replication`.

Pools of cashiers, kiosks and attendants, the customer journey, lane-choice policies, named
random streams and the recorder whose columns are a day's raw result. It imports only the
scenario layer and never touches files.
"""

from checkoutsim.model.population import Population, draw_population
from checkoutsim.model.recorder import CHANNELS, OUTCOMES, RunColumns
from checkoutsim.model.store import StoreModel, run_replication
from checkoutsim.model.streams import Streams

__all__ = [
    "CHANNELS",
    "OUTCOMES",
    "Population",
    "RunColumns",
    "StoreModel",
    "Streams",
    "draw_population",
    "run_replication",
]
