"""Named random streams: one independent ``numpy.random.Generator`` per source of randomness.

Each stream is derived as ``SeedSequence(seed, spawn_key=(rep, SOURCE_ID))`` with a fixed
integer per source, so:

* replication ``rep`` of a scenario gets the same numbers in any process, worker or order;
* two staffing plans run with the same seed see the same customers (common random numbers):
  the arrival stream, for instance, is consumed only by arrivals, whatever the staffing does.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

__all__ = ["Source", "Streams"]


class Source(IntEnum):
    """Fixed identifiers of random sources. Never renumber: it would change every result."""

    ARRIVALS = 0
    BASKET = 1
    SCAN = 2
    PAYMENT = 3
    PATIENCE = 4
    CONFUSION = 5
    RESOLUTION = 6
    CHOICE = 7
    WALK = 8
    BALKING = 9
    # Post-processing sources (never used by the simulation) start at 100.
    LOYALTY = 100


@dataclass(frozen=True)
class Streams:
    """The generators for one replication.

    Parameters
    ----------
    seed : int
        Root seed of the experiment.
    rep : int
        Replication number (0-based).
    """

    seed: int
    rep: int

    def generator(self, source: Source) -> np.random.Generator:
        """A fresh generator for ``source``; calling twice gives two identical generators."""
        seq = np.random.SeedSequence(self.seed, spawn_key=(self.rep, int(source)))
        return np.random.Generator(np.random.PCG64(seq))
