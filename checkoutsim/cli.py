"""The ``checkoutsim`` command line: thin typer commands over the library.

User mistakes (a bad scenario, a missing file) print one clear message and exit with status 2,
never a traceback.

There is deliberately no ``from __future__ import annotations`` here: typer reads every
command's signature twice while it builds the command line, and string annotations would be
evaluated again each time (10 ms of every start-up; tests/test_cli_startup.py). Annotations
that name a module imported only for type checking are quoted instead.
"""

import contextlib
import gc
import json
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from checkoutsim._limits import MAX_REPLICATIONS, MAX_SEED

# Only typer and rich are imported before the arguments are parsed: each command imports the
# layers it needs, so `checkoutsim --help` and `checkoutsim validate` start in a fraction of the
# time the simulator's scientific stack takes to import (docs/performance.md, and
# tests/test_cli_startup.py keeps it so).
if TYPE_CHECKING:
    import pandas as pd
    from rich.progress import Progress

    from checkoutsim.experiments.executors import Executor
    from checkoutsim.experiments.precision import PrecisionOutcome, PrecisionTarget
    from checkoutsim.experiments.simulate import ProgressCallback
    from checkoutsim.results.folder import ResultsFolder
    from checkoutsim.results.tables import SimulationResult
    from checkoutsim.scenario.schema import Scenario

if TYPE_CHECKING:
    from checkoutsim.scenario.targets import Target

__all__ = ["app", "main"]

app = typer.Typer(
    name="checkoutsim",
    help="Simulate a supermarket checkout front end under a staffing plan.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _stdout() -> Console:
    """The terminal for results, built at call time so ``COLUMNS`` is read when a command runs."""
    return Console()


def _stderr() -> Console:
    """The terminal for errors and progress; lines are never hard-wrapped (paths stay whole)."""
    return Console(stderr=True, soft_wrap=True)


EXIT_USER_ERROR = 2


class UserError(Exception):
    """A mistake the user can fix; shown without a traceback."""


@contextmanager
def user_errors(source: Path | list[Path] | None = None) -> Iterator[None]:
    """Turn user mistakes into a message on stderr and exit status 2.

    ``source`` (the scenario, plan or sweep file) prefixes what the model refuses while
    simulating: a day that never drains, a time series too fine to hold.
    """
    try:
        yield
    except UserError as exc:
        _stderr().print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_USER_ERROR) from None
    except Exception as exc:
        if isinstance(exc, _loaded_types(_REFUSED_DAYS)):
            where = ", ".join(map(str, source)) if isinstance(source, list) else source
            prefix = f"{where}: " if where else ""
            _stderr().print(f"[bold red]error:[/] {prefix}{escape(str(exc))}", highlight=False)
        elif isinstance(exc, _loaded_types(_SCENARIO_ERRORS)):
            _stderr().print("[bold red]error:[/] the scenario cannot be used:", highlight=False)
            for problem in exc.problems:  # type: ignore[attr-defined]
                _stderr().print(f"  {problem}", highlight=False, markup=False)
        elif isinstance(exc, _loaded_types(_EXECUTOR_ERRORS)):
            _stderr().print(f"[bold red]error:[/] {exc}", highlight=False)
        else:
            raise
        raise typer.Exit(EXIT_USER_ERROR) from None


# The library's errors for a user's mistake, as (module, class name). They are looked up in the
# modules already imported rather than imported here: an error whose module was never imported
# cannot have been raised, and importing them up front would cost the start-up time above.
_REFUSED_DAYS = (
    ("checkoutsim.model.store", "DayDidNotDrainError"),
    ("checkoutsim.model.store", "TimeSeriesTooLongError"),
)
_SCENARIO_ERRORS = (("checkoutsim.scenario.loader", "ScenarioError"),)
_EXECUTOR_ERRORS = (("checkoutsim.experiments.executors", "ExecutorError"),)


def _loaded_types(names: tuple[tuple[str, str], ...]) -> tuple[type, ...]:
    """The classes named in ``names`` whose modules are already imported."""
    found = []
    for module, name in names:
        loaded = sys.modules.get(module)
        if loaded is not None:
            found.append(getattr(loaded, name))
    return tuple(found)


