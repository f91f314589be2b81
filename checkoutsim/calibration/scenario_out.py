"""The calibrated scenario: the base scenario with every fitted figure replaced, validated, and
written as YAML with a ``# fitted: n=..., 95% CI ...`` comment beside each fitted figure."""

from __future__ import annotations

import io
import math
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from checkoutsim.calibration.estimates import Estimate
from checkoutsim.calibration.fitting import Calibration
from checkoutsim.calibration.kiosk import CauseFit
from checkoutsim.calibration.service import ServiceFit
from checkoutsim.scenario.loader import _quote_times, scenario_from_mapping
from checkoutsim.scenario.schema import MAX_DAY_TO_DAY_CV, Scenario

__all__ = ["calibrated_scenario", "scenario_yaml"]

Path_ = tuple[str | int, ...]


def _r(value: float) -> float:
    """Four significant figures: more than any interval here supports."""
    return float(f"{value:.4g}")


def _piece(mean: Estimate, sd: Estimate, where: Path_, comments: dict[Path_, str]) -> dict:
    """A gamma service piece (shape is not identified from sums; gamma as the base's pieces)."""
    comments[(*where, "mean")] = mean.comment()
    if sd.value <= 1e-6 * max(mean.value, 1e-9):
        comments[(*where, "value")] = mean.comment() + " (no spread measured: fixed)"
        return {"kind": "fixed", "value": max(_r(mean.value), 0.0)}
    comments[(*where, "sd")] = sd.comment()
    return {"kind": "gamma", "mean": max(_r(mean.value), 1e-6), "sd": _r(sd.value)}


def _service(
    data: dict, section: str, fit: ServiceFit, payment_mean: float | None, comments: dict
) -> None:
    fixed = fit.fixed_mean
    if payment_mean is not None:  # no tender logged: the intercept holds the payment too
        fixed = Estimate(
            fixed.value - payment_mean,
            fixed.low - payment_mean,
            fixed.high - payment_mean,
            fixed.n,
            fixed.method + " less the base payment mean",
        )
    data[section]["scan_min_per_item"] = _piece(
        fit.scan_mean, fit.scan_sd, (section, "scan_min_per_item"), comments
    )
    data[section]["fixed_min"] = _piece(fixed, fit.fixed_sd, (section, "fixed_min"), comments)


def _resolve(cause: CauseFit, where: Path_, comments: dict) -> dict:
    if cause.chosen == "uniform" and cause.resolve_low and cause.resolve_high:
        comments[(*where, "low")] = cause.resolve_low.comment()
        comments[(*where, "high")] = cause.resolve_high.comment()
        return {
            "kind": "uniform",
            "low": _r(cause.resolve_low.value),
            "high": _r(cause.resolve_high.value),
        }
    comments[(*where, "mean")] = cause.resolve_mean.comment()
    if cause.chosen == "fixed":
        comments[(*where, "value")] = comments.pop((*where, "mean"))
        return {"kind": "fixed", "value": _r(cause.resolve_mean.value)}
    if cause.chosen == "exponential":
        return {"kind": "exponential", "mean": _r(cause.resolve_mean.value)}
    comments[(*where, "sd")] = cause.resolve_sd.comment()
    return {
        "kind": cause.chosen,
        "mean": _r(cause.resolve_mean.value),
        "sd": _r(cause.resolve_sd.value),
    }


