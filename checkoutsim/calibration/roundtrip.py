"""The round trip: logs exported from a known scenario, calibrated back, compared with the
truth. Used by the test (one seed) and by ``benchmarks/calibration_coverage.py`` (many)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from checkoutsim.calibration.estimates import Estimate
from checkoutsim.calibration.export import export_logs, write_logs
from checkoutsim.calibration.pipeline import Calibrated, calibrate
from checkoutsim.scenario.schema import Scenario

__all__ = ["known_scenario", "parameter_checks", "round_trip"]


def known_scenario(base: Scenario) -> Scenario:
    """``base`` with nobody balking or reneging: a till then logs every arrival, so the
    arrival rates are recoverable (a real store's logs miss lost customers; docs/calibrate.md)."""
    return base.with_overrides({"customers": {"balking": None, "patience_min": None}})


def round_trip(
    truth: Scenario, days: int, seed: int, *, preferences: bool = False, workers: int | None = 1
) -> Calibrated:
    """Export ``days`` days of ``truth`` at ``seed`` and calibrate them back (base: ``truth``)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_logs(export_logs(truth, days, seed), folder)
        return calibrate(folder, truth, preferences=preferences, workers=workers)


def parameter_checks(truth: Scenario, done: Calibrated) -> list[tuple[str, float, Estimate]]:
    """``(parameter, true value, estimate)`` for every recovered parameter with an interval."""
    cal = done.calibration
    out: list[tuple[str, float, Estimate]] = []
    for section, channel in (("cashiers", "cashier"), ("kiosks", "kiosk")):
        part = getattr(truth, section)
        fit = cal.services[channel]
        out += [
            (f"{section}.fixed_min.mean", part.fixed_min.mean, fit.fixed_mean),
            (f"{section}.fixed_min.sd", part.fixed_min.variance**0.5, fit.fixed_sd),
            (f"{section}.scan_min_per_item.mean", part.scan_min_per_item.mean, fit.scan_mean),
            (f"{section}.scan_min_per_item.sd", part.scan_min_per_item.variance**0.5, fit.scan_sd),
        ]
    basket = truth.customers.basket_items
    if cal.basket.mean is not None and cal.basket.sd is not None:
        out += [
            ("basket_items.mean", basket.mean, cal.basket.mean),
            ("basket_items.sd", basket.variance**0.5, cal.basket.sd),
        ]
    by_name = {c.name: c for c in cal.causes}
    for cause in truth.kiosks.confusion:
        got = by_name[cause.name]
        out += [
            (f"confusion.{cause.name}.probability", cause.probability, got.probability),
            (f"confusion.{cause.name}.resolve.mean", cause.resolve_min.mean, got.resolve_mean),
            (f"confusion.{cause.name}.resolve.sd", cause.resolve_min.variance**0.5, got.resolve_sd),
        ]
    pay = truth.customers.payment_min
    if cal.payment is not None and pay.kind == "empirical":
        weights = pay._weights()
        for k, method in enumerate(cal.payment.methods):
            j = int(method.rsplit("_", 1)[1]) - 1
            out += [
                (f"payment.{method}.minutes", pay.values[j], cal.payment.times[k]),
                (f"payment.{method}.share", weights[j], cal.payment.shares[k]),
            ]
    if cal.preferences is not None:
        share = truth.customers.channel
        out += [
            ("channel.never_kiosk_share", share.never_kiosk_share, cal.preferences.never),
            ("channel.prefer_kiosk_share", share.prefer_kiosk_share, cal.preferences.prefer),
        ]
    open_min = truth.store.open_min
    a = cal.arrivals
    for j, rate in enumerate(a.rates):
        mid = open_min + (a.starts_min[j] + a.ends_min[j]) / 2
        block = next(
            b
            for b in truth.arrivals.profile
            if truth.minutes_after_open(b.start) + open_min
            <= mid
            < truth.minutes_after_open(b.end) + open_min
        )
        out.append((f"arrivals.{a.starts_min[j]}min", block.customers_per_hour, rate))
    return out
