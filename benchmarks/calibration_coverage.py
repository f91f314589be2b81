"""Round-trip coverage of the calibration's 95% intervals over several seeds.

Exports DAYS simulated days of a known scenario (weekday.yaml without balking or reneging) per
seed, calibrates them back and counts how often each true parameter lies in its interval.
Run: ``python benchmarks/calibration_coverage.py [seeds] [days] [--preferences]``
(docs/calibrate.md quotes it; with ``--preferences`` each seed also fits the channel
preference shares by simulation, about 45 s a seed on 2 cores).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from checkoutsim.calibration.roundtrip import known_scenario, parameter_checks, round_trip
from checkoutsim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    preferences = "--preferences" in sys.argv
    seeds = int(args[0]) if args else 20
    days = int(args[1]) if len(args) > 1 else 5
    truth = known_scenario(load_scenario(ROOT / "scenarios/weekday.yaml"))
    hits: dict[str, list[bool]] = defaultdict(list)
    for seed in range(1, seeds + 1):
        done = round_trip(truth, days, seed, preferences=preferences, workers=None)
        if preferences:
            p = done.calibration.preferences
            assert p is not None
            print(f"seed {seed}: never {p.never}, prefer {p.prefer}", flush=True)
        for name, value, est in parameter_checks(truth, done):
            group = "arrivals (every block)" if name.startswith("arrivals.") else name
            hits[group].append(est.covers(value))
    total = sum(sum(v) for v in hits.values())
    count = sum(len(v) for v in hits.values())
    print(f"{seeds} seeds x {days} days; coverage of the 95% intervals:")
    for name, h in hits.items():
        print(f"  {name:45s} {sum(h):4d}/{len(h):<4d} {sum(h) / len(h):6.1%}")
    print(f"  {'all':45s} {total:4d}/{count:<4d} {total / count:6.1%}")


if __name__ == "__main__":
    main()