def calibrated_scenario(
    cal: Calibration, base: Scenario, name: str = "calibrated"
) -> tuple[Scenario, dict[Path_, str]]:
    """The base scenario with the calibrated figures, validated, and the comment of each.

    Returns
    -------
    (Scenario, dict)
        The validated scenario and ``{key path: comment}`` for :func:`scenario_yaml`.
    """
    data = base.to_dict()
    comments: dict[Path_, str] = {}
    data["name"] = name
    data["description"] = (
        f"Calibrated by checkoutsim calibrate from {cal.transactions:,} transactions over "
        f"{cal.days} day(s); figures without a 'fitted' comment come from the base scenario "
        f"'{base.name}'."
    )
    a = cal.arrivals
    profile = []
    for j, rate in enumerate(a.rates):
        profile.append(
            {
                "start": _clock(base.store.open_min + a.starts_min[j]),
                "end": _clock(base.store.open_min + a.ends_min[j]),
                "customers_per_hour": _r(rate.value),
            }
        )
        comments[("arrivals", "profile", j, "customers_per_hour")] = rate.comment()
    data["arrivals"]["profile"] = profile
    if a.overdispersed and math.isfinite(a.day_cv) and len(a.days) > 1:
        # Days differ in demand beyond Poisson noise: the day-level multiplier the roster and
        # the p90-day figures use (arrivals.day_to_day_cv), a moment estimate from day totals.
        data["arrivals"]["day_to_day_cv"] = _r(min(a.day_cv, MAX_DAY_TO_DAY_CV))
        comments[("arrivals", "day_to_day_cv")] = (
            f"fitted: {len(a.days)} days, sqrt(var - mean) / mean of the day totals; "
            f"overdispersion chi-square p = {a.dispersion_p:.3g}"
        )
    b = cal.basket
    if b.mean is not None and b.sd is not None:
        data["customers"]["basket_items"] = {
            "kind": b.chosen,
            "mean": _r(b.mean.value),
            "sd": _r(b.sd.value),
        }
        comments[("customers", "basket_items", "mean")] = b.mean.comment() + f", {b.chosen} by AIC"
        comments[("customers", "basket_items", "sd")] = b.sd.comment()
    else:
        keep = b.counts > 0
        data["customers"]["basket_items"] = {
            "kind": "empirical",
            "values": [int(v) for v in b.values[keep]],
            "weights": [int(c) for c in b.counts[keep]],
        }
        comments[("customers", "basket_items", "kind")] = (
            f"fitted: n={int(b.counts.sum()):,}, {b.chosen} chosen by AIC, written as the "
            "observed frequencies"
        )
    base_payment = None
    if cal.payment is not None:
        p = cal.payment
        data["customers"]["payment_min"] = {
            "kind": "empirical",
            "values": [_r(t.value) for t in p.times],
            "weights": [_r(s.value) for s in p.shares],
        }
        for k, method in enumerate(p.methods):
            comments[("customers", "payment_min", "values", k)] = (
                f"{method}: " + p.times[k].comment()
            )
            comments[("customers", "payment_min", "weights", k)] = (
                f"{method}: " + p.shares[k].comment()
            )
    else:
        base_payment = base.customers.payment_min.mean
    ch = cal.channels
    if ch.kiosk_max_items:
        data["customers"]["kiosk_item_limit"] = ch.kiosk_max_items
        n_k = sum(s.n for s in ch.kiosk_share)
        comments[("customers", "kiosk_item_limit")] = (
            f"fitted: n={n_k:,}, the largest basket seen at a kiosk"
        )
    for section, channel in (("cashiers", "cashier"), ("kiosks", "kiosk")):
        if channel in cal.services:
            _service(data, section, cal.services[channel], base_payment, comments)
    if cal.causes:
        confusion = []
        for j, cause in enumerate(cal.causes):
            where: Path_ = ("kiosks", "confusion", j)
            confusion.append(
                {
                    "name": cause.name,
                    "per": cause.per,
                    "probability": _r(cause.probability.value),
                    "resolve_min": _resolve(cause, (*where, "resolve_min"), comments),
                    "at": cause.at,
                }
            )
            comments[(*where, "probability")] = cause.probability.comment() + f", per {cause.per}"
        data["kiosks"]["confusion"] = confusion
    data["kiosks"]["count"] = max(base.kiosks.count, cal.kiosks_seen)
    if cal.preferences is not None:
        pref = cal.preferences
        data["customers"]["channel"] = {
            "never_kiosk_share": _r(pref.never.value),
            "prefer_kiosk_share": _r(pref.prefer.value),
        }
        comments[("customers", "channel", "never_kiosk_share")] = pref.never.comment()
        comments[("customers", "channel", "prefer_kiosk_share")] = pref.prefer.comment()
    s = cal.staffing
    if s is not None:
        data["staffing"] = s.blocks
        data["cashiers"]["lanes"] = max(base.cashiers.lanes, s.regular_lanes)
        base_express = base.cashiers.express
        if s.express_lanes and not s.express_item_limit and base_express is None:
            # Express crew seen but no express limit known: counted as regular cashiers.
            for block in data["staffing"]:
                block["cashiers"] += block["express_cashiers"]
                block["express_cashiers"] = 0
            data["cashiers"]["lanes"] = max(
                data["cashiers"]["lanes"], max(b["cashiers"] for b in data["staffing"])
            )
        elif s.express_lanes and not s.express_item_limit and base_express is not None:
            data["cashiers"]["express"]["lanes"] = max(s.express_lanes, base_express.lanes)
        if s.express_lanes and s.express_item_limit:
            data["cashiers"]["express"] = {
                "lanes": max(
                    s.express_lanes, base.cashiers.express.lanes if base.cashiers.express else 0
                ),
                "item_limit": s.express_item_limit,
            }
            comments[("cashiers", "express", "item_limit")] = (
                "fitted: the largest basket seen at an express lane"
            )
        for j in range(len(s.blocks)):
            comments[("staffing", j, "cashiers")] = "from the rota: median crew over the days"
    scenario = scenario_from_mapping(data, "<calibrated scenario>")
    return scenario, comments


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _commented(node: Any) -> Any:
    if isinstance(node, dict):
        out = CommentedMap()
        for k, v in node.items():
            out[k] = _commented(v)
        return out
    if isinstance(node, list):
        return CommentedSeq([_commented(v) for v in node])
    return node


def scenario_yaml(scenario: Scenario, comments: dict[Path_, str], header: str = "") -> str:
    """YAML of ``scenario`` with each comment beside the figure its key path names."""
    tree = _commented(_quote_times(scenario.to_dict()))
    for path, text in comments.items():
        parent = tree
        for part in path[:-1]:
            parent = parent[part]
        parent.yaml_add_eol_comment(text, path[-1])
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.width = 4096
    buffer = io.StringIO()
    if header:
        buffer.write("".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()))
    yaml.dump(tree, buffer)
    return buffer.getvalue()
