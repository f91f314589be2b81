"""The package version, in one place: the public ``checkoutsim.__version__`` and every
manifest and report that records which version wrote it."""

__version__ = "0.1.0"
