"""Writing results: every file atomically, the manifest last.

A results directory is complete when, and only when, its ``manifest.json`` exists: the manifest
is removed before anything is rewritten and written (atomically) after every other file. Each
file is written to a temporary name in the same directory and renamed into place, so an
interrupted run never leaves a half-written file under a real name.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pandas as pd

from checkoutsim.scenario.loader import dump_scenario_yaml
from checkoutsim.results.tables import SimulationResult

__all__ = ["MANIFEST", "atomic_write", "atomic_write_text", "write_results"]

MANIFEST = "manifest.json"


def atomic_write(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write ``path`` through ``write(fileobj)`` into a temporary file, then rename it in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600 files; give results the permissions of any other new file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Atomically write UTF-8 text."""
    data = text.encode("utf-8")

    def write(handle: IO[bytes]) -> None:
        handle.write(data)

    atomic_write(path, write)


def _write_parquet(path: Path, df: pd.DataFrame) -> None:
    atomic_write(path, lambda handle: df.to_parquet(handle, index=False))


def _write_csv(path: Path, df: pd.DataFrame) -> None:
    atomic_write_text(path, df.to_csv(index=False))


def write_results(
    result: SimulationResult,
    out_dir: Path,
    *,
    command: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Write a run's tables, summaries, resolved scenario and manifest to ``out_dir``.

    Returns
    -------
    list of Path
        Files written, manifest last.
    """
    from checkoutsim._version import __version__

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MANIFEST).unlink(missing_ok=True)
    files: list[Path] = []

    def add(name: str, writer: Callable[[Path], None]) -> None:
        path = out_dir / name
        writer(path)
        files.append(path)

    add("customers.parquet", lambda p: _write_parquet(p, result.customers))
    add("assists.parquet", lambda p: _write_parquet(p, result.assists))
    add("timeseries.parquet", lambda p: _write_parquet(p, result.timeseries))
    add("metrics_by_rep.csv", lambda p: _write_csv(p, result.metrics()))
    add("summary.csv", lambda p: _write_csv(p, result.summary()))
    add("summary_by_hour.csv", lambda p: _write_csv(p, result.summary_by_hour()))
    add("root_causes.csv", lambda p: _write_csv(p, result.root_causes()))
    add("root_causes_by_hour.csv", lambda p: _write_csv(p, result.root_causes(by_hour=True)))
    add("costs.csv", lambda p: _write_csv(p, result.costs()))
    add("coupons.csv", lambda p: _write_csv(p, result.coupons))
    add("scenario.yaml", lambda p: atomic_write_text(p, dump_scenario_yaml(result.scenario)))

    manifest = {
        "checkoutsim_version": __version__,
        "scenario": result.scenario.name,
        "seed": result.seed,
        "replications": result.replications,
        "command": command if command is not None else " ".join(sys.argv),
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "files": {p.name: p.stat().st_size for p in files},
        **(dict(extra) if extra else {}),
    }
    manifest_path = out_dir / MANIFEST
    atomic_write_text(manifest_path, json.dumps(manifest, indent=2) + "\n")
    files.append(manifest_path)
    return files
