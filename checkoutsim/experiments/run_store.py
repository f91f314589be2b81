"""A folder of finished replications, one file each, so that long experiments lose nothing.

Layout under the store's root::

    <scenario key>/scenario.json          the resolved scenario (written once)
    <scenario key>/seed<S>_rep<R>.npz     one finished replication: every RunColumns array

The scenario key is a hash of the resolved scenario's JSON (without its ``name`` and
``description``, which do not change a result) and the checkoutsim version, so a file stands for
exactly one (scenario, seed, replication) and a rerun, another sweep or a renamed point reuses it.
Every file is written to a temporary name and renamed into place after ``fsync``
(:func:`checkoutsim.results.folder.atomic_write`): a file under a real name is complete; an
interrupted write leaves only a hidden ``.*.tmp`` file, which :meth:`RunStore.remove_temporaries`
deletes. If the model code changes without a version bump, delete the store.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np

from checkoutsim.model.recorder import RunColumns
from checkoutsim.results.folder import (
    LOCK,
    atomic_write,
    atomic_write_text,
    exclusive_lock,
    remove_temporaries,
)
from checkoutsim.scenario.schema import Scenario

__all__ = ["CorruptDayError", "RunStore", "StoreLockedError", "StoredDayWarning", "scenario_key"]

_PARTS = ("customers", "assists", "timeseries", "faults")


def scenario_key(scenario: Scenario) -> str:
    """A 16-hex-digit hash of everything in ``scenario`` that can change a result."""
    from checkoutsim._version import __version__

    data = scenario.to_dict()
    data.pop("name", None)
    data.pop("description", None)
    data.pop("targets", None)  # judged afterwards; they never change a simulated day
    text = json.dumps({"checkoutsim": __version__, "scenario": data}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class StoreLockedError(RuntimeError):
    """Another process is writing to the same store."""


class CorruptDayError(ValueError):
    """A stored day cannot be read back (truncated, empty, or not a stored day at all)."""


class StoredDayWarning(UserWarning):
    """A stored day was unreadable, set aside, and will be simulated again."""


# What reading a damaged .npz can raise: a truncated zip, an empty file (EOFError), a member
# that does not decompress, missing or malformed members, a file that is not a zip at all.
_UNREADABLE = (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, TypeError)


class RunStore:
    """Finished replications on disk, keyed by (scenario key, seed, replication).

    Parameters
    ----------
    root : Path
        The store's folder (created when first written).
    """

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, key: str, seed: int, rep: int) -> Path:
        """Where replication ``rep`` of scenario ``key`` with root seed ``seed`` lives."""
        return self.root / key / f"seed{seed}_rep{rep}.npz"

    def has(self, key: str, seed: int, rep: int) -> bool:
        """Whether that replication is stored (a file under its real name is complete)."""
        return self.path(key, seed, rep).is_file()

    def save_scenario(self, key: str, scenario: Scenario) -> None:
        """Record the resolved scenario behind ``key`` (once)."""
        path = self.root / key / "scenario.json"
        if not path.is_file():
            atomic_write_text(path, json.dumps(scenario.to_dict(), indent=2) + "\n")

    def save(self, key: str, seed: int, rep: int, columns: RunColumns) -> Path:
        """Store one finished replication atomically; return its path."""
        arrays = {f"{part}/{name}": a for part in _PARTS for name, a in _part(columns, part)}
        meta = json.dumps({"key": key, "seed": seed, "rep": rep, "end_min": columns.end_min})
        arrays["meta"] = np.array(meta)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
        data = buffer.getvalue()

        def write(handle: IO[bytes]) -> None:
            handle.write(data)

        path = self.path(key, seed, rep)
        atomic_write(path, write)
        return path

    def load(self, key: str, seed: int, rep: int) -> RunColumns:
        """Read a stored replication back, exactly as it was produced.

        Raises
        ------
        CorruptDayError
            If the file cannot be read back as that replication.
        """
        path = self.path(key, seed, rep)
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                if (meta["key"], meta["seed"], meta["rep"]) != (key, seed, rep):
                    raise CorruptDayError(f"{path} holds {meta}, not ({key}, {seed}, {rep})")
                parts: dict[str, dict[str, np.ndarray]] = {part: {} for part in _PARTS}
                for name in z.files:
                    if name == "meta":
                        continue
                    part, column = name.split("/", 1)
                    parts[part][column] = z[name]
                end_min = float(meta["end_min"])
        except CorruptDayError:
            raise
        except _UNREADABLE as exc:
            reason = str(exc) or type(exc).__name__
            raise CorruptDayError(f"{path} cannot be read back ({reason})") from None
        return RunColumns(
            customers=parts["customers"],
            assists=parts["assists"],
            timeseries=parts["timeseries"],
            end_min=end_min,
            faults=parts["faults"],
        )

    def load_or_set_aside(self, key: str, seed: int, rep: int) -> RunColumns | None:
        """The stored replication, or None if it is unreadable.

        An unreadable file is renamed to ``<name>.corrupt`` beside it (kept for a look, never
        read again) and a :class:`StoredDayWarning` names it, so the caller simulates that day
        again instead of failing.
        """
        try:
            return self.load(key, seed, rep)
        except CorruptDayError as exc:
            path = self.path(key, seed, rep)
            aside = path.with_name(path.name + ".corrupt")
            with contextlib.suppress(OSError):
                os.replace(path, aside)
            warnings.warn(
                f"{exc}; set aside as {aside.name}, that day is simulated again",
                StoredDayWarning,
                stacklevel=2,
            )
            return None

    def remove_temporaries(self) -> int:
        """Delete leftovers of interrupted writes (hidden ``.*.tmp`` files); return how many."""
        return remove_temporaries(self.root)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold an exclusive lock on the store for the ``with`` block.

        Raises
        ------
        StoreLockedError
            If another process holds it (two sweeps writing into one folder).
        """
        self.root.mkdir(parents=True, exist_ok=True)
        busy = StoreLockedError(
            f"another process is writing to {self.root} (its lock is held); wait for "
            "it to finish or use another output folder"
        )
        with exclusive_lock(self.root / LOCK, lambda: busy):
            yield


def _part(columns: RunColumns, part: str) -> list[tuple[str, np.ndarray]]:
    table: dict[str, np.ndarray] = getattr(columns, part)
    return list(table.items())