@contextmanager
def progress_bar(total: int, label: str, enabled: bool = True) -> "Iterator[Progress | None]":
    """A rich progress bar with ETA on stderr (nothing when disabled or for a single unit)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    if not enabled or total <= 1:
        yield None
        return
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=_stderr(),
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
        help="Local worker processes (default: all cores); 1 runs everything in this process.",
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

XlsxOption = Annotated[
    Path | None,
    typer.Option(
        "--xlsx",
        metavar="PATH",
        help="Also write one Excel workbook (summary, hourly, staffing, differences; units in "
        "headers). An existing file is replaced only if checkoutsim wrote it.",
    ),
]


JudgeOption = Annotated[
    str,
    typer.Option(
        "--judge",
        help="'channels': a target must hold for all customers and for the cashier's and "
        "the kiosks' customers apart (as run's verdict); 'all': for all customers together "
        "only (the behaviour before).",
    ),
]
"""How optimize and roster judge a target (``checkoutsim.planning.blocks.JUDGE_MODES``)."""

PlanReplicationsOption = Annotated[
    int | None,
    typer.Option(
        "--replications",
        "-n",
        min=2,
        max=MAX_REPLICATIONS,
        help="Simulated days per plan (default: plan/base).",
    ),
]
PlanSeedOption = Annotated[
    int | None,
    typer.Option("--seed", "-s", min=0, max=MAX_SEED, help="Root seed shared by every plan."),
]
ReportOption = Annotated[
    bool,
    typer.Option(
        "--report",
        help="Also write a self-contained report.html (figures, tables, scenario) to the "
        "results folder.",
    ),
]


ReplayOption = Annotated[
    bool,
    typer.Option(
        "--replay",
        help="Also write replay.html: day 0 played on the store's floor plan in the browser "
        "(one self-contained file).",
    ),
]


def _write_replay(
    folder: "ResultsFolder", days: Callable[[], list[dict[str, Any]]], title: str
) -> str:
    """Write ``replay.html`` into ``folder``; return its file name (for the report's link)."""
    from checkoutsim.report.replay import REPLAY
    from checkoutsim.report.replay_page import replay_page, write_replay

    with _writing_results(folder.path):
        write_replay(folder, replay_page(days(), title=title, command=_command_line()))
    return REPLAY


def _xlsx_checked(path: Path | None) -> None:
    """Refuse a bad ``--xlsx`` path before simulating (see checkoutsim.report.workbook)."""
    if path is None:
        return
    from checkoutsim.report.workbook import WorkbookError, check_workbook_path

    try:
        check_workbook_path(path)
    except WorkbookError as exc:
        raise UserError(str(exc)) from None


def _xlsx_write(path: Path | None, sheets: "Callable[[], dict[str, pd.DataFrame]]") -> None:
    if path is None:
        return
    from checkoutsim.report.workbook import WorkbookError, write_workbook

    try:
        write_workbook(path, sheets())
    except (WorkbookError, OSError) as exc:
        raise UserError(f"cannot write the workbook: {exc}") from None
    _stderr().print(f"Workbook written to [bold]{escape(str(path))}[/].", highlight=False)


def _load(path: Path) -> "Scenario":
    from checkoutsim.scenario.loader import load_scenario

    return load_scenario(path)


def _command_line() -> str:
    """The command as typed, for manifests and reports."""
    return " ".join(["checkoutsim", *sys.argv[1:]])


@contextmanager
def _writing_results(out_dir: Path) -> Iterator[None]:
    """A failed write of results (disk full, no permission) is a user error naming the folder."""
    try:
        yield
    except OSError as exc:
        raise UserError(f"cannot write results to {out_dir}: {exc}") from None


def _default_folder(*parts: str) -> Path:
    """``results/<parts>``, refused when a name would lead outside ``results/``.

    Scenario, sweep and plan names become folder names here; the schema restricts them, and
    this check holds whatever a name is.
    """
    base = Path("results")
    path = base.joinpath(*parts)
    unsafe = [p for p in parts if p in ("", ".", "..") or "/" in p or "\\" in p or "\0" in p]
    if unsafe or not path.resolve().is_relative_to(base.resolve()):
        raise UserError(
            f"the name {unsafe[0] if unsafe else parts[-1]!r} cannot be a folder under results/; "
            "rename it or give --out"
        )
    return path


@contextmanager
def _results_folder(path: Path) -> "Iterator[ResultsFolder]":
    """Check and lock the results folder for the whole command, before anything is simulated."""
    from checkoutsim.results.folder import ResultsFolderError, open_results_folder

    try:
        with open_results_folder(path) as folder:
            yield folder
    except ResultsFolderError as exc:
        raise UserError(str(exc)) from None


def _finish(folder: "ResultsFolder", report: Callable[[str], str] | None) -> None:
    """Write the optional report, then the manifest (last) of whatever was written.

    A report that fails does not cost the other results their manifest: they are complete and
    listed, and the failure is then reported (a write failure as a user error).
    """
    from checkoutsim.report.html import write_report

    command = _command_line()
    failure: UserError | None = None
    page = None
    if report is not None:
        try:
            page = write_report(folder, report(command))
        except OSError as exc:
            failure = UserError(
                f"cannot write the report to {folder.path}: {exc} (the other results are "
                "complete and listed in manifest.json)"
            )
        except BaseException:
            with _writing_results(folder.path):
                folder.finish(command)
            raise
    with _writing_results(folder.path):
        folder.finish(command)
    if failure is not None:
        raise failure
    if page is not None:
        _stderr().print(f"Report written to [bold]{page}[/]", highlight=False)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the command is so that it ends like Ctrl-C."""


@contextmanager
def _interruptible(message: Callable[[], str]) -> Iterator[None]:
    """Ctrl-C and SIGTERM end the command with ``message()`` on stderr.

    The exit status is the shell's convention, 128 + the signal: 130 for Ctrl-C, 143 for SIGTERM.
    """
    previous = None
    if threading.current_thread() is threading.main_thread():

        def terminate(signum: int, frame: object) -> None:
            raise _Terminated

        previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    except KeyboardInterrupt as exc:
        _stderr().print(f"[bold yellow]interrupted:[/] {escape(message())}", highlight=False)
        raise typer.Exit(143 if isinstance(exc, _Terminated) else 130) from None
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


@contextmanager
def _stored_day_notes() -> Iterator[None]:
    """Show each stored day found unreadable (set aside, simulated again) as a warning line."""
    from checkoutsim.experiments.run_store import StoredDayWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", StoredDayWarning)
        shown_before = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):  # type: ignore[no-untyped-def]
            if issubclass(category, StoredDayWarning):
                _stderr().print(f"[bold yellow]warning:[/] {escape(str(message))}", highlight=False)
            else:
                shown_before(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


def _folder_state(folder: "ResultsFolder | None") -> str:
    """What an interrupted command leaves in its results folder, said as it is."""
    if folder is None:
        return "nothing was written"
    if folder.finished:
        return f"the results in {folder.path} are complete (manifest.json lists them)"
    if folder.written:
        return (
            f"the results in {folder.path} are incomplete (no manifest.json); run the command again"
        )
    return f"no results were written to {folder.path}"


@app.command()
def run(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    replications: Annotated[
        int | None,
        typer.Option("--replications", "-n", min=1, max=MAX_REPLICATIONS, help="Simulated days."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", "-s", min=0, max=MAX_SEED, help="Root seed.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Results folder (default: results/NAME).")
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
    report: ReportOption = False,
    replay: ReplayOption = False,
    xlsx: XlsxOption = None,
    targets: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            metavar="METRIC<=VALUE",
            help="A service target for the verdict, repeatable (e.g. 'wait_p90_min<=4', "
            "'csat>=4'); replaces the scenario's targets.",
        ),
    ] = None,
) -> None:
    """Simulate a scenario and write its results."""
    from checkoutsim.experiments.executors import make_executor
    from checkoutsim.experiments.simulate import simulate
    from checkoutsim.report.tables import root_cause_table, summary_table
    from checkoutsim.results.run_files import write_results

    with user_errors(scenario_file):
        _xlsx_checked(xlsx)
        scenario = _load(scenario_file)
        checked = _run_targets(targets)
        reps = replications or scenario.run.replications
        root = scenario.run.seed if seed is None else seed
        target = _precision_target(precision)
        planned = reps if target is None else min(replications or 5, max_replications)
        outcome = None
        out_dir = out if out is not None else _default_folder(scenario.name)
        with (
            _results_folder(out_dir) as folder,
            _interruptible(lambda: _folder_state(folder)),
        ):
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
            extra = {"precision": _precision_json(outcome)} if outcome else None
            with _writing_results(out_dir):
                write_results(result, folder, command=_command_line(), extra=extra)
            replay_file = None
            if replay:
                from checkoutsim.report.replay import day_data

                replay_file = _write_replay(
                    folder, lambda: [day_data(result, 0)], f"checkoutsim replay: {scenario.name}"
                )
            build = None
            if report:
                from checkoutsim.report.html import run_report

                def build(command: str) -> str:
                    return run_report(result, command=command, targets=checked, replay=replay_file)

            _finish(folder, build)
        if xlsx is not None:
            from checkoutsim.report.workbook import run_sheets

            _xlsx_write(xlsx, lambda: run_sheets(result))
        from checkoutsim.results.verdict import run_verdict

        verdict = run_verdict(result, checked)
        if as_json:
            payload = {
                "scenario": scenario.name,
                "seed": root,
                "replications": reps,
                **(extra or {}),
                "verdict": verdict.to_dict(),
                "summary": json.loads(result.summary().to_json(orient="records")),
                "root_causes": json.loads(result.root_causes().to_json(orient="records")),
                "costs": json.loads(result.costs().to_json(orient="records")),
            }
            if result.scenario.arrivals.varies:
                from checkoutsim.report.day_spread import day_spread

                payload["day_spread"] = json.loads(day_spread(result).to_json(orient="records"))
            if by_hour:
                hourly = result.summary_by_hour().to_json(orient="records")
                payload["summary_by_hour"] = json.loads(hourly)
            sys.stdout.write(json.dumps(payload, indent=2) + "\n")
            return
        from checkoutsim.report.verdict import verdict_table

        _stdout().print(verdict_table(verdict))
        _stdout().print(summary_table(result))
        if result.scenario.arrivals.varies:
            from checkoutsim.report.day_spread import day_spread_table

            _stdout().print(day_spread_table(result))
        _stdout().print(root_cause_table(result))
        if by_hour:
            from checkoutsim.report.hourly_tables import (
                hourly_channels_table,
                hourly_experience_table,
                hourly_losses_table,
                hourly_table,
            )

            _stdout().print(hourly_table(result))
            _stdout().print(hourly_losses_table(result))
            _stdout().print(hourly_channels_table(result))
            _stdout().print(hourly_experience_table(result))
        if outcome is not None:
            _stdout().print(outcome.message(), highlight=False)
        _stdout().print(f"Results written to [bold]{out_dir}[/] (manifest.json lists the files).")


def _run_targets(texts: list[str] | None) -> "list[Target] | None":
    """``--target`` options parsed and checked, or None (the scenario's targets then)."""
    if not texts:
        return None
    from checkoutsim.scenario.targets import check_known, parse_target

    try:
        return [check_known(parse_target(t)) for t in texts]
    except ValueError as exc:
        raise UserError(f"--target: {exc}") from None


def _required_targets(texts: list[str] | None) -> "list[Target]":
    """``--target`` options of a command that needs at least one, parsed (metric names are
    checked later, against the metrics the run reports)."""
    if not texts:
        raise UserError("give at least one --target, e.g. --target 'wait_p90_min<=4'")
    from checkoutsim.scenario.targets import parse_target

    try:
        return [parse_target(t) for t in texts]
    except ValueError as exc:
        raise UserError(f"--target: {exc}") from None


def _one_of(option: str, value: str, choices: tuple[str, str]) -> None:
    """Refuse an option value outside its two choices, naming both."""
    if value not in choices:
        raise UserError(f"{option} must be {choices[0]!r} or {choices[1]!r}, got {value!r}")


def _precision_target(text: str | None) -> "PrecisionTarget | None":
    from checkoutsim.experiments.precision import PrecisionTarget

    if text is None:
        return None
    try:
        return PrecisionTarget.parse(text)
    except ValueError as exc:
        raise UserError(f"--precision: {exc}") from None


def _run_to_precision(
    scenario: "Scenario",
    target: "PrecisionTarget",
    seed: int,
    minimum: int | None,
    maximum: int,
    executor: "Executor",
    tick: "ProgressCallback",
) -> "tuple[SimulationResult, PrecisionOutcome]":
    from checkoutsim.experiments.precision import simulate_to_precision
    from checkoutsim.model.store import DayDidNotDrainError, TimeSeriesTooLongError

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
    except (DayDidNotDrainError, TimeSeriesTooLongError):
        raise  # named with the scenario file by user_errors
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _precision_json(outcome: "PrecisionOutcome") -> dict[str, object]:
    ci = outcome.interval
    return {
        "target": str(outcome.target),
        "reached": outcome.reached,
        "replications": outcome.replications,
        "mean": ci.mean,
        "half_width": ci.half_width,
        "level": ci.level,
    }


@app.command("compare")
def compare_command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Scenario files to compare (the first is the base), or one plan file.",
            show_default=False,
        ),
    ] = None,
    plan: Annotated[
        Path | None,
        typer.Option("--plan", "-p", help="A plan file: base scenario and named variants."),
    ] = None,
    replications: PlanReplicationsOption = None,
    seed: PlanSeedOption = None,
    metrics: Annotated[
        list[str] | None,
        typer.Option("--metric", "-m", help="Metric to show (repeatable; default: headline)."),
    ] = None,
    all_metrics: Annotated[
        bool, typer.Option("--all-metrics", help="Show every metric, not the headline ones.")
    ] = False,
    scope: Annotated[
        str, typer.Option("--scope", help="Customers to show: all, cashier or kiosk.")
    ] = "all",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Also write CSV tables to this folder.")
    ] = None,
    workers: WorkersOption = None,
    dask: DaskOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print summary and differences as JSON on stdout.")
    ] = False,
    report: ReportOption = False,
    replay: ReplayOption = False,
    xlsx: XlsxOption = None,
) -> None:
    """Compare plans on the same simulated customers: paired differences with intervals."""
    from checkoutsim.experiments.compare import compare, resolve_plans
    from checkoutsim.experiments.comparison_files import write_comparison
    from checkoutsim.experiments.executors import make_executor
    from checkoutsim.report.comparison_tables import comparison_overview, difference_table
    from checkoutsim.scenario.loader import ScenarioError

    with user_errors(plan if plan is not None else list(files or [])):
        if plan is not None and files:
            raise UserError("give scenario files or --plan, not both")
        if plan is None and not files:
            raise UserError("nothing to compare: give two or more scenario files, or --plan")
        _xlsx_checked(xlsx)
        given = list(files or [])
        source: Path | list[Path] = (
            plan if plan is not None else (given[0] if len(given) == 1 else given)
        )
        try:
            named, plan_reps, plan_seed = resolve_plans(source)
        except ScenarioError:
            raise
        except ValueError as exc:
            raise UserError(f"{exc} (give two or more scenario files, or a plan file)") from None
        first = next(iter(named.values()))
        reps = replications or plan_reps or first.run.replications
        if reps < 2:
            raise UserError(f"a comparison needs at least 2 replications, got {reps}")
        root = next(s for s in (seed, plan_seed, first.run.seed) if s is not None)
        total = reps * len(named)
        if (report or replay) and out is None:
            out = _default_folder("compare", next(iter(named)))
        with contextlib.ExitStack() as stack:
            folder = stack.enter_context(_results_folder(out)) if out is not None else None
            stack.enter_context(_interruptible(lambda: _folder_state(folder)))
            with (
                make_executor(workers, dask, tasks=total) as executor,
                progress_bar(total, f"Comparing {len(named)} plans", enabled=not as_json) as bar,
            ):

                def tick(done: int, total: int) -> None:
                    if bar is not None:
                        bar.update(bar.task_ids[0], completed=done)

                result = compare(named, reps, root, executor=executor, progress=tick)
            shown = _chosen_metrics(result.summary, scope, metrics, all_metrics)
            if folder is not None:
                with _writing_results(folder.path):
                    write_comparison(result, folder, command=_command_line())
                replay_file = None
                if replay:
                    from checkoutsim.report.replay import simulated_day

                    replay_file = _write_replay(
                        folder,
                        lambda: [simulated_day(sc, 0, root, name) for name, sc in named.items()],
                        f"checkoutsim replay: {', '.join(named)}",
                    )
                build = None
                if report:
                    from checkoutsim.report.html import comparison_report

                    def build(command: str) -> str:
                        return comparison_report(
                            result, metrics=shown, scope=scope, command=command, replay=replay_file
                        )

                _finish(folder, build)
        if xlsx is not None:
            from checkoutsim.report.workbook import comparison_sheets

            _xlsx_write(xlsx, lambda: comparison_sheets(result))
        if as_json:
            sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
            return
        _stdout().print(comparison_overview(result, shown, scope))
        for name in result.plans[1:]:
            _stdout().print(difference_table(result, name, shown, scope))
        if out is not None:
            _stdout().print(f"Results written to [bold]{out}[/] (manifest.json lists the files).")


