"""Writing a run's results folder: the tables, the scenario as run, and the manifest last.

The folder rules (checked before simulating, locked for the whole command, complete only with
its manifest, atomic writes) are :mod:`checkoutsim.results.folder`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

import pandas as pd

from checkoutsim.results.folder import ResultsFolder, writing_into, written_by
from checkoutsim.results.tables import SimulationResult
from checkoutsim.scenario.loader import dump_scenario_yaml

__all__ = ["write_results"]


def _parquet_writer(frame: pd.DataFrame) -> Callable[[IO[bytes]], None]:
    def write(handle: IO[bytes]) -> None:
        frame.to_parquet(handle, index=False)

    return write


def write_results(
    result: SimulationResult,
    out: Path | ResultsFolder,
    *,
    command: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Write a run's tables, summaries and resolved scenario, and describe them in the manifest.

    Parameters
    ----------
    result : SimulationResult
        The run.
    out : Path or ResultsFolder
        A folder already opened by the caller (who then writes anything else, such as the
        report, and calls :meth:`~checkoutsim.results.folder.ResultsFolder.finish`), or a path:
        it is then opened, written and finished here.
    command : str, optional
        The command line recorded in the manifest (default: ``sys.argv``).
    extra : mapping, optional
        More manifest fields.

    Returns
    -------
    list of Path
        Files written; with a path for ``out``, the manifest is the last.
    """
    with writing_into(out, command) as folder:
        tables: list[tuple[str, Callable[[], pd.DataFrame]]] = [
            ("metrics_by_rep.csv", result.metrics),
            ("summary.csv", result.summary),
            ("summary_by_hour.csv", result.summary_by_hour),
            ("summary_by_hour_channel.csv", result.summary_by_hour_and_channel),
            ("root_causes.csv", result.root_causes),
            ("root_causes_by_hour.csv", lambda: result.root_causes(by_hour=True)),
            ("costs.csv", result.costs),
            ("coupons.csv", lambda: result.coupons),
        ]
        for name, frame in [
            ("customers.parquet", result.customers),
            ("assists.parquet", result.assists),
            ("faults.parquet", result.faults),
            ("timeseries.parquet", result.timeseries),
        ]:
            folder.write(name, _parquet_writer(frame))
        for name, make in tables:
            folder.write_text(name, make().to_csv(index=False))
        folder.write_text("scenario.yaml", dump_scenario_yaml(result.scenario))
        folder.describe(
            scenario=result.scenario.name,
            seed=result.seed,
            replications=result.replications,
            **(dict(extra) if extra else {}),
        )
    return written_by(folder, out)
