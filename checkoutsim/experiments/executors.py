"""Where replications run: in this process, in a local process pool, or on a Dask cluster.

Every executor does one thing: take :class:`Task` objects ``(scenario, rep, seed)`` and yield
``(task, result)`` pairs as each one finishes, in whatever order they finish; the result is the
day's ``RunColumns``, or what the task's ``analyse`` function made of them in the worker.
Workers get scenarios and integer seeds, never random generators: a replication's randomness
comes from ``(seed, rep)`` alone (see :mod:`checkoutsim.model.streams`), so results are identical
whichever executor runs them and however many workers it has. Callers put results in order by
``rep``.

Executors are context managers: the pool or cluster starts on ``__enter__`` and stops on
``__exit__``, also after Ctrl-C (queued tasks are cancelled; running ones are let finish, which
takes well under a second for a store day).

Example::

    with make_executor(workers=4) as ex:
        for task, columns in ex.map(tasks):
            store(task, columns)          # save each result as soon as it exists

Per-day analysis (metrics of one day) belongs in the worker, next to the simulation: a task with
``analyse=f`` returns ``f(scenario, rep, seed, columns)`` instead of the columns, so the parent
only collects. Done in the parent it caps the speed-up whatever the number of workers (a
comparison's per-day metrics cost almost as much as simulating the day).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from checkoutsim.model.recorder import RunColumns
from checkoutsim.model.store import run_replication
from checkoutsim.scenario.schema import Scenario

__all__ = [
    "Analysis",
    "DaskExecutor",
    "Executor",
    "ExecutorError",
    "PoolExecutor",
    "SequentialExecutor",
    "Task",
    "default_workers",
    "make_executor",
    "run_day",
]


class ExecutorError(RuntimeError):
    """An executor cannot be started (Dask missing, scheduler unreachable, bad settings)."""


Analysis = Callable[[Scenario, int, int, RunColumns], Any]
"""``analyse(scenario, rep, seed, columns)``: work on a finished day, done where it ran. A
module-level function, so that it pickles for worker processes and Dask."""


def run_day(
    scenario: Scenario, rep: int, seed: int, analyse: Analysis | None = None
) -> RunColumns | Any:
    """Simulate one day: its columns, or ``analyse(scenario, rep, seed, columns)``."""
    columns = run_replication(scenario, rep, seed)
    return columns if analyse is None else analyse(scenario, rep, seed, columns)


@dataclass(frozen=True)
class Task:
    """One store day to simulate.

    Attributes
    ----------
    scenario : Scenario
        The validated scenario.
    rep : int
        Replication number (0-based).
    seed : int
        Root seed.
    tag : hashable, optional
        Anything the caller needs to file the result (a plan name, a storage key); stays in
        the parent.
    analyse : Analysis, optional
        Applied to the day's columns where the day ran; its value is the task's result.
    """

    scenario: Scenario
    rep: int
    seed: int
    tag: Hashable = None
    analyse: Analysis | None = None

    def run(self) -> RunColumns | Any:
        """Simulate this day here, now (see :func:`run_day`)."""
        return run_day(self.scenario, self.rep, self.seed, self.analyse)


def default_workers() -> int:
    """Cores this process may use (all of them unless an affinity mask says otherwise)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class Executor(ABC):
    """Runs tasks and yields ``(task, result)`` as each finishes (see :class:`Task`)."""

    workers: int = 1
    """Tasks that run at the same time (used to size batches)."""

    def __enter__(self) -> Executor:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:  # noqa: B027 - optional hook
        """Start workers (called by ``__enter__``); a no-op unless overridden."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Stop workers, cancelling queued tasks; a no-op unless overridden."""

    @abstractmethod
    def map(self, tasks: Iterable[Task]) -> Iterator[tuple[Task, Any]]:
        """Run ``tasks``; yield each with its result as soon as it finishes (any order)."""

    @abstractmethod
    def describe(self) -> str:
        """A short description for messages and manifests."""


class SequentialExecutor(Executor):
    """Runs each task in this process, one after the other, in the order given."""

    workers = 1

    def map(self, tasks: Iterable[Task]) -> Iterator[tuple[Task, Any]]:
        for task in tasks:
            yield task, task.run()

    def describe(self) -> str:
        return "sequential (1 process)"


