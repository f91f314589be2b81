"""Limits the command line states in its options before it loads anything.

They live here, in a module that imports nothing, so ``checkoutsim --help`` can print them
without importing the scenario schema (docs/performance.md); ``scenario.schema`` re-exports
them beside its other limits.
"""

MAX_SEED = 2**63 - 1
"""Largest root seed: a signed 64-bit integer, as result tables and manifests store it."""

MAX_REPLICATIONS = 10_000
"""Most simulated days of one run (the default is 10; a CI of 1% of the standard deviation
needs about 40,000, which precision mode reaches by adding runs, not by one huge one)."""
