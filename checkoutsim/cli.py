"""The ``checkoutsim`` command line: thin typer commands over the library.

User mistakes (a bad scenario, a missing file) print one clear message and exit with status 2,
never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from checkoutsim.executors import Executor, ExecutorError, make_executor
from checkoutsim.io import atomic_write_text, write_results
from checkoutsim.loader import ScenarioError, load_scenario
from checkoutsim.precision import PrecisionOutcome, PrecisionTarget, simulate_to_precision
from checkoutsim.report_table import summary_table
from checkoutsim.results import SimulationResult
from checkoutsim.scenario import Scenario
from checkoutsim.simulate import ProgressCallback, simulate

__all__ = ["app", "main"]

app = typer.Typer(
    name="checkoutsim",
    help="Simulate a supermarket checkout front end under a staffing plan.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console()
err_console = Console(stderr=True)

EXIT_USER_ERROR = 2


class UserError(Exception):
    """A mistake the user can fix; shown without a traceback."""


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn user mistakes into a message on stderr and exit status 2."""
    try:
        yield
    except ScenarioError as exc:
        err_console.print("[bold red]error:[/] the scenario cannot be used:", highlight=False)
        for problem in exc.problems:
            err_console.print(f"  {problem}", highlight=False, markup=False)
        raise typer.Exit(EXIT_USER_ERROR) from None
    except (UserError, ExecutorError) as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_USER_ERROR) from None


@contextmanager
def progress_bar(total: int, label: str, enabled: bool = True) -> Iterator[Progress | None]:
    """A rich progress bar with ETA on stderr (nothing when disabled or for a single unit)."""
    if not enabled or total <= 1:
        yield None
        return
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )
    with bar:
        bar.add_task(label, total=total)
        yield bar


WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        "-w",
        min=1,
        help="Local worker processes [default: all cores]; 1 runs everything in this process.",
    ),
]
DaskOption = Annotated[
    str | None,
    typer.Option(
        "--dask",
        metavar="ADDRESS",
        help="Run on the Dask scheduler at ADDRESS (tcp://host:8786), or 'local' to start a "
        "local Dask cluster; needs checkoutsim[dask].",
    ),
]


def _load(path: Path) -> Scenario:
    return load_scenario(path)


@app.command()
def run(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    replications: Annotated[
        int | None, typer.Option("--replications", "-n", min=1, help="Simulated days.")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", "-s", min=0, help="Root seed.")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Results folder [default: results/NAME].")
    ] = None,
    workers: WorkersOption = None,
    dask: DaskOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON on stdout.")
    ] = False,
    by_hour: Annotated[bool, typer.Option("--by-hour", help="Also show the hourly table.")] = False,
    precision: Annotated[
        str | None,
        typer.Option(
            "--precision",
            metavar="METRIC[@SCOPE]:HALF_WIDTH",
            help="Add replications until the 95% CI half-width of METRIC is at most HALF_WIDTH "
            "(e.g. wait_p90_min:0.25); --replications is then the minimum (default 5).",
        ),
    ] = None,
    max_replications: Annotated[
        int,
        typer.Option("--max-replications", min=1, help="With --precision: stop here anyway."),
    ] = 200,
) -> None:
    """Simulate a scenario and write its results."""
    with user_errors():
        scenario = _load(scenario_file)
        reps = replications or scenario.run.replications
        root = scenario.run.seed if seed is None else seed
        target = _precision_target(precision)
        planned = reps if target is None else min(replications or 5, max_replications)
        outcome = None
        with (
            make_executor(workers, dask, tasks=None if target else reps) as executor,
            progress_bar(planned, f"Simulating {scenario.name}", enabled=not as_json) as bar,
        ):

            def tick(done: int, total: int) -> None:
                if bar is not None:
                    bar.update(bar.task_ids[0], completed=done, total=total)

            if target is None:
                result = simulate(scenario, reps, root, executor=executor, progress=tick)
            else:
                result, outcome = _run_to_precision(
                    scenario, target, root, replications, max_replications, executor, tick
                )
                reps = outcome.replications
        out_dir = out if out is not None else Path("results") / scenario.name
        extra = {"precision": _precision_json(outcome)} if outcome else None
        try:
            write_results(
                result, out_dir, command=" ".join(["checkoutsim", *sys.argv[1:]]), extra=extra
            )
        except OSError as exc:
            raise UserError(f"cannot write results to {out_dir}: {exc}") from None
        if as_json:
            payload = {
                "scenario": scenario.name,
                "seed": root,
                "replications": reps,
                **(extra or {}),
                "summary": json.loads(result.summary().to_json(orient="records")),
            }
            sys.stdout.write(json.dumps(payload, indent=2) + "\n")
            return
        console.print(summary_table(result))
        if by_hour:
            from checkoutsim.report_table import hourly_table

            console.print(hourly_table(result))
        if outcome is not None:
            console.print(outcome.message(), highlight=False)
        console.print(f"Results written to [bold]{out_dir}[/] (manifest.json lists the files).")


def _precision_target(text: str | None) -> PrecisionTarget | None:
    if text is None:
        return None
    try:
        return PrecisionTarget.parse(text)
    except ValueError as exc:
        raise UserError(f"--precision: {exc}") from None


def _run_to_precision(
    scenario: Scenario,
    target: PrecisionTarget,
    seed: int,
    minimum: int | None,
    maximum: int,
    executor: Executor,
    tick: ProgressCallback,
) -> tuple[SimulationResult, PrecisionOutcome]:
    try:
        return simulate_to_precision(
            scenario,
            target,
            max_replications=maximum,
            seed=seed,
            min_replications=minimum or 5,
            executor=executor,
            progress=tick,
        )
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _precision_json(outcome: PrecisionOutcome) -> dict[str, object]:
    ci = outcome.interval
    return {
        "target": str(outcome.target),
        "reached": outcome.reached,
        "replications": outcome.replications,
        "mean": ci.mean,
        "half_width": ci.half_width,
        "level": ci.level,
    }


@app.command()
def validate(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
) -> None:
    """Check a scenario file without running it."""
    with user_errors():
        scenario = _load(scenario_file)
    blocks = len(scenario.staffing)
    console.print(
        f"[green]ok[/] {scenario_file}: scenario '{scenario.name}', "
        f"{scenario.store.open}-{scenario.store.close}, {blocks} staffing blocks, "
        f"{scenario.cashiers.lanes} lanes, {scenario.kiosks.count} kiosks"
    )


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    sys.stdout.write(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2) + "\n")


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the starter scenario.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write an annotated starter scenario."""
    with user_errors():
        if path.exists() and not force:
            raise UserError(f"{path} already exists (use --force to overwrite)")
        text = resources.files("checkoutsim").joinpath("templates/starter.yaml").read_text("utf-8")
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            raise UserError(f"cannot write {path}: {exc}") from None
    console.print(f"Wrote {path}. Next: checkoutsim validate {path} && checkoutsim run {path}")


def main() -> None:  # pragma: no cover - console entry point
    """Entry point for ``python -m checkoutsim``."""
    app()
