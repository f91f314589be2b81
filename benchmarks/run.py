"""The performance benchmark: five figures, each a rate or a ratio measured in one run.

Usage::

    .venv/bin/python benchmarks/run.py            # full sizes, rewrites docs/performance.md
    .venv/bin/python benchmarks/run.py --quick    # tiny sizes, prints only (a smoke run)
    make bench

1. **M/M/c throughput**: ``scenarios/validation/mmc.yaml`` with time compressed until the day
   holds about 100,000 customers (arrival rate x k, service mean / k: the same M/M/4 at the same
   rho) against a minimal hand-written SimPy M/M/c (a process per customer, one
   ``simpy.Resource``) fed the very same arrival and service draws. Customers per second for
   both, and the ratio. The two must agree on every customer's wait (a check, not a timing).
2. **Full model**: ``weekday.yaml`` store days on one core, customers per second and seconds per
   replication (population draws included).
3. **Parallel**: a two-plan comparison (weekday vs lean staffing, 64 replications each) with 1
   and with 2 workers, end to end through :func:`checkoutsim.compare` (what a user waits
   for) and for the simulation tasks alone; the results must be identical. Beside them, what
   the machine allowed (a busy loop on as many processes, before and after) and the speed-up
   the CPU times actually used would give on an idle machine.
4. **Memory**: a run of about one million customers (the compressed M/M/c day): the recorder's
   column bytes per customer (``numpy.ndarray.nbytes`` of everything it returns) and the
   tracemalloc peak of the whole replication (population draws, SimPy, recorder) per customer.
5. **Lanes**: CPU time per customer of a 1,000-lane store against a 10-lane one at the same
   load per lane (``benchmarks/lanes.py``), with the lane index and with the scan it replaced.

One-core timings (1, 2) are CPU seconds of this process, the best of three runs (the machine
may be shared: the best run is the one least disturbed); the parallel timing (3) is wall-clock
seconds, pool start-up included. Never used in a timed test: ``tests/test_benchmarks_smoke.py``
only checks that these functions return well-formed figures on tiny sizes.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import simpy

from checkoutsim import load_scenario
from checkoutsim.experiments.compare import compare
from checkoutsim.experiments.executors import PoolExecutor, SequentialExecutor, Task
from checkoutsim.model.population import Population, draw_population
from checkoutsim.model.store import run_replication
from checkoutsim.model.streams import Streams
from checkoutsim.results.folder import atomic_write_text
from checkoutsim.scenario.schema import Scenario

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lanes import LANES, bench_lanes  # a sibling script, not a package

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
DOC = ROOT / "docs" / "performance.md"
BEGIN = "<!-- bench:begin (written by benchmarks/run.py; do not edit by hand) -->"
END = "<!-- bench:end -->"
SEED = 20261126
CPU = time.process_time
"""One-core figures use this process's CPU time: other jobs on a shared machine then slow
them far less than they slow wall-clock time. The parallel figure is wall-clock time."""

FULL = {
    "mmc": 100_000,
    "full": 20,
    "parallel": 64,
    "memory": 1_000_000,
    "repeats": 3,
    "spin": 4_000_000,
    "lane_customers": 20_000,
    "lane_scan_customers": 5_000,
}
QUICK = {
    "mmc": 3_000,
    "full": 2,
    "parallel": 2,
    "memory": 20_000,
    "repeats": 1,
    "spin": 200_000,
    "lane_customers": 2_000,
    "lane_scan_customers": 1_000,
}


@dataclass(frozen=True)
class Figure:
    """One row of the benchmark table."""

    name: str
    value: float
    unit: str
    target: str
    met: bool | None
    detail: str


# -- helpers ----------------------------------------------------------------------------------
def best_time(
    fn: Callable[[], Any], repeats: int, clock: Callable[[], float] = time.perf_counter
) -> tuple[float, Any]:
    """Smallest time of ``repeats`` calls of ``fn`` (seconds, on ``clock``), and its result."""
    best, result = math.inf, None
    for _ in range(repeats):
        t0 = clock()
        result = fn()
        best = min(best, clock() - t0)
    return best, result


def compressed_mmc(customers: int) -> Scenario:
    """``mmc.yaml`` with time compressed so that the day holds about ``customers`` customers.

    Arrival rate x k and mean service time / k keep rho and c (the same M/M/4 queue, with
    minutes shrunk by k), so the work per customer is the model's, not a different load's.
    """
    base = load_scenario(SCENARIOS / "validation" / "mmc.yaml")
    expected = sum(
        b.customers_per_hour
        / 60.0
        * (base.minutes_after_open(b.end) - base.minutes_after_open(b.start))
        for b in base.arrivals.profile
    )
    k = customers / expected
    profile = [
        {"start": b.start, "end": b.end, "customers_per_hour": b.customers_per_hour * k}
        for b in base.arrivals.profile
    ]
    scan = base.kiosks.scan_min_per_item
    return base.with_overrides(
        {
            "name": "mmc_compressed",
            "arrivals": {"profile": profile},
            "kiosks": {"scan_min_per_item": {"kind": "exponential", "mean": scan.mean / k}},
        }
    )


def simpy_mmc(servers: int, arrival_min: np.ndarray, service_min: np.ndarray) -> np.ndarray:
    """A minimal hand-written SimPy M/M/c: a process per customer and one ``simpy.Resource``.

    Returns every customer's wait in the queue (minutes), recorded into a preallocated array
    as the model records it.
    """
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=servers)
    wait = np.zeros(arrival_min.shape[0])

    def customer(i: int, service: float) -> Any:
        arrived = env.now
        with desk.request() as req:
            yield req
            wait[i] = env.now - arrived
            yield env.timeout(service)

    def source() -> Any:
        for i, (t, s) in enumerate(zip(arrival_min.tolist(), service_min.tolist(), strict=True)):
            yield env.timeout(t - env.now)
            env.process(customer(i, s))

    env.process(source())
    env.run()
    return wait


def _spin(n: int) -> int:
    """Pure-Python busy work: what a perfectly parallel CPU-bound task looks like."""
    total = 0
    for k in range(n):
        total += k
    return total


def machine_ceiling(workers: int, n: int = 4_000_000) -> float:
    """Speed-up of ``workers`` processes over one on perfectly parallel busy work, now.

    On a machine other jobs are using, this is the most any parallel run could get; the
    parallel figure is read against it.
    """
    t0 = time.perf_counter()
    for _ in range(workers):
        _spin(n)
    sequential = time.perf_counter() - t0
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_ready, range(workers)))  # started before the clock
        t0 = time.perf_counter()
        list(pool.map(_spin, [n] * workers))
        parallel = time.perf_counter() - t0
    return sequential / parallel


def _ready(_: int) -> None:
    return None


def _draws(scenario: Scenario, rep: int) -> Population:
    return draw_population(scenario, Streams(SEED, rep))


# -- the benchmarks --------------------------------------------------------------------------
def bench_mmc(customers: int, repeats: int = 1) -> dict[str, float]:
    """checkoutsim's M/M/c against the hand-written SimPy model on the same customers.

    checkoutsim is timed end to end (``run_replication``: population draws included); the
    hand-written model gets its draws for free (taken from the same population beforehand), so
    the ratio is on the conservative side for checkoutsim.
    """
    scenario = compressed_mmc(customers)
    pop = _draws(scenario, 0)
    service = pop.kiosk_work_min + pop.payment_min
    t_ours = t_simpy = math.inf
    for _ in range(repeats):  # alternate, so that both see the same machine
        t, cols = best_time(lambda: run_replication(scenario, 0, SEED), 1, CPU)
        t_ours = min(t_ours, t)
        t, wait = best_time(
            lambda: simpy_mmc(scenario.kiosks.count, pop.arrival_min, service), 1, CPU
        )
        t_simpy = min(t_simpy, t)
    n = pop.size
    ours = cols.customers["queue_wait_min"]
    return {
        "customers": float(n),
        "checkoutsim_s": t_ours,
        "simpy_s": t_simpy,
        "checkoutsim_per_s": n / t_ours,
        "simpy_per_s": n / t_simpy,
        "ratio": t_simpy / t_ours,
        "max_wait_difference_min": float(np.max(np.abs(ours - wait))) if n else 0.0,
        "wait_mean_min": float(ours.mean()) if n else 0.0,
    }


def bench_full(replications: int, repeats: int = 1) -> dict[str, float]:
    """Weekday store days on one core: customers per second and seconds per replication."""
    scenario = load_scenario(SCENARIOS / "weekday.yaml")

    def days() -> int:
        return sum(
            run_replication(scenario, rep, SEED).customers["arrival_min"].shape[0]
            for rep in range(replications)
        )

    elapsed, customers = best_time(days, repeats, CPU)
    return {
        "replications": float(replications),
        "customers": float(customers),
        "seconds": elapsed,
        "customers_per_s": customers / elapsed,
        "s_per_replication": elapsed / replications,
    }


def bench_parallel(
    replications: int, workers: int = 2, repeats: int = 1, spin: int = 4_000_000
) -> dict[str, float]:
    """A two-plan comparison with 1 and with ``workers`` workers (pool start-up included).

    ``spin`` sizes the busy loop of :func:`machine_ceiling`, measured first.
    """
    plans = {
        "weekday": load_scenario(SCENARIOS / "weekday.yaml"),
        "lean_staffing": load_scenario(SCENARIOS / "lean_staffing.yaml"),
    }
    tasks = [Task(s, rep, SEED, tag=n) for n, s in plans.items() for rep in range(replications)]

    def sim_only(ex: Any) -> float:
        with ex:
            return sum(float(c.end_min) for _, c in ex.map(tasks))

    cores = len(os.sched_getaffinity(0))
    load = os.getloadavg()[0]
    ceiling = machine_ceiling(workers, spin)
    t_sim1 = t_sim2 = t1 = t2 = cpu1 = cpu2 = cmp1 = parent = children = math.inf
    for _ in range(repeats):  # alternate, so that both see the same machine
        c0 = CPU()
        t, end1 = best_time(lambda: sim_only(SequentialExecutor()), 1)
        t_sim1, cpu1 = min(t_sim1, t), min(cpu1, CPU() - c0)
        # The workers' CPU time reaches RUSAGE_CHILDREN when the pool has shut down.
        c0 = _children_cpu()
        t, end2 = best_time(lambda: sim_only(PoolExecutor(workers)), 1)
        t_sim2, cpu2 = min(t_sim2, t), min(cpu2, _children_cpu() - c0)
        c0 = CPU()
        t, seq = best_time(lambda: compare(plans, replications, SEED, workers=1), 1)
        t1, cmp1 = min(t1, t), min(cmp1, CPU() - c0)
        c0, k0 = CPU(), _children_cpu()
        t, par = best_time(lambda: compare(plans, replications, SEED, workers=workers), 1)
        t2 = min(t2, t)
        parent, children = min(parent, CPU() - c0), min(children, _children_cpu() - k0)
    identical = seq.differences.equals(par.differences) and end1 == end2
    return {
        "tasks": float(len(tasks)),
        "workers": float(workers),
        "compare_1_s": t1,
        "compare_n_s": t2,
        "speedup": t1 / t2,
        "simulate_1_s": t_sim1,
        "simulate_n_s": t_sim2,
        "simulate_speedup": t_sim1 / t_sim2,
        "compare_1_cpu_s": cmp1,
        "compare_n_parent_cpu_s": parent,
        "compare_n_workers_cpu_s": children,
        # The best an idle machine could do with the CPU time each side really needed: the
        # parent's work, a worker's share, and everything spread over every core all bound
        # the wall time from below.
        "compare_idle_bound": cmp1
        / max(parent, children / min(workers, cores), (parent + children) / cores),
        "simulate_idle_bound": cpu1 / (cpu2 / min(workers, cores)),
        "simulate_1_cpu_s": cpu1,
        "simulate_n_cpu_s": cpu2,
        "identical": float(identical),
        "load_before": load,
        "ceiling": ceiling,
        "ceiling_after": machine_ceiling(workers, spin),
        "load_after": os.getloadavg()[0],
    }


def _children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_memory(customers: int) -> dict[str, float]:
    """Bytes per customer: recorder columns (nbytes) and the tracemalloc peak of a whole run."""
    scenario = compressed_mmc(customers)
    tracemalloc.start()
    try:
        cols = run_replication(scenario, 0, SEED)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    n = cols.customers["arrival_min"].shape[0]
    recorded = sum(
        a.nbytes for part in (cols.customers, cols.assists, cols.timeseries) for a in part.values()
    )
    return {
        "customers": float(n),
        "recorder_bytes_per_customer": recorded / n,
        "peak_bytes_per_customer": peak / n,
        "peak_mib": peak / 2**20,
    }


# -- report -----------------------------------------------------------------------------------
def figures(
    mmc: dict[str, float],
    full: dict[str, float],
    par: dict[str, float],
    mem: dict[str, float],
    lanes: dict[str, float] | None = None,
) -> list[Figure]:
    """The table rows, with targets (the lane row only when ``lanes`` is given)."""
    rows = [
        Figure(
            "M/M/c vs hand-written SimPy (ratio)",
            mmc["ratio"],
            "x",
            ">= 1.0",
            mmc["ratio"] >= 1.0,
            f"{mmc['customers']:,.0f} customers: checkoutsim {mmc['checkoutsim_per_s']:,.0f}/s,"
            f" SimPy {mmc['simpy_per_s']:,.0f}/s; max wait difference"
            f" {mmc['max_wait_difference_min']:.1e} min",
        ),
        Figure(
            "Full model, weekday, one core",
            full["customers_per_s"],
            "customers/s",
            ">= 20,000",
            full["customers_per_s"] >= 20_000,
            f"{full['s_per_replication']:.3f} s per replication"
            f" ({full['customers'] / full['replications']:,.0f} customers per day,"
            f" {full['replications']:.0f} days)",
        ),
        Figure(
            f"Parallel, {par['workers']:.0f} workers: the simulation tasks",
            par["simulate_speedup"],
            "x",
            ">= 1.8",
            par["simulate_speedup"] >= 1.8,
            f"{par['tasks']:.0f} store days (two plans x {par['tasks'] / 2:.0f} replications)"
            f" on the executors: {par['simulate_1_s']:.2f} s -> {par['simulate_n_s']:.2f} s;"
            f" meanwhile a busy loop on {par['workers']:.0f} processes got"
            f" {par['ceiling']:.2f}x before and {par['ceiling_after']:.2f}x after (load average"
            f" {par['load_before']:.1f}, {par['load_after']:.1f})",
        ),
        Figure(
            f"Parallel, {par['workers']:.0f} workers: compare, end to end",
            par["speedup"],
            "x",
            ">= 1.8",
            par["speedup"] >= 1.8,
            f"the same days through compare(): {par['compare_1_s']:.2f} s ->"
            f" {par['compare_n_s']:.2f} s, per-day metrics computed in the workers; results"
            f" identical: {'yes' if par['identical'] else 'NO'}",
        ),
        Figure(
            "Parallel, bound for an idle machine",
            par["compare_idle_bound"],
            "x",
            "-",
            None,
            f"from the CPU time each side needed: compare {par['compare_1_cpu_s']:.2f} s"
            f" sequential; with {par['workers']:.0f} workers {par['compare_n_parent_cpu_s']:.2f} s"
            f" in the parent, {par['compare_n_workers_cpu_s']:.2f} s in the workers; simulation"
            f" tasks alone {par['simulate_1_cpu_s']:.2f} s sequential,"
            f" {par['simulate_n_cpu_s']:.2f} s in the workers, bound"
            f" {par['simulate_idle_bound']:.2f}x",
        ),
        Figure(
            "Memory, recorder columns",
            mem["recorder_bytes_per_customer"],
            "bytes/customer",
            "<= 300",
            mem["recorder_bytes_per_customer"] <= 300,
            f"{mem['customers']:,.0f} customers; tracemalloc peak of the whole run"
            f" {mem['peak_bytes_per_customer']:,.0f} bytes/customer ({mem['peak_mib']:,.0f} MiB)",
        ),
    ]
    if lanes is not None:
        counts = sorted({int(key.split("_")[1]) for key in lanes if key.endswith("_us")})
        most, fewest = counts[-1], counts[0]
        ratio = lanes[f"index_{most}_ratio"]
        per = ", ".join(f"{n:,} {lanes[f'index_{n}_us']:.1f} us" for n in counts)
        scan = ", ".join(f"{n:,} x{lanes[f'scan_{n}_ratio']:.1f}" for n in counts)
        rows.append(
            Figure(
                f"Lane choice, {most:,} lanes vs {fewest} (time per customer)",
                ratio,
                "x",
                "<= 1.5",
                ratio <= 1.5,
                f"per customer with the lane index: {per} (rho 0.85 per lane, about"
                f" {lanes[f'index_{most}_customers']:,.0f} customers a day); the scan of every"
                f" lane it replaced: {scan}; identical customers:"
                f" {'yes' if lanes['identical'] else 'NO'}",
            )
        )
    return rows


def markdown(rows: list[Figure], command: str) -> str:
    """The generated block of ``docs/performance.md``."""
    lines = [
        BEGIN,
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `{command}`"
        f" (Python {sys.version.split()[0]}, SimPy {simpy.__version__},"
        f" numpy {np.__version__}).",
        "",
        "| figure | value | target | met | detail |",
        "|---|---:|---|---|---|",
    ]
    for r in rows:
        met = "n/a" if r.met is None else ("yes" if r.met else "**no**")
        value = f"{r.value:,.2f} {r.unit}" if r.value < 100 else f"{r.value:,.0f} {r.unit}"
        lines.append(f"| {r.name} | {value} | {r.target} | {met} | {r.detail} |")
    lines += ["", END]
    return "\n".join(lines)


def write_doc(block: str, path: Path = DOC) -> None:
    """Replace the generated block of ``path`` (atomically), keeping the text around it."""
    text = path.read_text(encoding="utf-8") if path.exists() else f"{BEGIN}\n{END}\n"
    head, sep, rest = text.partition(BEGIN)
    if not sep:
        raise ValueError(f"{path}: no line {BEGIN!r} to put the table after")
    _, sep, tail = rest.partition(END)
    if not sep:
        raise ValueError(f"{path}: no line {END!r} after {BEGIN!r}")
    atomic_write_text(path, head + block + tail)


def print_table(rows: list[Figure]) -> None:
    """The table on the terminal (rich)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="checkoutsim benchmark")
    table.add_column("figure", min_width=20)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("target", no_wrap=True)
    table.add_column("met", no_wrap=True)
    table.add_column("detail", min_width=30)
    for r in rows:
        met = "-" if r.met is None else ("yes" if r.met else "[red]no[/red]")
        value = f"{r.value:,.2f}" if r.value < 100 else f"{r.value:,.0f}"
        table.add_row(r.name, f"{value} {r.unit}", r.target, met, r.detail)
    console = Console()
    # Not a terminal (make bench | tee): wide enough that the details stay readable.
    Console(width=max(console.width, 140)).print(table)


def run(sizes: dict[str, int], workers: int = 2) -> list[Figure]:
    """All five benchmarks at ``sizes`` (see :data:`FULL`, :data:`QUICK`)."""
    repeats = sizes["repeats"]
    mmc = bench_mmc(sizes["mmc"], repeats)
    full = bench_full(sizes["full"], repeats)
    par = bench_parallel(sizes["parallel"], workers, repeats, sizes["spin"])
    mem = bench_memory(sizes["memory"])
    counts = LANES if sizes is FULL else LANES[:2]
    lanes = bench_lanes(sizes["lane_customers"], sizes["lane_scan_customers"], repeats, counts)
    return figures(mmc, full, par, mem, lanes)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes; writes no file")
    parser.add_argument("--workers", "-w", type=int, default=2)
    parser.add_argument(
        "--out", type=Path, default=None, help=f"document to update (default {DOC.name})"
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    rows = run(sizes, args.workers)
    print_table(rows)
    out = args.out or (None if args.quick else DOC)
    if out is not None:
        command = "make bench" if not args.quick else "benchmarks/run.py --quick"
        write_doc(markdown(rows, command), out)
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