@app.command("sensitivity")
def sensitivity_command(
    source: Annotated[
        Path, typer.Argument(help="A plan file (base + variants) or a scenario file's plan file.")
    ],
    replications: PlanReplicationsOption = None,
    seed: PlanSeedOption = None,
    samples: Annotated[
        int,
        typer.Option("--samples", min=0, max=1000, help="Latin hypercube draws (0 = none)."),
    ] = 16,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Also write CSV tables and the tornado figure here (with --report, default "
            "results/sensitivity/NAME).",
        ),
    ] = None,
    workers: WorkersOption = None,
    report: ReportOption = False,
) -> None:
    """Which experience and money assumptions flip the ranking of plans (days simulated once)."""
    from rich.table import Table

    from checkoutsim.planning.sensitivity import sensitivity, tornado_figure
    from checkoutsim.scenario.loader import ScenarioError

    with user_errors(source):
        if report and out is None:
            out = _default_folder("sensitivity", source.stem)
        with contextlib.ExitStack() as stack:
            folder = stack.enter_context(_results_folder(out)) if out is not None else None
            try:
                result = sensitivity(
                    source,
                    replications=replications,
                    seed=seed,
                    samples=samples,
                    workers=workers or 1,
                    progress=lambda text: _stderr().print(text, style="dim"),
                )
            except ScenarioError:
                raise
            except ValueError as exc:
                raise UserError(f"{exc} (give a plan file with at least one variant)") from None
            if folder is not None:
                with _writing_results(folder.path):
                    folder.write_text("sensitivity.csv", result.one_at_a_time.to_csv(index=False))
                    folder.write_text("sensitivity_grid.csv", result.grid.to_csv(index=False))
                    folder.write_text("hypercube.csv", result.hypercube.to_csv(index=False))
                    folder.write_text("baseline.csv", result.baseline.to_csv(index=False))
                    folder.write_text("ranges.csv", result.ranges.to_csv(index=False))
                    fig = tornado_figure(result)
                    folder.write("tornado.png", lambda handle: fig.savefig(handle, format="png"))
                    folder.describe(
                        command_name="sensitivity",
                        replications=result.replications,
                        seed=result.seed,
                        plans=result.plans,
                        deciding=sorted(set(result.deciding()["assumption"])),
                    )
                build = None
                if report:
                    from checkoutsim.planning.sensitivity_report import sensitivity_report

                    def build(command: str) -> str:
                        return sensitivity_report(result, command=command)

                _finish(folder, build)
        console = _stdout()
        base = Table(title=f"Plans at the scenario's assumptions ({result.replications} days)")
        for col in ("Plan", "Total cost / day", "CSAT", "NPS"):
            base.add_column(col, justify="right")
        for r in result.baseline.itertuples(index=False):
            base.add_row(r.plan, f"{r.total_cost:,.0f}", f"{r.csat_mean:.3f}", f"{r.nps:.1f}")
        console.print(base)
        table = Table(title="One at a time: does the best plan change within the range?")
        for col in ("Assumption", "Range", "Criterion", "Best", "Flips at", "New best"):
            table.add_column(col, overflow="fold")
        for r in result.one_at_a_time.itertuples(index=False):
            flip = f"{r.best_flip_value:g}" if r.flips_best else "no"
            style = "bold" if r.flips_best else None
            table.add_row(
                r.assumption,
                f"{r.low:g}-{r.high:g} (now {r.base_value:g})",
                r.criterion,
                r.best_at_base,
                flip,
                r.new_best,
                style=style,
            )
        console.print(table)
        for r in result.hypercube.itertuples(index=False):
            console.print(
                f"Latin hypercube, {r.samples} joint draws: the best plan by {r.criterion} "
                f"changes in {r.best_changed} ({r.best_changed_pct:.0f}%).",
                highlight=False,
            )
        deciding = result.deciding()
        names = ", ".join(sorted(set(deciding["assumption"]))) or "none"
        console.print(f"Assumptions that flip a best plan: {names}.", highlight=False)
        console.print(
            f"Re-ranking took {result.elapsed_s:.1f} s (the days were simulated once).",
            highlight=False,
        )
        if out is not None:
            console.print(f"Results written to [bold]{out}[/] (manifest.json lists the files).")


