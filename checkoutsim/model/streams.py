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

__all__ = ["MAX_SEED", "Source", "Streams", "seed_scalar"]

MAX_SEED = 2**64 - 1
"""Largest root seed a result table can hold (an unsigned 64-bit ``seed`` column)."""


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
    NOTICE = 10
    FAULTS = 11
    DEMAND = 12  # the day-level demand multiplier (drawn only when arrivals vary by day)
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


def seed_scalar(seed: int) -> np.int64 | np.uint64:
    """``seed`` as the numpy scalar of a table's ``seed`` column.

    int64 up to 2**63 - 1 (every ordinary seed, so tables keep their dtype) and uint64 from
    2**63 to :data:`MAX_SEED`; ``numpy.random.SeedSequence`` itself takes any non-negative
    integer, but a table column cannot.

    Raises
    ------
    ValueError
        If ``seed`` is negative or above :data:`MAX_SEED`.
    """
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be between 0 and 2**64 - 1, got {seed}")
    return np.int64(seed) if seed < 2**63 else np.uint64(seed)
