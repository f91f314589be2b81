"""Smoke test of benchmarks/run.py on tiny sizes: well-formed figures, never timings.

Speed is not asserted anywhere (the machine may be shared); what is checked is what a broken
benchmark would get wrong: the hand-written M/M/c must agree with the model customer by
customer, the parallel run must reproduce the sequential results, the memory figures must be
consistent with each other, and the table must land between the markers of the document.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _positive(values: dict[str, float], *keys: str) -> None:
    for key in keys:
        assert math.isfinite(values[key]) and values[key] > 0, key


def test_benchmark_figures_are_well_formed(bench: ModuleType, tmp_path: Path) -> None:
    mmc = bench.bench_mmc(1_500)
    _positive(mmc, "customers", "checkoutsim_s", "simpy_s", "checkoutsim_per_s", "simpy_per_s")
    assert mmc["ratio"] == pytest.approx(mmc["simpy_s"] / mmc["checkoutsim_s"])
    # Same customers, same FCFS servers: the hand-written model must give the same waits.
    assert mmc["max_wait_difference_min"] < 1e-9
    assert mmc["wait_mean_min"] > 0  # rho 0.8 on 4 servers: someone waits

    # The compressed day keeps the load: arrivals x k and service / k.
    scenario = bench.compressed_mmc(10_000)
    base = bench.load_scenario(ROOT / "scenarios" / "validation" / "mmc.yaml")
    rate = scenario.arrivals.profile[0].customers_per_hour
    k = rate / base.arrivals.profile[0].customers_per_hour
    assert k == pytest.approx(10_000 / 1_024)
    assert scenario.kiosks.scan_min_per_item.mean * k == pytest.approx(3.0)

    full = bench.bench_full(1)
    _positive(full, "customers", "seconds", "customers_per_s")
    assert full["s_per_replication"] == full["seconds"]

    par = bench.bench_parallel(2, workers=2, spin=100_000)
    assert par["tasks"] == 4 and par["identical"] == 1.0
    _positive(par, "compare_1_s", "compare_n_s", "speedup", "simulate_speedup", "ceiling")
    _positive(par, "compare_n_workers_cpu_s", "compare_idle_bound", "simulate_idle_bound")

    mem = bench.bench_memory(5_000)
    _positive(mem, "customers", "recorder_bytes_per_customer", "peak_bytes_per_customer")
    # The traced peak includes everything the recorder returns, and more.
    assert mem["peak_bytes_per_customer"] >= mem["recorder_bytes_per_customer"]

    lanes = bench.bench_lanes(1_000, 500, 1, (10, 40))
    _positive(lanes, "index_10_us", "index_40_us", "scan_10_us", "scan_40_us")
    assert lanes["index_10_ratio"] == 1.0 and lanes["scan_10_ratio"] == 1.0
    assert lanes["index_40_ratio"] == pytest.approx(lanes["index_40_us"] / lanes["index_10_us"])
    assert lanes["identical"] == 1.0  # the index chooses what the scan chose
    assert bench.figures(mmc, full, par, mem, lanes)[-1].name.startswith("Lane choice, 40 lanes")

    rows = bench.figures(mmc, full, par, mem)
    assert len(rows) == 6 and all(math.isfinite(r.value) for r in rows)
    block = bench.markdown(rows, "test")
    assert block.startswith(bench.BEGIN) and block.endswith(bench.END)
    assert block.count("\n| ") == 7  # header and six rows

    doc = tmp_path / "performance.md"
    doc.write_text(f"# Title\n\nbefore\n\n{bench.BEGIN}\nold\n{bench.END}\n\nafter\n")
    bench.write_doc(block, doc)
    text = doc.read_text()
    assert text.startswith("# Title\n\nbefore\n\n" + bench.BEGIN)
    assert text.endswith(bench.END + "\n\nafter\n") and "old" not in text

    doc.write_text("no markers\n")
    with pytest.raises(ValueError, match="no line"):
        bench.write_doc(block, doc)


def test_startup_benchmark_times_every_command_once() -> None:
    spec = importlib.util.spec_from_file_location(
        "bench_startup", ROOT / "benchmarks" / "startup.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    medians = module.time_commands(runs=1)
    assert set(medians) == set(module.COMMANDS)
    assert all(math.isfinite(t) and t > 0 for pair in medians.values() for t in pair)


@pytest.fixture(scope="module")
def hourly() -> ModuleType:
    sys.path.insert(0, str(ROOT / "benchmarks"))  # it imports versions.py's export
    try:
        spec = importlib.util.spec_from_file_location(
            "bench_hourly", ROOT / "benchmarks" / "hourly_metrics.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return module


def test_hourly_metrics_hash_sees_every_bit_and_every_layout_change(hourly: ModuleType) -> None:
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"hour": [0, 1], "value": [0.0, 1.0]})
    base = hourly.digest(frame)
    assert hourly.digest(frame.copy()) == base
    changed = [
        frame.assign(value=[-0.0, 1.0]),  # the sign bit of a zero
        frame.assign(value=[0.0, np.nextafter(1.0, 2.0)]),  # the last bit
        frame.iloc[::-1].reset_index(drop=True),  # row order
        frame.astype({"hour": "int32"}),  # a dtype
        frame.rename(columns={"hour": "clock_hour"}),  # a column name
        frame[["value", "hour"]],  # column order
        frame.set_axis([5, 6]),  # the index
    ]
    assert len({base, *(hourly.digest(f) for f in changed)}) == len(changed) + 1
    assert hourly.digest((frame, frame)) != base  # a pair of tables hashes both


def test_hourly_metrics_report_flags_a_different_table_and_notes_a_skipped_one(
    hourly: ModuleType,
) -> None:
    def run(seconds: float, hashes: dict[str, str], skipped: dict[str, str]) -> dict:
        return {"tables": {k: [seconds, h] for k, h in hashes.items()}, "skipped": skipped}

    same = {"old": [run(0.02, {"a": "x"}, {})], "new": [run(0.01, {"a": "x"}, {})]}
    lines, differ = hourly.compare("OLD", same)
    assert not differ and lines[-1] == "| a | 20.0 | 10.0 | 2.0x | yes |"

    runs = {
        "old": [run(0.02, {"a": "x"}, {"b": "has no f"}), run(0.03, {"a": "x"}, {"b": "has no f"})],
        "new": [run(0.01, {"a": "y", "b": "z"}, {})],
    }
    lines, differ = hourly.compare("OLD", runs)
    assert differ and "| a | 20.0 | 10.0 | 2.0x | **no** |" in lines  # best of the rounds
    assert lines[-1] == "skipped b: OLD has no f" and not any(
        line.startswith("| b") for line in lines
    )