@app.command("sweep")
def sweep_command(
    sweep_file: Annotated[Path, typer.Argument(help="Sweep YAML file (base + grid or points).")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Results folder (default: results/sweeps/NAME)."),
    ] = None,
    replications: Annotated[
        int | None,
        typer.Option(
            "--replications",
            "-n",
            min=2,
            max=MAX_REPLICATIONS,
            help="Days per plan (default: sweep file).",
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", "-s", min=0, max=MAX_SEED, help="Root seed.")
    ] = None,
    metrics: Annotated[
        list[str] | None,
        typer.Option("--metric", "-m", help="Metric column to show (repeatable)."),
    ] = None,
    workers: WorkersOption = None,
    dask: DaskOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the results table as JSON on stdout.")
    ] = False,
    report: ReportOption = False,
    xlsx: XlsxOption = None,
    objective: Annotated[
        str,
        typer.Option(
            "--objective",
            help="Cost axis of the Pareto front: the 'total' cost per day (labour, kiosks, "
            "coupons, lost margin, shrink, rescans) or 'labour' (labour + kiosks + coupons, "
            "the operating cost). A sweep file's pareto: section overrides both.",
        ),
    ] = "total",
) -> None:
    """Run every plan of a sweep (resumable: finished days are kept), mark the Pareto front."""
    import dataclasses

    from checkoutsim.experiments.comparison_files import write_sweep
    from checkoutsim.experiments.executors import make_executor
    from checkoutsim.experiments.run_store import RunStore, StoreLockedError
    from checkoutsim.experiments.sweep import GridPoints, load_sweep, run_sweep
    from checkoutsim.report.comparison_tables import sweep_table

    with user_errors(sweep_file):
        _xlsx_checked(xlsx)
        _one_of("--objective", objective, ("total", "labour"))
        sweep = load_sweep(sweep_file)
        sweep = dataclasses.replace(sweep, objective=objective)
        if objective != "total" and (sweep.minimise is not None or sweep.maximise is not None):
            raise UserError(
                f"{sweep_file} names its Pareto objectives (pareto:); --objective "
                f"{objective} would be ignored: drop one of them"
            )
        if replications is not None:
            sweep = dataclasses.replace(sweep, replications=replications)
        if seed is not None:
            sweep = dataclasses.replace(sweep, seed=seed)
        out_dir = out if out is not None else _default_folder("sweeps", sweep.name)
        store = RunStore(out_dir / "runs")
        lazy = isinstance(sweep.points, GridPoints)  # never resolve a large grid up front
        total = sweep.replications * (
            len(sweep.points) if lazy else len({p.key for p in sweep.points})
        )
        done = 0

        def kept() -> str:
            return (
                f"{done} of {total} simulated days are stored in {store.root}; run the same "
                "command again to finish the rest."
            )

        with _results_folder(out_dir) as folder, _interruptible(kept), _stored_day_notes():
            try:
                with (
                    make_executor(workers, dask, tasks=total) as executor,
                    progress_bar(total, f"Sweep {sweep.name}", enabled=not as_json) as bar,
                ):
                    plans = None
                    if bar is not None and lazy:
                        plans = bar.add_task("Resolving plans", total=len(sweep.points))

                    def tick(finished: int, total: int) -> None:
                        nonlocal done
                        done = finished
                        if bar is not None:
                            bar.update(bar.task_ids[0], completed=finished, total=total)

                    def resolved(finished: int, total: int) -> None:
                        if bar is not None and plans is not None:
                            bar.update(plans, completed=finished)

                    result = run_sweep(
                        sweep, store, executor=executor, progress=tick, resolving=resolved
                    )
            except StoreLockedError as exc:
                raise UserError(str(exc)) from None
            with _writing_results(out_dir):
                write_sweep(result, folder, command=_command_line())
            build = None
            if report:
                from checkoutsim.report.html import sweep_report

                def build(command: str) -> str:
                    return sweep_report(result, command=command)

            _finish(folder, build)
        if xlsx is not None:
            from checkoutsim.report.workbook import sweep_sheets

            _xlsx_write(xlsx, lambda: sweep_sheets(result))
        available = [str(m) for m in result.summary["metric"].unique()]
        if metrics:
            unknown = [m for m in metrics if m not in available]
            if unknown:
                raise UserError(f"unknown metric(s) {', '.join(unknown)}")
            shown = list(metrics)
        else:
            wanted = ["wait_p90_min", "reneged", *result.minimise, *result.maximise]
            shown = [m for m in dict.fromkeys(wanted) if m in available]
        if as_json:
            payload = {
                "sweep": sweep.name,
                "seed": sweep.seed,
                "replications": sweep.replications,
                "pareto": {
                    "minimise": result.minimise,
                    "maximise": result.maximise,
                    "front": result.pareto_points,
                    "not_distinguishable": result.indistinguishable_points,
                    "level": result.marks.level,
                    "comparisons": result.marks.comparisons,
                },
                "replications_run": result.ran,
                "replications_reused": result.reused,
                "results": json.loads(result.results.to_json(orient="records")),
            }
            sys.stdout.write(json.dumps(payload, indent=2) + "\n")
            return
        _stdout().print(sweep_table(result, shown))
        alike = result.indistinguishable_points
        _stdout().print(
            f"Pareto front: {', '.join(result.pareto_points) or '(none)'}"
            + (
                "; not distinguishable from it: "
                + ", ".join(f"{p} (≈ {f})" for p, f in alike.items())
                if alike
                else ""
            )
            + f". Simulated {result.ran} day(s), reused {result.reused} stored.",
            highlight=False,
        )
        _stdout().print(f"Results written to [bold]{out_dir}[/] (manifest.json lists the files).")


