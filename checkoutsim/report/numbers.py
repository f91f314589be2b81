"""How figures are written in tables: estimates, intervals and differences.

One place for the rules so the terminal tables and the HTML report agree:

* an estimate is ``mean ± half-width`` with two significant figures of the half-width (at
  most two decimals), so ``83.5 ± 112.4`` reads ``84 ± 112``;
* an interval is cut at the metric's natural range (counts and minutes at 0, percentages at
  0 and 100, CSAT at 1-5 ...); a cut interval is written ``mean [low, high]`` because it is no
  longer symmetric;
* a difference never uses scientific notation: minutes below a tenth of a minute are written
  in seconds, other figures with at most three decimals.
"""

from __future__ import annotations

import math

__all__ = [
    "decimals",
    "format_difference",
    "format_estimate",
    "metric_range",
]

_COUNTS = frozenset(
    {
        "arrivals",
        "served",
        "balked",
        "reneged",
        "abandoned_items",
        "coupons_used",
        "assists_per_customer",
        "overtaken_per_customer",
        "kiosk_outages",
        "staff_hours",
    }
)
_MONEY = frozenset(
    {
        "labour_cashier_cost",
        "labour_attendant_cost",
        "labour_floater_cost",
        "labour_cost",
        "kiosk_cost",
        "coupon_cost",
        "operating_cost",
        "cost_per_customer_served",
        "lost_sales",
        "lost_margin",
        "revenue_at_risk",
        "revenue_at_risk_checkout",
    }
)
_SCALES = {"csat_mean": (1.0, 5.0), "ces_mean": (1.0, 7.0), "nps": (-100.0, 100.0)}

_SECONDS_BELOW_MIN = 0.1
"""A difference in minutes whose interval is narrower than this (6 s) is written in seconds."""


def metric_range(metric: str | None) -> tuple[float, float] | None:
    """The values a metric can take, ``(low, high)``; None when unbounded or unknown.

    Counts, minutes and money are at least 0; percentages lie in 0-100; CSAT in 1-5, CES in
    1-7 and NPS in -100 to 100. Effects (``coupon_*_effect``) and differences are unbounded.
    """
    if metric is None:
        return None
    if metric in _SCALES:
        return _SCALES[metric]
    if metric.endswith("_pct"):
        return (0.0, 100.0)
    if metric in _COUNTS or metric in _MONEY or metric.endswith("_min"):
        return (0.0, math.inf)
    return None


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def decimals(mean: float, half_width: float | None = None, most: int = 2) -> int:
    """Decimals for a figure: by its size (0 from 100, 1 from 10, else 2), and no more than
    two significant figures of the half-width need; at most ``most``."""
    size = abs(mean)
    digits = 0 if size >= 99.95 else (1 if size >= 9.995 else most)
    if half_width is not None and math.isfinite(half_width) and half_width > 0:
        digits = min(digits, max(0, 1 - math.floor(math.log10(half_width))))
    return min(digits, most)


def _number(value: float, digits: int, signed: bool = False) -> str:
    text = f"{value:+,.{digits}f}" if signed else f"{value:,.{digits}f}"
    if value == 0:  # no "-0.00" for an exact zero; a small negative keeps its sign
        text = f"{0:+.{digits}f}" if signed else f"{0:.{digits}f}"
    return text


def format_estimate(mean: float, half_width: float | None = None, metric: str | None = None) -> str:
    """``mean ± half-width``, or ``mean [low, high]`` when the interval is cut at the range of
    ``metric`` (see :func:`metric_range`); ``-`` for a missing value.

    A mean that is not a number gives ``-``; a missing half-width gives the mean alone.
    """
    if _missing(mean):
        return "-"
    half = None if _missing(half_width) else float(half_width)  # type: ignore[arg-type]
    digits = decimals(mean, half)
    text = _number(mean, digits)
    if half is None:
        return text
    bounds = metric_range(metric)
    if bounds is not None and half > 0:
        low, high = max(mean - half, bounds[0]), min(mean + half, bounds[1])
        if (low, high) != (mean - half, mean + half):
            ends = (f"{end:g}" if end in bounds else _number(end, digits) for end in (low, high))
            return f"{text} [{', '.join(ends)}]"
    return f"{text} ± {_number(half, digits)}"


def format_difference(
    mean: float, low: float, high: float, metric: str | None = None, scale: float | None = None
) -> tuple[str, str]:
    """A paired difference and its interval as ``("+0.26", "[+0.11, +0.41]")``.

    Two significant figures of the interval's half-width, at most three decimals, never
    scientific notation. A difference of minutes (``metric`` ending in ``_min``) with an
    interval narrower than 0.1 min is given in seconds (``"+1.4 s"``). Missing values give
    ``"-"``. ``scale`` (the base plan's figure) sets the decimals of a difference with no
    spread (``-90`` for labour, not ``-90.00``).
    """
    if _missing(mean):
        return "-", "-"
    factor, unit = 1.0, ""
    half = (high - low) / 2 if not (_missing(low) or _missing(high)) else math.nan
    spread = max(half, abs(mean))
    tiny = math.isfinite(half) and spread > 0 and spread < _SECONDS_BELOW_MIN
    if metric is not None and metric.endswith("_min") and tiny:
        factor, unit = 60.0, " s"
    if math.isfinite(half) and half > 0:
        most = 2 if unit else 3
        digits = max(0, min(most, 1 - math.floor(math.log10(half * factor))))
    else:
        size = abs(mean) if scale is None or _missing(scale) else max(abs(mean), abs(scale))
        digits = decimals(size * factor)
    diff = _number(mean * factor, digits, signed=True) + unit
    if not math.isfinite(half):
        return diff, "-"
    interval = (
        f"[{_number(low * factor, digits, signed=True)}, "
        f"{_number(high * factor, digits, signed=True)}]{unit}"
    )
    return diff, interval
