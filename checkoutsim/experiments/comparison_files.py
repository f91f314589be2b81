"""Writing comparison and sweep results: CSV tables, atomically, ``manifest.json`` last.

The folder rules are :mod:`checkoutsim.results.folder`'s; each writer takes an open folder (the
command line holds it for the whole command) or a path (opened and finished here).
"""

from __future__ import annotations

from pathlib import Path

from checkoutsim.experiments.compare import ComparisonResult
from checkoutsim.experiments.sweep import SweepResult
from checkoutsim.results.folder import ResultsFolder, writing_into, written_by
from checkoutsim.scenario.loader import dump_scenario_yaml

__all__ = ["write_comparison", "write_sweep"]


def write_comparison(
    result: ComparisonResult, out: Path | ResultsFolder, *, command: str | None = None
) -> list[Path]:
    """Write ``summary.csv``, ``differences.csv``, ``metrics_by_rep.csv`` and each plan's
    resolved scenario under ``scenarios/``; describe them in the manifest.

    Returns
    -------
    list of Path
        Files written; with a path for ``out``, the manifest is the last.
    """
    with writing_into(out, command) as folder:
        for name, frame in [
            ("summary.csv", result.summary),
            ("differences.csv", result.differences),
            ("metrics_by_rep.csv", result.metrics),
        ]:
            folder.write_text(name, frame.to_csv(index=False))
        for plan, scenario in result.scenarios.items():
            folder.write_text(f"scenarios/{plan}.yaml", dump_scenario_yaml(scenario))
        folder.describe(
            command_name="compare",
            base=result.base,
            plans=result.plans,
            seed=result.seed,
            replications=result.replications,
            level=result.level,
            bonferroni=result.comparisons,
        )
    return written_by(folder, out)


def write_sweep(
    result: SweepResult, out: Path | ResultsFolder, *, command: str | None = None
) -> list[Path]:
    """Write a finished sweep's tables next to its ``runs/``; describe them in the manifest.

    Files: ``results.csv`` (one row per point: factors, staff hours, metric means and CIs,
    ``pareto``), ``summary.csv`` (long), ``metrics_by_rep.csv`` (long, per replication) and
    ``points.csv`` (point, factors, scenario key: the folder under ``runs/``).
    """
    sweep = result.sweep
    points = result.points_table()  # from the result: a lazy grid is not resolved again
    with writing_into(out, command) as folder:
        for name, frame in [
            ("results.csv", result.results),
            ("summary.csv", result.summary),
            ("metrics_by_rep.csv", result.metrics),
            ("points.csv", points),
        ]:
            folder.write_text(name, frame.to_csv(index=False))
        folder.describe(
            command_name="sweep",
            sweep=sweep.name,
            source=sweep.source,
            points=len(sweep.points),
            factors=sweep.factors,
            seed=sweep.seed,
            replications=sweep.replications,
            pareto={
                "minimise": result.minimise,
                "maximise": result.maximise,
                "front": result.pareto_points,
                "noisy": list(result.marks.noisy),
                "comparisons": result.marks.comparisons,
            },
            replications_run=result.ran,
            replications_reused=result.reused,
        )
    return written_by(folder, out)