@app.command("optimize")
def optimize_command(
    scenario_file: Annotated[
        Path, typer.Argument(help="Scenario YAML file (its plan is 'current').")
    ],
    targets: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            "-t",
            metavar="METRIC<=VALUE|METRIC>=VALUE",
            help="A service target, repeatable (e.g. 'wait_p90_min<=4', 'csat>=4.0').",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        str, typer.Option("--by", help="Judge targets in every staffing block, or over the day.")
    ] = "block",
    replications: Annotated[
        int,
        typer.Option(
            "--replications",
            "-n",
            min=2,
            max=MAX_REPLICATIONS,
            help="Simulated days per candidate plan.",
        ),
    ] = 10,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            "-s",
            min=0,
            max=MAX_SEED,
            help="Root seed (default: the scenario's run.seed).",
        ),
    ] = None,
    check_replications: Annotated[
        int | None,
        typer.Option(
            "--check-replications", min=2, help="Fresh days of the final check (default: as -n)."
        ),
    ] = None,
    objective: Annotated[
        str,
        typer.Option(
            "--objective",
            help="Minimise the 'total' cost per day (labour, kiosks, coupons, lost margin, "
            "shrink, rescans) or the 'labour' cost alone.",
        ),
    ] = "total",
    judge: JudgeOption = "channels",
    kiosks: Annotated[
        bool, typer.Option("--kiosks", help="Also search the kiosks switched on per block.")
    ] = False,
    max_kiosks_per_attendant: Annotated[
        int | None,
        typer.Option("--max-kiosks-per-attendant", min=1, help="At least kiosks/N attendants."),
    ] = None,
    start: Annotated[
        str,
        typer.Option("--start", help="Start from the 'analytic' estimate or the 'current' plan."),
    ] = "analytic",
    curve: Annotated[
        str | None,
        typer.Option(
            "--curve",
            metavar="V1,V2,...",
            help="Values of the first target for the cost curve, or 'none' to skip it "
            "(default: ±1 and ±2 for minutes, else ±5% and ±10%).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Results folder (default: results/optimize/NAME)."),
    ] = None,
    workers: WorkersOption = None,
    dask: DaskOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result as JSON on stdout.")
    ] = False,
    xlsx: XlsxOption = None,
) -> None:
    """Find the cheapest staffing plan that meets service targets (resumable with --out)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from checkoutsim.experiments.executors import make_executor
    from checkoutsim.experiments.run_store import StoreLockedError
    from checkoutsim.model.store import DayDidNotDrainError, TimeSeriesTooLongError
    from checkoutsim.planning.optimizer import optimize
    from checkoutsim.planning.output import (
        check_table,
        comparison_table,
        curve_table,
        staffing_table,
        write_optimization,
    )

    with user_errors(scenario_file):
        parsed = _required_targets(targets)
        _one_of("--by", by, ("block", "day"))
        _one_of("--start", start, ("analytic", "current"))
        _one_of("--objective", objective, ("total", "labour"))
        _one_of("--judge", judge, ("channels", "all"))
        values = _curve_values(curve)
        _xlsx_checked(xlsx)
        scenario = _load(scenario_file)
        out_dir = out if out is not None else _default_folder("optimize", scenario.name)
        bar = Progress(
            SpinnerColumn(),
            TextColumn("[bold]Optimising[/] {task.description}"),
            TextColumn("{task.completed} days"),
            TimeElapsedColumn(),
            console=_stderr(),
            transient=True,
            disable=as_json,
        )

        def kept() -> str:
            return (
                f"finished days are stored in {out_dir / 'runs'}; run the same command again "
                "to resume."
            )

        with _results_folder(out_dir) as folder, _interruptible(kept), _stored_day_notes():
            try:
                with make_executor(workers, dask, tasks=replications) as executor, bar:
                    task = bar.add_task("", total=None)

                    def tick(days: int, status: str) -> None:
                        bar.update(task, completed=days, description=status)

                    result = optimize(
                        scenario,
                        parsed,
                        by=by,
                        replications=replications,
                        seed=seed,
                        check_replications=check_replications,
                        objective=objective,
                        judge=judge,
                        kiosks=kiosks,
                        max_kiosks_per_attendant=max_kiosks_per_attendant,
                        start=start,
                        curve=values,
                        out=out_dir,
                        executor=executor,
                        progress=tick,
                    )
            except StoreLockedError as exc:
                raise UserError(str(exc)) from None
            except (DayDidNotDrainError, TimeSeriesTooLongError):
                raise  # named with the scenario file by user_errors
            except ValueError as exc:
                raise UserError(str(exc)) from None
            with _writing_results(out_dir):
                write_optimization(result, folder, command=_command_line())
            _finish(folder, None)
        if xlsx is not None:
            from checkoutsim.planning.workbook import optimization_sheets

            _xlsx_write(xlsx, lambda: optimization_sheets(result))
        if as_json:
            sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
            return
        console = _stdout()
        console.print(staffing_table(result))
        console.print(check_table(result))
        console.print(comparison_table(result))
        if len(result.curve):
            console.print(curve_table(result))
        console.print("Paste into the scenario:", style="bold")
        console.print(result.staffing_yaml, markup=False, highlight=False, soft_wrap=True)
        for line in result.summary_lines():
            console.print(line, highlight=False)
        console.print(
            f"{result.evaluations} plans evaluated, {result.days_simulated} days simulated, "
            f"{result.days_reused} reused, {result.elapsed_s:.1f} s. Results written to "
            f"[bold]{out_dir}[/] (manifest.json lists the files).",
            highlight=False,
        )


@app.command("roster")
def roster_command(
    week_file: Annotated[
        Path,
        typer.Argument(
            help="Week file (day types and shift rules) or a scenario file (one day, default "
            "shift rules)."
        ),
    ],
    targets: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            "-t",
            metavar="METRIC<=VALUE|METRIC>=VALUE",
            help="A service target judged in every block of every day type, repeatable.",
            show_default=False,
        ),
    ] = None,
    replications: Annotated[
        int,
        typer.Option(
            "--replications",
            "-n",
            min=2,
            max=MAX_REPLICATIONS,
            help="Simulated days per candidate plan and per as-worked round.",
        ),
    ] = 10,
    check_replications: Annotated[
        int | None,
        typer.Option(
            "--check-replications", min=2, help="Fresh days of the final check (default: as -n)."
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", "-s", min=0, max=MAX_SEED, help="Root seed (default: the scenario's)."
        ),
    ] = None,
    max_rounds: Annotated[
        int,
        typer.Option(
            "--max-rounds",
            min=1,
            max=20,
            help="Most integer programs solved (the requirement is raised between them).",
        ),
    ] = 3,
    requirement: Annotated[
        str,
        typer.Option(
            "--requirement",
            help="'optimize': search the staff per block first; 'current': roster each day "
            "type's own staffing as it stands.",
        ),
    ] = "optimize",
    objective: Annotated[
        str,
        typer.Option(
            "--objective",
            help="The requirement search's objective: 'total' cost per day or 'labour' cost "
            "(quicker), as in optimize.",
        ),
    ] = "total",
    judge: JudgeOption = "channels",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Results folder (default: results/roster/NAME)."),
    ] = None,
    workers: WorkersOption = None,
    dask: DaskOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result as JSON on stdout.")
    ] = False,
    report: ReportOption = False,
    xlsx: XlsxOption = None,
) -> None:
    """Find the cheapest roster of shifts meeting service targets in every block of a week."""
    from checkoutsim.experiments.executors import make_executor
    from checkoutsim.model.store import DayDidNotDrainError, TimeSeriesTooLongError
    from checkoutsim.planning.roster import make_roster
    from checkoutsim.planning.roster_output import (
        check_table,
        cost_table,
        roster_report,
        shift_table,
        write_roster,
    )
    from checkoutsim.scenario.week import load_week_or_scenario

    with user_errors(week_file):
        parsed = _required_targets(targets)
        _one_of("--requirement", requirement, ("optimize", "current"))
        _one_of("--objective", objective, ("total", "labour"))
        _one_of("--judge", judge, ("channels", "all"))
        week = load_week_or_scenario(week_file)
        out_dir = out if out is not None else _default_folder("roster", week.name)
        _xlsx_checked(xlsx)
        with _results_folder(out_dir) as folder:
            try:
                with make_executor(workers, dask, tasks=replications) as executor:
                    result = make_roster(
                        week,
                        parsed,
                        replications=replications,
                        check_replications=check_replications,
                        seed=seed,
                        max_rounds=max_rounds,
                        requirement=requirement,
                        objective=objective,
                        judge=judge,
                        executor=executor,
                        progress=None
                        if as_json
                        else lambda text: _stderr().print(f"[dim]{text}[/]", highlight=False),
                    )
            except (DayDidNotDrainError, TimeSeriesTooLongError):
                raise
            except ValueError as exc:
                raise UserError(str(exc)) from None
            with _writing_results(out_dir):
                write_roster(result, folder, command=_command_line())
            _finish(
                folder,
                (lambda command: roster_report(result, command=command)) if report else None,
            )
        if xlsx is not None:
            from checkoutsim.planning.workbook import roster_sheets

            _xlsx_write(xlsx, lambda: roster_sheets(result))
        if as_json:
            payload = {
                "week": week.name,
                "targets": [str(t) for t in parsed],
                "roster_cost": result.roster_cost,
                "block_cost": result.block_cost,
                "ip_gap": result.ip_gap,
                "rounds": result.rounds,
                "holds": result.holds,
                "seeds": result.seeds,
                "shifts": json.loads(result.shifts.to_json(orient="records")),
                "costs": json.loads(result.costs.to_json(orient="records")),
                "requirement": json.loads(result.requirement.to_json(orient="records")),
                "check": json.loads(result.check.to_json(orient="records")),
                "elapsed_s": round(result.elapsed_s, 2),
            }
            sys.stdout.write(json.dumps(payload, indent=2) + "\n")
            return
        console = _stdout()
        console.print(shift_table(result))
        console.print(cost_table(result))
        console.print(check_table(result))
        for line in result.summary_lines():
            console.print(line, highlight=False)
        console.print(
            f"{result.elapsed_s:.1f} s. Results written to [bold]{escape(str(out_dir))}[/] "
            "(roster.csv, roster.yaml, gantt.png; manifest.json lists the files).",
            highlight=False,
        )


def _curve_values(text: str | None) -> list[float] | None:
    if text is None:
        return None
    if text.strip().lower() == "none":
        return []
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise UserError(f"--curve: expected numbers separated by commas, got {text!r}") from None


def _chosen_metrics(
    summary: "pd.DataFrame", scope: str, wanted: list[str] | None, every: bool
) -> list[str]:
    import pandas as pd

    from checkoutsim.experiments.compare import headline_metrics

    scopes = sorted(str(s) for s in pd.unique(summary["scope"]))
    if scope not in scopes:
        raise UserError(f"--scope must be one of {', '.join(scopes)}, got {scope!r}")
    available = [str(m) for m in pd.unique(summary.loc[summary["scope"] == scope, "metric"])]
    if wanted:
        unknown = [m for m in wanted if m not in available]
        if unknown:
            raise UserError(
                f"unknown metric(s) {', '.join(unknown)}; metrics: {', '.join(sorted(available))}"
            )
        return list(wanted)
    return available if every else headline_metrics(available)


def _file_kind(path: Path) -> tuple[str, Any, str]:
    """``scenario``, ``plan``, ``sweep`` or ``week`` from the keys at the top of the file.

    A plan, sweep or week file names a ``base`` scenario; a sweep also has ``grid`` or
    ``points``, a week ``days``. Returns the parsed document and its source name too, so a
    scenario or week file is parsed once. A file that cannot be read is a ``scenario`` with no
    document: loading it reports the problem.
    """
    from checkoutsim.scenario.loader import ScenarioError, load_yaml_mapping

    try:
        data, source = load_yaml_mapping(path, comments=False)
    except ScenarioError:
        return "scenario", None, str(path)
    if "base" not in data:
        return "scenario", data, source
    if "days" in data:
        return "week", data, source
    return ("sweep" if "grid" in data or "points" in data else "plan"), data, source


@app.command("replay")
def replay_command(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    day: Annotated[
        int,
        typer.Option(
            "--day",
            "-d",
            min=0,
            max=MAX_REPLICATIONS - 1,
            help="The simulated day (replication, from 0) to replay; the same day as that "
            "replication of 'run' with the same seed.",
        ),
    ] = 0,
    seed: Annotated[
        int | None, typer.Option("--seed", "-s", min=0, max=MAX_SEED, help="Root seed.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Results folder (default: results/replay/NAME)."),
    ] = None,
) -> None:
    """Simulate one day and write replay.html: the day played on the store's floor plan."""
    from checkoutsim.report.replay import simulated_day

    with user_errors(scenario_file):
        scenario = _load(scenario_file)
        root = scenario.run.seed if seed is None else seed
        out_dir = out if out is not None else _default_folder("replay", scenario.name)
        with (
            _results_folder(out_dir) as folder,
            _interruptible(lambda: _folder_state(folder)),
        ):
            folder.describe(scenario=scenario.name, seed=root, day=day)
            _write_replay(
                folder,
                lambda: [simulated_day(scenario, day, root)],
                f"checkoutsim replay: {scenario.name}, day {day}",
            )
            _finish(folder, None)
        _stdout().print(
            f"Replay of {escape(scenario.name)} day {day} (seed {root}) written to "
            f"[bold]{escape(str(folder.file('replay.html')))}[/]; open it in a browser.",
            highlight=False,
        )