def _worker_init(parent_pid: int) -> None:
    """Pool worker set-up: leave Ctrl-C to the parent, and exit if the parent dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="checkoutsim-parent-watch", daemon=True).start()


def _ready() -> int:
    return os.getpid()


class PoolExecutor(Executor):
    """A pool of local worker processes (``concurrent.futures.ProcessPoolExecutor``).

    Parameters
    ----------
    workers : int
        Worker processes (at least 2; use :class:`SequentialExecutor` for one).

    Notes
    -----
    The workers are started in :meth:`start`, before any progress bar or other thread of the
    caller exists. Workers ignore SIGINT (the parent handles Ctrl-C and cancels what is
    queued) and exit on their own if the parent process is killed. At most a few tasks per
    worker are queued at a time, so cancelling is quick and memory stays flat.
    """

    def __init__(self, workers: int):
        if workers < 2:
            raise ExecutorError(f"a process pool needs at least 2 workers, got {workers}")
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        if self._pool is not None:
            return
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers, initializer=_worker_init, initargs=(os.getpid(),)
        )
        # Start every worker now (not lazily, from inside a running progress bar's thread).
        for future in [self._pool.submit(_ready) for _ in range(self.workers)]:
            future.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def map(self, tasks: Iterable[Task]) -> Iterator[tuple[Task, Any]]:
        self.start()
        pool = self._pool
        assert pool is not None
        window = 4 * self.workers
        pending: dict[Future[Any], Task] = {}
        todo = iter(tasks)
        try:
            while True:
                for task in todo:
                    future = pool.submit(run_day, task.scenario, task.rep, task.seed, task.analyse)
                    pending[future] = task
                    if len(pending) >= window:
                        break
                if not pending:
                    return
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    task = pending.pop(future)
                    yield task, future.result()
        finally:
            for future in pending:
                future.cancel()

    def describe(self) -> str:
        return f"process pool ({self.workers} workers)"


class DaskExecutor(Executor):
    """Tasks sent to a ``dask.distributed`` cluster.

    Parameters
    ----------
    address : str
        A scheduler address (``tcp://host:8786``), or ``"local"`` to start a
        ``LocalCluster`` on this machine for the duration of the ``with`` block.
    workers : int, optional
        Workers of a local cluster (default: all cores). Ignored for a remote scheduler.
    processes : bool
        Local cluster only: worker processes (True, the useful setting: the model is pure
        Python) or threads in this process (False: quick to start, for tests).
    timeout_s : float
        Seconds to wait for a remote scheduler.

    Notes
    -----
    Needs the optional extra: ``pip install 'checkoutsim[dask]'``. Workers of a remote cluster
    must have checkoutsim installed (same version) to unpickle scenarios and results.
    """

    def __init__(
        self,
        address: str,
        workers: int | None = None,
        *,
        processes: bool = True,
        timeout_s: float = 10.0,
    ):
        self.address = address
        self.workers = workers or default_workers()
        self.processes = processes
        self.timeout_s = timeout_s
        self._client: Any = None
        self._cluster: Any = None

    def start(self) -> None:
        if self._client is not None:
            return
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ExecutorError(
                "--dask needs the optional dependency dask.distributed: "
                "pip install 'checkoutsim[dask]'"
            ) from None
        try:
            if self.address == "local":
                self._cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=self.processes,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self._client = Client(self._cluster)
            else:
                self._client = Client(self.address, timeout=f"{self.timeout_s}s")
                cores = sum(self._client.nthreads().values())
                self.workers = max(1, cores)
        except (OSError, TimeoutError, ValueError) as exc:
            self.close()
            raise ExecutorError(
                f"cannot reach the dask scheduler at {self.address!r}: {exc}"
            ) from None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def map(self, tasks: Iterable[Task]) -> Iterator[tuple[Task, Any]]:
        from distributed import as_completed

        self.start()
        client = self._client
        window = 4 * self.workers
        pending: dict[Any, Task] = {}
        todo = iter(tasks)
        stream = as_completed()

        def fill() -> None:
            for task in todo:
                future = client.submit(
                    run_day, task.scenario, task.rep, task.seed, task.analyse, pure=False
                )
                pending[future] = task
                stream.add(future)
                if len(pending) >= window:
                    return

        try:
            fill()
            for future in stream:
                task = pending.pop(future)
                columns = future.result()
                future.release()
                yield task, columns
                fill()
        finally:
            if pending:
                client.cancel(list(pending))

    def describe(self) -> str:
        if self.address == "local":
            kind = "processes" if self.processes else "threads"
            return f"dask LocalCluster ({self.workers} workers, {kind})"
        return f"dask scheduler {self.address} ({self.workers} threads)"


def make_executor(
    workers: int | None = None, dask: str | None = None, tasks: int | None = None
) -> Executor:
    """The executor for command-line style settings.

    Parameters
    ----------
    workers : int, optional
        Local worker processes; ``None`` means all cores, 1 means run in this process.
    dask : str, optional
        A Dask scheduler address, or ``"local"`` for a local Dask cluster; overrides the
        process pool.
    tasks : int, optional
        How many tasks will run; with one task (or none) no pool is started.

    Returns
    -------
    Executor
        Not yet started; use it in a ``with`` block.
    """
    if workers is not None and workers < 1:
        raise ExecutorError(f"workers must be at least 1, got {workers}")
    if dask is not None:
        return DaskExecutor(dask, workers)
    n = default_workers() if workers is None else workers
    if tasks is not None:
        n = min(n, max(tasks, 1))
    return SequentialExecutor() if n <= 1 else PoolExecutor(n)
