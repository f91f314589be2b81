"""Cost per customer against the number of cashier lanes: 10, 100 and 1,000 lanes, one run.

Usage::

    .venv/bin/python benchmarks/lanes.py            # 10, 100, 1,000 lanes
    .venv/bin/python benchmarks/lanes.py --quick    # tiny sizes (a smoke run)

Each store is the same cashier-only front end scaled up: ``N`` regular lanes all staffed all
day, no kiosks, every lane loaded to rho 0.85 (arrivals proportional to the lanes), customers
choosing by ``expected_wait``. Time is compressed as in ``benchmarks/run.py`` (arrival rate x k,
every service time / k) so that each day holds about the same number of customers whatever
``N``: the queueing per lane is the same, only the number of lanes to choose among changes.

For each ``N`` the CPU time per customer of ``run_replication`` (population draws included,
best of the repeats) is reported, with its ratio to the 10-lane store measured in the same run,
both with the lane index the model uses and with the scan of
every open lane that it replaced (fewer customers: the scan of 1,000 lanes is slow). Both must
give identical customer columns (checked here on the 100-lane day). No test times this.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from checkoutsim.model.population import draw_population
from checkoutsim.model.store import StoreModel
from checkoutsim.model.streams import Streams
from checkoutsim.scenario.schema import Scenario

SEED = 20261126
LANES = (10, 100, 1_000)
RHO = 0.85
DAY_MIN = 16 * 60
SERVICE_MIN = 0.40 + 0.05 * 12 + 0.25
"""Mean cashier service time before compression: fixed 0.40 + 12 items x 0.05 + payment 0.25."""
FULL = {"customers": 20_000, "scan_customers": 5_000, "repeats": 3}
QUICK = {"customers": 2_000, "scan_customers": 1_000, "repeats": 1}
QUICK_LANES = (10, 100)


def lanes_scenario(lanes: int, customers: int) -> Scenario:
    """``lanes`` staffed cashier lanes at rho 0.85, time compressed to about ``customers``."""
    per_lane_per_hour = RHO / SERVICE_MIN * 60.0
    k = customers / (per_lane_per_hour * lanes * DAY_MIN / 60.0)
    interval = min(1440.0, max(5.0, 5.0 / k))
    return Scenario.model_validate(
        {
            "name": f"lanes_{lanes}",
            "store": {"open": "06:00", "close": "22:00"},
            "arrivals": {
                "profile": [
                    {
                        "start": "06:00",
                        "end": "22:00",
                        "customers_per_hour": per_lane_per_hour * lanes * k,
                    }
                ]
            },
            "customers": {
                "basket_items": {"kind": "fixed", "value": 12},
                "payment_min": {"kind": "exponential", "mean": 0.25 / k},
                "patience_min": None,
                "balking": None,
                "channel": {"never_kiosk_share": 1.0, "prefer_kiosk_share": 0.0},
            },
            "cashiers": {
                "lanes": lanes,
                "scan_min_per_item": {"kind": "gamma", "mean": 0.05 / k, "sd": 0.02 / k},
                "fixed_min": {"kind": "gamma", "mean": 0.40 / k, "sd": 0.15 / k},
            },
            "kiosks": {
                "count": 0,
                "scan_min_per_item": {"kind": "fixed", "value": 0.1},
                "fixed_min": {"kind": "fixed", "value": 0.3},
            },
            "attendants": {"walk_min": {"kind": "fixed", "value": 0.1}},
            "staffing": [{"start": "06:00", "end": "22:00", "cashiers": lanes, "attendants": 0}],
            # Time stretched (k < 1) stretches the drain too: a coarser time series keeps it short.
            "run": {"lane_choice": "expected_wait", "sample_interval_min": interval},
        }
    )


def _day(scenario: Scenario, indexed: bool) -> tuple[float, dict[str, np.ndarray]]:
    """CPU seconds of one day (population draws included) and its customer columns."""
    t0 = time.process_time()
    population = draw_population(scenario, Streams(SEED, 0))
    # The last customers' services are stretched with the day: allow them the same stretch.
    k = scenario.cashiers.fixed_min.mean / 0.40
    drain = max(360.0, 360.0 / k)
    columns = StoreModel(scenario, population, drain_limit_min=drain, indexed_lanes=indexed).run()
    return time.process_time() - t0, columns.customers


def bench_lanes(
    customers: int, scan_customers: int, repeats: int = 1, lanes: tuple[int, ...] = LANES
) -> dict[str, float]:
    """Microseconds per customer for each lane count, indexed and scanned, and the ratios."""
    out: dict[str, float] = {}
    for mode, size, indexed in (("index", customers, True), ("scan", scan_customers, False)):
        for n in lanes:
            scenario = lanes_scenario(n, size)
            best = math.inf
            for _ in range(repeats):
                seconds, cols = _day(scenario, indexed)
                best = min(best, seconds / cols["arrival_min"].size)
            out[f"{mode}_{n}_us"] = best * 1e6
            out[f"{mode}_{n}_customers"] = float(cols["arrival_min"].size)
        for n in lanes:
            out[f"{mode}_{n}_ratio"] = out[f"{mode}_{n}_us"] / out[f"{mode}_{lanes[0]}_us"]
    check = lanes_scenario(lanes[min(1, len(lanes) - 1)], scan_customers)
    a, b = _day(check, True)[1], _day(check, False)[1]
    same = [np.array_equal(a[key], b[key], equal_nan=a[key].dtype.kind == "f") for key in a]
    out["identical"] = float(all(same))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    lanes = QUICK_LANES if args.quick else LANES
    result = bench_lanes(sizes["customers"], sizes["scan_customers"], sizes["repeats"], lanes)
    for mode in ("index", "scan"):
        cells = ", ".join(
            f"{n:,} lanes {result[f'{mode}_{n}_us']:.1f} us (x{result[f'{mode}_{n}_ratio']:.2f})"
            for n in lanes
        )
        print(f"{mode:>5}: {cells}")
    print(f"index and scan give identical customers: {bool(result['identical'])}")


if __name__ == "__main__":
    main()