@app.command()
def validate(
    scenario_file: Annotated[
        Path,
        typer.Argument(help="Scenario, plan, sweep or week YAML file.", show_default=False),
    ],
) -> None:
    """Check a scenario, plan, sweep or week file without running it."""
    with user_errors(scenario_file):
        kind, data, source = _file_kind(scenario_file)
        if kind == "plan":
            from checkoutsim.scenario.plans import load_plan

            plan = load_plan(scenario_file)
            _stdout().print(
                f"[green]ok[/] {scenario_file}: plan file, base scenario '{plan.base.name}' and "
                f"{len(plan.variants)} variant(s): " + escape(", ".join(plan.variants)),
                highlight=False,
            )
            return
        if kind == "week":
            from checkoutsim.scenario.week import week_from_mapping

            week = week_from_mapping(data, source, scenario_file)
            _stdout().print(
                f"[green]ok[/] {scenario_file}: week file, {len(week.days)} day type(s): "
                + escape(", ".join(week.days))
                + f"; shift roles: {', '.join(week.shifts.roles)}",
                highlight=False,
            )
            return
        if kind == "sweep":
            from checkoutsim.experiments.sweep import load_sweep

            sweep = load_sweep(scenario_file)
            _stdout().print(
                f"[green]ok[/] {scenario_file}: sweep file '{sweep.name}', "
                f"{len(sweep.points)} plan(s) over "
                + escape(", ".join(sweep.factors) or "listed points"),
                highlight=False,
            )
            return
        if data is None:
            scenario = _load(scenario_file)  # reports why the file cannot be read
        else:
            from checkoutsim.scenario.loader import scenario_from_mapping

            scenario = scenario_from_mapping(data, source, scenario_file.parent)
    from checkoutsim.scenario.load_check import overloaded_blocks

    blocks = len(scenario.staffing)
    _stdout().print(
        f"[green]ok[/] {scenario_file}: scenario '{scenario.name}', "
        f"{scenario.store.open}-{scenario.store.close}, {blocks} staffing blocks, "
        f"{scenario.cashiers.lanes} lanes, {scenario.kiosks.count} kiosks"
    )
    for block in overloaded_blocks(scenario):
        _stderr().print(f"[bold yellow]warning:[/] {scenario_file}: {block}", highlight=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    from checkoutsim.scenario.schema import Scenario

    sys.stdout.write(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2) + "\n")


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the starter scenario.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write an annotated starter scenario."""
    from checkoutsim.results.folder import atomic_write_text

    with user_errors():
        if path.exists() and not force:
            raise UserError(f"{path} already exists (use --force to overwrite)")
        text = resources.files("checkoutsim").joinpath("templates/starter.yaml").read_text("utf-8")
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            raise UserError(f"cannot write {path}: {exc}") from None
    _stdout().print(f"Wrote {path}. Next: checkoutsim validate {path} && checkoutsim run {path}")


@app.command("export-logs")
def export_logs_command(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the log files.")],
    days: Annotated[
        int, typer.Option("--days", "-n", min=1, max=MAX_REPLICATIONS, help="Store days.")
    ] = 5,
    seed: Annotated[
        int | None, typer.Option("--seed", "-s", min=0, max=MAX_SEED, help="Root seed.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    first_day: Annotated[
        str, typer.Option("--first-day", help="Date of the first day, YYYY-MM-DD.")
    ] = "2026-03-02",
) -> None:
    """Simulate store days and write them as till, kiosk and rota logs (docs/calibrate.md)."""
    from datetime import date

    with user_errors(scenario_file):
        if fmt not in ("csv", "parquet"):
            raise UserError(f"--format must be csv or parquet, got {fmt!r}")
        try:
            day = date.fromisoformat(first_day)
        except ValueError:
            raise UserError(f"--first-day must be a date YYYY-MM-DD, got {first_day!r}") from None
        scenario = _load(scenario_file)
        from checkoutsim.calibration.export import export_logs, write_logs

        tables = export_logs(scenario, days, seed, first_day=day, workers=None)
        with _writing_results(out):
            written = write_logs(tables, out, fmt)
    for path in written:
        _stdout().print(f"wrote {path}", highlight=False)


@app.command("calibrate")
def calibrate_command(
    logs: Annotated[Path, typer.Argument(help="Folder of logs (docs/calibrate.md).")],
    base: Annotated[
        Path, typer.Option("--base", "-b", help="Scenario that supplies what logs cannot.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Calibrated scenario YAML to write.")],
    name: Annotated[str, typer.Option("--name", help="Name of the calibrated scenario.")] = (
        "calibrated"
    ),
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Calibration report (default: OUT with .html)."),
    ] = None,
    weekday: Annotated[
        list[str] | None,
        typer.Option("--weekday", help="Only days on this weekday (Mon..Sun); repeatable."),
    ] = None,
    fit_preferences: Annotated[
        bool,
        typer.Option(
            "--fit-preferences", help="Also fit the channel preference shares by simulation."
        ),
    ] = False,
    workers: WorkersOption = None,
) -> None:
    """Turn till, kiosk and rota logs into a scenario, with a calibration report."""
    with user_errors(base):
        scenario = _load(base)
        import re

        from checkoutsim.calibration.formats import LogDataError
        from checkoutsim.calibration.pipeline import calibrate
        from checkoutsim.scenario.schema import NAME_PATTERN

        if not re.fullmatch(NAME_PATTERN, name):
            raise UserError(f"--name {name!r} is not a valid scenario name")
        try:
            done = calibrate(
                logs,
                scenario,
                name=name,
                command=_command_line(),
                weekdays=weekday,
                preferences=fit_preferences,
                workers=workers,
            )
        except LogDataError as exc:
            raise UserError(str(exc)) from None
        from checkoutsim.calibration.report import calibration_report
        from checkoutsim.results.folder import atomic_write_text

        page = report or out.with_suffix(".html")
        with _writing_results(out):
            atomic_write_text(out, done.yaml)
            atomic_write_text(page, calibration_report(done, command=_command_line()))
    for note in done.calibration.notes:
        _stderr().print(f"[bold yellow]note:[/] {escape(note)}", highlight=False)
    _stdout().print(f"wrote {out} and {page}. Next: checkoutsim run {out}", highlight=False)


def main() -> None:  # pragma: no cover - console entry point
    """Entry point of the ``checkoutsim`` command and of ``python -m checkoutsim``."""
    try:
        app()
    finally:
        # The process exits next. Freezing hides every object from the garbage collector, so
        # that shutdown does not walk the whole heap (pydantic's schemas, typer's commands)
        # again: a sixth of `checkoutsim validate`'s time (docs/performance.md). Output,
        # exit status and atexit handlers are unchanged; commands close their files first.
        gc.freeze()
