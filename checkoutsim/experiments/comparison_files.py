"""Writing comparison and sweep results: CSV tables, atomically, ``manifest.json`` last."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from checkoutsim.experiments.compare import ComparisonResult
from checkoutsim.experiments.sweep import SweepResult
from checkoutsim.results.run_files import MANIFEST, atomic_write_text
from checkoutsim.scenario.loader import dump_scenario_yaml

__all__ = ["write_comparison", "write_manifest", "write_sweep"]


def write_manifest(
    out_dir: Path, files: list[Path], command: str | None, fields: Mapping[str, Any]
) -> Path:
    """Write ``manifest.json`` (atomically, after every other file) listing ``files``."""
    from checkoutsim._version import __version__

    manifest = {
        "checkoutsim_version": __version__,
        **fields,
        "command": command if command is not None else " ".join(sys.argv),
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "files": {str(p.relative_to(out_dir)): p.stat().st_size for p in files},
    }
    path = out_dir / MANIFEST
    atomic_write_text(path, json.dumps(manifest, indent=2, default=str) + "\n")
    return path


def write_comparison(
    result: ComparisonResult, out_dir: Path, *, command: str | None = None
) -> list[Path]:
    """Write ``summary.csv``, ``differences.csv``, ``metrics_by_rep.csv``, each plan's
    resolved scenario under ``scenarios/`` and ``manifest.json`` (last) to ``out_dir``.

    Returns
    -------
    list of Path
        Files written, manifest last.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MANIFEST).unlink(missing_ok=True)
    files: list[Path] = []
    for name, frame in [
        ("summary.csv", result.summary),
        ("differences.csv", result.differences),
        ("metrics_by_rep.csv", result.metrics),
    ]:
        atomic_write_text(out_dir / name, frame.to_csv(index=False))
        files.append(out_dir / name)
    for plan, scenario in result.scenarios.items():
        path = out_dir / "scenarios" / f"{plan}.yaml"
        atomic_write_text(path, dump_scenario_yaml(scenario))
        files.append(path)
    fields = {
        "command_name": "compare",
        "base": result.base,
        "plans": result.plans,
        "seed": result.seed,
        "replications": result.replications,
        "level": result.level,
        "bonferroni": result.comparisons,
    }
    files.append(write_manifest(out_dir, files, command, fields))
    return files


def write_sweep(result: SweepResult, out_dir: Path, *, command: str | None = None) -> list[Path]:
    """Write a finished sweep's tables and ``manifest.json`` (last) next to its ``runs/``.

    Files: ``results.csv`` (one row per point: factors, staff hours, metric means and CIs,
    ``pareto``), ``summary.csv`` (long), ``metrics_by_rep.csv`` (long, per replication) and
    ``points.csv`` (point, factors, scenario key: the folder under ``runs/``).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MANIFEST).unlink(missing_ok=True)
    sweep = result.sweep
    points = pd.DataFrame(
        [
            {"point": p.name, **{f: p.factors.get(f) for f in sweep.factors}, "key": p.key}
            for p in sweep.points
        ]
    )
    files: list[Path] = []
    for name, frame in [
        ("results.csv", result.results),
        ("summary.csv", result.summary),
        ("metrics_by_rep.csv", result.metrics),
        ("points.csv", points),
    ]:
        atomic_write_text(out_dir / name, frame.to_csv(index=False))
        files.append(out_dir / name)
    fields = {
        "command_name": "sweep",
        "sweep": sweep.name,
        "source": sweep.source,
        "points": len(sweep.points),
        "factors": sweep.factors,
        "seed": sweep.seed,
        "replications": sweep.replications,
        "pareto": {
            "minimise": result.minimise,
            "maximise": result.maximise,
            "front": result.pareto_points,
        },
        "replications_run": result.ran,
        "replications_reused": result.reused,
    }
    files.append(write_manifest(out_dir, files, command, fields))
    return files
