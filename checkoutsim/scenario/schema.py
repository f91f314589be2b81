"""The scenario schema: everything a store day needs, validated once into frozen typed objects.

Conventions held throughout:

* time of day is a quoted ``"HH:MM"`` string; inside the model every time is **minutes after
  opening**;
* every duration is in **minutes** and its key ends in ``_min`` (``scan_min_per_item`` is
  minutes per item);
* rates say their unit in the key (``customers_per_hour``);
* unknown keys are errors (``extra="forbid"``) and numbers are strict (``true`` is not ``1``,
  ``inf`` and ``nan`` are refused).

Loading from YAML with file/line-aware errors lives in :mod:`checkoutsim.scenario.loader`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from checkoutsim._limits import MAX_REPLICATIONS, MAX_SEED
from checkoutsim.scenario.breaks import BlockCounts, BreakTimes, break_problems
from checkoutsim.scenario.distributions import Distribution, ValidatedCopy
from checkoutsim.scenario.targets import check_known, parse_target

__all__ = [
    "BYTES_PER_CUSTOMER",
    "DEFAULT_MEMORY_BUDGET_MB",
    "END_OF_DAY",
    "NAME_PATTERN",
    "NAME_RULE",
    "ArrivalBlock",
    "Arrivals",
    "Attendants",
    "Backup",
    "Balking",
    "BankGeometry",
    "Cashiers",
    "ChannelPreference",
    "ConfusionCause",
    "ConsistencyError",
    "Costs",
    "CsatCurve",
    "Customers",
    "DayEstimate",
    "EffortCurve",
    "EndTimeOfDay",
    "ExpressLanes",
    "Jockeying",
    "KioskFault",
    "Kiosks",
    "Name",
    "NpsModel",
    "PerceivedWait",
    "RunSettings",
    "Satisfaction",
    "Scenario",
    "ServiceRecovery",
    "StaffBreak",
    "StaffingBlock",
    "StaffingFile",
    "Store",
    "Switching",
    "TargetText",
    "TimeOfDay",
    "cross_field_problems",
    "deep_merge",
    "estimate_day",
    "parse_time_of_day",
]

_CONFIG = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

_TIME_RE = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])|24:00")

END_OF_DAY = "24:00"
"""The end of the day: allowed as a closing time and as a block's end, never as a start."""

NAME_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}$"
"""Names that become labels, file names or folder names (scenario, confusion cause, plan
variant, sweep): 1 to 64 letters, digits, ``_``, ``.`` and ``-``, not starting with ``.`` or
``-``. So a name is always one safe path component (never ``..``, never hidden, no ``/``)
and plain text in a plot label (no ``$`` for matplotlib's math text)."""

NAME_RULE = (
    "1 to 64 letters, digits, '_', '.' and '-', starting with a letter, digit or '_' "
    "(it names a results folder and labels plots)"
)
""":data:`NAME_PATTERN` in words, for error messages."""


def parse_time_of_day(text: str) -> int:
    """Minutes after midnight of an ``"HH:MM"`` string.

    Parameters
    ----------
    text : str
        Time of day, 24-hour clock, for example ``"08:00"`` or ``"17:30"``; ``"24:00"`` is the
        end of the day (1,440 minutes).

    Returns
    -------
    int
        Minutes after midnight, 0 to 1,440.
    """
    match = _TIME_RE.fullmatch(text)
    if match is None:
        raise ValueError(
            f"expected a time of day as 'HH:MM' (24-hour clock, 00:00 to 23:59, or 24:00 "
            f"for the end of the day), got {text!r}"
        )
    if text == END_OF_DAY:
        return 24 * 60
    return int(match.group(1)) * 60 + int(match.group(2))


def _time_of_day(value: Any, *, end: bool) -> Any:
    # YAML 1.1 readers turn an unquoted 10:30 into the integer 630 (base 60); refuse numbers
    # outright rather than guess which reading the author meant.
    if isinstance(value, (bool, int | float)):
        raise ValueError(
            f"expected a time of day as a quoted 'HH:MM' string, got the number {value!r} "
            '(write it in quotes, e.g. "10:30")'
        )
    if isinstance(value, str):
        parse_time_of_day(value)
        if value == END_OF_DAY and not end:
            raise ValueError(
                "24:00 is the end of the day: use it for a closing time or the end of a "
                'block; a day or a block that starts at midnight starts at "00:00"'
            )
    return value


def _check_time_of_day(value: Any) -> Any:
    return _time_of_day(value, end=False)


def _check_end_time(value: Any) -> Any:
    return _time_of_day(value, end=True)


TimeOfDay = Annotated[str, BeforeValidator(_check_time_of_day)]
"""A quoted ``"HH:MM"`` time of day, ``"00:00"`` to ``"23:59"``."""

EndTimeOfDay = Annotated[str, BeforeValidator(_check_end_time)]
"""A quoted ``"HH:MM"`` time of day that ends something: ``"00:00"`` to ``"24:00"``."""


def _check_label(value: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in value) or "\\" in value:
        raise ValueError(f"expected a label without control characters or '\\', got {value!r}")
    if value.count("$") > 1:
        raise ValueError(
            f"expected a label with at most one '$' (plots read text between two as math), "
            f"got {value!r}"
        )
    return value


Name = Annotated[str, Field(pattern=NAME_PATTERN)]
"""A name that may become a label, a file name or a folder (see :data:`NAME_PATTERN`)."""

Probability = Annotated[float, Field(ge=0.0, le=1.0)]

# -- ranges -------------------------------------------------------------------------------------
# Every number a scenario holds has a range a real store reaches with a wide margin, so that
# whatever passes validation runs to a sensible end (no overflow, no hang, no exhausted memory
# from one value). The reasoning of each is in docs/parameters.md ("Ranges").

MAX_UNITS = 1_000
"""Most lanes, express lanes, kiosks or attendants (physical or staffed). A hypermarket has
30-60 lanes and 10-30 kiosks; 1,000 is a wide margin and keeps indices small."""

MAX_CUSTOMERS_PER_HOUR = 10_000.0
"""Highest arrival rate of a block. The busiest hypermarkets see 1,000-2,000 customers an hour
at peak (the shipped weekday peaks at 320)."""

MAX_DAY_TO_DAY_CV = 0.5
"""Largest coefficient of variation of the day-level demand multiplier. Day-to-day forecast
errors of retail and call-centre volume, after day-of-week effects, are about 5-20%; at 0.5 a
day beyond three times the mean demand has probability about 0.2% and beyond four times about
1e-4 (gamma, shape 4), so the memory estimate, made at mean demand, stays a fair guide."""

MAX_BASKET_MEAN_ITEMS = 1_000.0
"""Largest mean basket, items (shipped: 12-15; a trolley for a party holds a few hundred)."""

MAX_ITEM_LIMIT = 10_000
"""Largest express-lane or kiosk item limit (shipped: 10 and 25)."""

MAX_DURATION_MIN = 1_440.0
"""Longest mean of a duration (a service piece, payment, patience, help) and the longest target
wait or sample interval, minutes: one day. Real service pieces take seconds to minutes."""

MAX_SCAN_MIN_PER_ITEM = 60.0
"""Longest mean scanning time per item, minutes (shipped: 0.05 at a lane, 0.13 at a kiosk)."""

MIN_SAMPLE_INTERVAL_MIN = 0.1
"""Shortest time-series interval, minutes: 6 seconds is finer than any staffing decision, and a
24-hour day then holds at most 14,400 samples."""


MAX_CONFUSION_CAUSES = 50
"""Most confusion causes at the kiosks (shipped: 4; the published breakdowns name 4-6)."""

MAX_KIOSK_FAULTS = 20
"""Most kinds of kiosk fault (scanner, printer paper, cash full, ...); shipped: 3."""
MAX_FAULTS_PER_KIOSK_HOUR = 60.0
"""Highest fault rate of one kind, per kiosk per hour switched on (one a minute: a kiosk that
fails that often is broken, not faulty; shipped rates are 0.01-0.1)."""
MAX_OTHER_WORK_SHARE = 0.9
"""Largest share of an attendant's time on other work: at 1 nobody would ever watch the kiosks
(a freeze could wait for ever)."""
MAX_NOTICE_GROWTH = 10.0
"""Largest growth of the notice delay per freeze already open per attendant on duty (shipped
0.5): at 10 the delay with five freezes open is 51 times the base."""
MAX_BANK_METRES = 10_000.0
"""Longest distance in a kiosk bank's geometry, metres (a real bank spans 5-30 m)."""
ID_CHECK_NAMES = frozenset({"age_check", "id_check", "age_verification", "id_verification"})
"""Cause names taken as an ID check even without ``id_check: true``: always cleared in person."""

MAX_BALKING_STEEPNESS = 50.0
"""Steepest balking curve, per waiting customer: at 50 the chance of balking goes from under 1%
to over 99% within a fifth of a customer, already a hard threshold (shipped: 0.6)."""

MAX_BALKING_MIDPOINT = 1_000.0
"""Largest balking midpoint, customers waiting in the chosen line: beyond the longest line a
store with :data:`MAX_UNITS` lanes could show."""

MAX_WEIGHT = 100.0
"""Largest dimensionless weight or points-per-unit factor of the experience model (shipped
values are 0.25 to 2.5)."""

MAX_MONEY = 1e9
"""Largest amount of money, in any currency (a yearly customer value in yen or rupiah stays
well below it)."""

MAX_COUPONS = 10_000
"""Most coupons a staff member holds per shift (shipped: 10)."""

DEFAULT_MEMORY_BUDGET_MB = 2_048
"""Default ``run.memory_budget_mb``: at the measured :data:`BYTES_PER_CUSTOMER` it admits a day
of about 1.3 million customers (200,000 need about 320 MB) and refuses 10 million (16 GB)."""

BYTES_PER_CUSTOMER = 1_600
"""Peak bytes per simulated customer of one day, measured with tracemalloc on the shipped
weekday scenario (``simulate(scenario, replications=1, seed=1)`` with its result tables built):
1,559 bytes at 2,850 customers, 1,575 at 11,267 and 1,527 at 28,510 (rates x4 and x10);
rounded up. See docs/parameters.md, "Capacity guard"."""

BYTES_PER_ITEM = 16
"""Bytes per basket item: two float64 draws (cashier and kiosk scanning) held while they are
summed per customer. Measured as no visible cost at 120 items a basket; kept as a bound."""

BYTES_PER_CONFUSION_EVENT = 100
"""Bytes per kiosk confusion event drawn (owner, cause, position, resolve and walk times, and
the assist record)."""

BYTES_PER_SAMPLE = 100
"""Bytes per time-series sample (ten numbers)."""


def _mean_at_most(limit: float, unit: str) -> Any:
    """An after-validator refusing a distribution whose mean exceeds ``limit``."""

    def check(dist: Any) -> Any:
        if dist.mean > limit:
            raise ValueError(
                f"the mean is {dist.mean:,.6g} {unit}; at most {limit:,.6g} {unit} is allowed "
                "here (see docs/parameters.md, Ranges)"
            )
        return dist

    return AfterValidator(check)


Duration = Annotated[Distribution, _mean_at_most(MAX_DURATION_MIN, "minutes")]
"""A distribution of minutes with a mean of at most :data:`MAX_DURATION_MIN`."""

PerItemDuration = Annotated[Distribution, _mean_at_most(MAX_SCAN_MIN_PER_ITEM, "minutes per item")]
"""A distribution of minutes per item with a mean of at most :data:`MAX_SCAN_MIN_PER_ITEM`."""

BasketSize = Annotated[Distribution, _mean_at_most(MAX_BASKET_MEAN_ITEMS, "items")]
"""A distribution of items with a mean of at most :data:`MAX_BASKET_MEAN_ITEMS`."""

Units = Annotated[int, Field(ge=0, le=MAX_UNITS)]
"""A count of lanes, kiosks or staff, 0 to :data:`MAX_UNITS`."""

ItemLimit = Annotated[int, Field(ge=1, le=MAX_ITEM_LIMIT)]
"""An item limit, 1 to :data:`MAX_ITEM_LIMIT` items."""

Minutes = Annotated[float, Field(ge=0, le=MAX_DURATION_MIN)]
"""A number of minutes, 0 to :data:`MAX_DURATION_MIN`."""

Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT)]
"""A dimensionless weight, 0 to :data:`MAX_WEIGHT`."""

Money = Annotated[float, Field(ge=0, le=MAX_MONEY)]
"""An amount of money, 0 to :data:`MAX_MONEY`."""


def _check_target(text: str) -> str:
    """A service target as written, once its syntax and metric name are known to be good."""
    check_known(parse_target(text))
    return text


TargetText = Annotated[str, Field(max_length=200), AfterValidator(_check_target)]
"""``METRIC<=VALUE`` or ``METRIC>=VALUE`` (see :mod:`checkoutsim.scenario.targets`)."""


class ConsistencyError(ValueError):
    """Cross-field problems, each with the key path it concerns.

    Raised from model validators so that loaders can map each problem to its YAML line.
    """

    def __init__(self, problems: list[tuple[tuple[str | int, ...], str]]):
        self.problems = problems
        super().__init__("; ".join(f"{_dotted(loc)}: {msg}" for loc, msg in problems))


def _dotted(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


class _Model(ValidatedCopy):
    model_config = _CONFIG


class Store(_Model):
    """Opening hours. After closing nobody arrives and everybody inside is served (drain)."""

    open: TimeOfDay = Field(description="Opening time, 'HH:MM' (00:00 to 23:59).")
    close: EndTimeOfDay = Field(
        description="Closing time, 'HH:MM', after opening, same day; '24:00' for a store open "
        "until midnight (with open '00:00': a 24-hour store)."
    )

    @property
    def open_min(self) -> int:
        """Opening time in minutes after midnight."""
        return parse_time_of_day(self.open)

    @property
    def day_length_min(self) -> int:
        """Minutes from opening to closing."""
        return parse_time_of_day(self.close) - self.open_min


class ArrivalBlock(_Model):
    """A stretch of the day with a constant arrival rate."""

    start: TimeOfDay = Field(description="Start of the block, 'HH:MM'.")
    end: EndTimeOfDay = Field(description="End of the block, 'HH:MM' ('24:00' = midnight).")
    customers_per_hour: Annotated[float, Field(ge=0, le=MAX_CUSTOMERS_PER_HOUR)] = Field(
        description="Mean arrivals per hour in this block (Poisson process), 0 to 10,000: the "
        "busiest hypermarkets see 1,000-2,000 an hour at peak."
    )


class Arrivals(_Model):
    """Non-homogeneous Poisson arrivals with a piecewise-constant rate by time of day.

    With ``day_to_day_cv > 0`` the whole day's rate is scaled by one gamma draw per day, so
    arrivals form a gamma-mixed (doubly stochastic) Poisson process: day totals are
    overdispersed, with variance ``mean + (cv * mean)^2`` instead of ``mean``.
    """

    profile: list[ArrivalBlock] = Field(
        min_length=1,
        max_length=1_440,
        description="Blocks covering opening to closing without gaps or overlaps (at most "
        "1,440: one a minute).",
    )
    day_to_day_cv: Annotated[float, Field(ge=0.0, le=MAX_DAY_TO_DAY_CV)] = Field(
        default=0.0,
        description="Coefficient of variation (dimensionless, 0 to 0.5) of a day-level demand "
        "multiplier: each simulated day draws one gamma factor with mean 1 and this CV and "
        "multiplies every block's rate by it (a doubly stochastic Poisson day, Jongbloed and "
        "Koole 2001). 0 (the default) = every day has the profile's mean demand, as before; "
        "0.10 is the stated default of scenarios/week.yaml (docs/parameters.md).",
    )

    @property
    def varies(self) -> bool:
        """Whether days differ in mean demand (``day_to_day_cv > 0``)."""
        return self.day_to_day_cv > 0


class Balking(_Model):
    """Balking on arrival as a logistic function of the visible queue length.

    P(balk | L customers waiting) = 1 / (1 + exp(-steepness * (L - midpoint_queue_length)))
    for L >= 1; nobody balks at an empty queue.
    """

    midpoint_queue_length: Annotated[float, Field(gt=0, le=MAX_BALKING_MIDPOINT)] = Field(
        description="Customers waiting in the chosen line at which half of arrivals balk, above "
        "0 and at most 1,000 (longer than any line a store can show)."
    )
    steepness_per_customer: Annotated[float, Field(gt=0, le=MAX_BALKING_STEEPNESS)] = Field(
        description="Logistic slope per waiting customer; larger is a sharper threshold. Above 0 "
        "and at most 50: at 50 the chance goes from 1% to 99% within a fifth of a customer."
    )


class ChannelPreference(_Model):
    """How customers split between cashier lanes and kiosks."""

    never_kiosk_share: Probability = Field(
        description="Share of customers who never use a kiosk (cashier only)."
    )
    prefer_kiosk_share: Probability = Field(
        description="Share who use a kiosk whenever they may (basket within the kiosk limit)."
    )

    @model_validator(mode="after")
    def _shares(self) -> ChannelPreference:
        if self.never_kiosk_share + self.prefer_kiosk_share > 1.0 + 1e-12:
            raise ConsistencyError(
                [(("prefer_kiosk_share",), "never_kiosk_share + prefer_kiosk_share must be <= 1")]
            )
        return self


Tolerance = Annotated[float, Field(gt=0, le=MAX_DURATION_MIN)]
"""A wait in minutes a customer will accept before switching channel, above 0 and at most a
day."""


class Switching(_Model):
    """Customers whose channel preference gives way to a long line (issue 13).

    A customer compares the wait they see, in minutes (customers ahead times the mean service
    time, as the ``expected_wait`` policy estimates it), with their tolerance; past it they take
    the other channel if it looks quicker. Either key may be null: that preference never gives
    way.
    """

    never_kiosk_tolerance_min: Tolerance | None = Field(
        default=None,
        description="A never-kiosk customer uses the kiosks when the cashier wait they see "
        "exceeds this many minutes and the kiosks look quicker; null = never. Above 0, at most "
        "1,440.",
    )
    kiosk_tolerance_min: Tolerance | None = Field(
        default=None,
        description="A prefer-kiosk customer goes to a cashier when the kiosk wait they see "
        "exceeds this many minutes and a lane looks quicker; null = never. Above 0, at most "
        "1,440.",
    )


class Customers(_Model):
    """What customers bring and how they behave."""

    basket_items: BasketSize = Field(
        description="Items per basket; draws are rounded to the nearest whole item, at least 1. "
        "Mean at most 1,000 items (shipped: 12-15)."
    )
    payment_min: Duration = Field(
        description="Minutes to pay, at a lane or a kiosk; mean at most 1,440 (a day)."
    )
    patience_min: Duration | None = Field(
        default=None,
        description="Minutes a customer will queue before abandoning the cart; null = unlimited. "
        "Mean at most 1,440 (a day).",
    )
    balking: Balking | None = Field(default=None, description="Balking rule; null = nobody balks.")
    channel: ChannelPreference
    kiosk_item_limit: ItemLimit | None = Field(
        default=None,
        description="Largest basket (items) allowed at a kiosk, 1 to 10,000; null = no limit.",
    )
    switching: Switching | None = Field(
        default=None,
        description="Channel switching when a line is long; null = preferences never give way.",
    )
    jockeying: Jockeying | None = Field(
        default=None,
        description="Cashier-line customers who move to a shorter lane; null = nobody moves.",
    )


class ExpressLanes(_Model):
    """Express cashier lanes for small baskets."""

    lanes: Units = Field(description="Physical express lanes, 0 to 1,000.")
    item_limit: ItemLimit = Field(description="Largest basket (items) allowed, 1 to 10,000.")


PerLane = Annotated[float, Field(ge=0, le=MAX_BALKING_MIDPOINT)]
"""Customers waiting per open lane, 0 to 1,000 (longer than any line a store can show)."""

QueueLength = Annotated[int, Field(ge=0, le=MAX_UNITS)]
"""Customers waiting in one line, 0 to 1,000."""


class Backup(_Model):
    """The "call for backup" rule: floaters open closed lanes when lines build (issue 13).

    When more customers wait per open cashier lane than ``open_above_waiting_per_lane`` (or
    more wait for a kiosk than ``open_above_kiosk_queue``), a free floater (``floaters`` in
    the staffing block) is called and opens the lowest-numbered closed regular lane
    ``response_min`` minutes later. Once the lines have stayed below the lower thresholds for
    ``quiet_min`` minutes, one floater lane closes: it takes nobody new, serves its line, and
    its floater is free when the lane is empty.
    """

    open_above_waiting_per_lane: PerLane = Field(
        description="Call a floater when more than this many customers wait (not counting "
        "those in service) per open cashier lane, lanes already called for counted as open. "
        "0 to 1,000 (Kroger's '1+1': 1; its former '1+2': 2)."
    )
    close_below_waiting_per_lane: PerLane = Field(
        default=1.0,
        description="A floater lane may close once fewer than this many customers wait per open "
        "lane, for quiet_min minutes; at most open_above_waiting_per_lane. 0 to 1,000.",
    )
    open_above_kiosk_queue: QueueLength | None = Field(
        default=None,
        description="Also call a floater when more than this many customers wait for a kiosk "
        "(one call at a time); null = the kiosk line never calls. 0 to 1,000.",
    )
    close_below_kiosk_queue: QueueLength | None = Field(
        default=None,
        description="With open_above_kiosk_queue: a floater lane may close only while fewer "
        "than this many wait for a kiosk; null = the kiosk line does not hold lanes open. "
        "0 to 1,000, at most open_above_kiosk_queue.",
    )
    response_min: Minutes = Field(
        default=2.0,
        description="Minutes from the call to the lane opening (the floater leaves their task "
        "and walks to the front), 0 to 1,440.",
    )
    quiet_min: Minutes = Field(
        default=5.0,
        description="Minutes the lines must stay below the lower thresholds before a floater "
        "lane closes, 0 to 1,440.",
    )

    @model_validator(mode="after")
    def _hysteresis(self) -> Backup:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        if self.close_below_waiting_per_lane > self.open_above_waiting_per_lane:
            problems.append(
                (
                    ("close_below_waiting_per_lane",),
                    "must be at most open_above_waiting_per_lane "
                    f"({self.open_above_waiting_per_lane:g}), or lanes would open and close "
                    "on the same line",
                )
            )
        kiosk_open, kiosk_close = self.open_above_kiosk_queue, self.close_below_kiosk_queue
        if kiosk_close is not None and kiosk_open is None:
            problems.append(
                (("close_below_kiosk_queue",), "needs open_above_kiosk_queue (the call rule)")
            )
        if kiosk_open is not None and kiosk_close is not None and kiosk_close > kiosk_open:
            problems.append(
                (
                    ("close_below_kiosk_queue",),
                    f"must be at most open_above_kiosk_queue ({kiosk_open})",
                )
            )
        if problems:
            raise ConsistencyError(problems)
        return self


class Jockeying(_Model):
    """Customers in a cashier line who move to a lane that opened or got much shorter."""

    min_gain_customers: Annotated[int, Field(ge=1, le=MAX_UNITS)] = Field(
        description="The last customer of a line moves to another open lane they may use when "
        "it has at least this many fewer customers ahead of them (waiting plus in service) "
        "than their own. 1 to 1,000."
    )


class Cashiers(_Model):
    """Staffed cashier lanes: one queue per lane."""

    lanes: Units = Field(
        description="Physical regular lanes, 0 to 1,000 (a hypermarket has 30-60)."
    )
    scan_min_per_item: PerItemDuration = Field(
        description="Cashier minutes per item scanned; mean at most 60 (shipped: 0.05)."
    )
    fixed_min: Duration = Field(
        description="Fixed minutes per transaction besides scanning and paying (greeting, bags); "
        "mean at most 1,440."
    )
    express: ExpressLanes | None = None
    backup: Backup | None = Field(
        default=None,
        description="The 'call for backup' rule for floaters (staffing[*].floaters); null = no "
        "lane opens on demand.",
    )


class ConfusionCause(_Model):
    """One reason a kiosk freezes and needs an attendant."""

    name: Name = Field(
        description="Cause label, e.g. unexpected_item: 1 to 64 letters, digits, _ . - (it "
        "labels plots and tables, so no spaces or symbols such as $)."
    )
    per: Literal["item", "transaction"] = Field(
        description="Whether probability applies to each item scanned or once per transaction."
    )
    probability: Probability = Field(description="Chance per item or per transaction, 0 to 1.")
    resolve_min: Duration = Field(
        description="Minutes the attendant needs at the kiosk to clear it (after walking over); "
        "mean at most 1,440."
    )
    at: Literal["scan", "payment"] = Field(
        default="scan",
        description="When it strikes: during scanning (at a random item) or at payment.",
    )
    clearing: Literal["in_person", "remote"] = Field(
        default="in_person",
        description="How an attendant clears it: in_person (walk to the kiosk, then resolve) "
        "or remote (resolve from a handheld where the attendant stands, no walk). ID checks "
        "are always in_person.",
    )
    id_check: StrictBool = Field(
        default=False,
        description="True if clearing needs the customer's ID seen (age check): always "
        "in_person. Causes named age_check, id_check, age_verification or id_verification "
        "count as ID checks too.",
    )
    priority: Annotated[int, Field(ge=1, le=MAX_CONFUSION_CAUSES)] = Field(
        default=1,
        description="Rank under attendants.dispatch: priority, 1 (first) to 50; equal ranks "
        "are served first come, first served.",
    )

    @property
    def is_id_check(self) -> bool:
        """Whether this cause needs the customer's ID seen (so an attendant in person)."""
        return self.id_check or self.name.lower() in ID_CHECK_NAMES


class KioskFault(_Model):
    """One way a kiosk goes out of order (scanner fault, receipt paper, cash full)."""

    name: Name = Field(description="Fault label, e.g. receipt_paper (names rows of the faults).")
    per_kiosk_hour: Annotated[float, Field(ge=0, le=MAX_FAULTS_PER_KIOSK_HOUR)] = Field(
        description="Faults per kiosk per hour switched on (a Poisson process), 0 to 60."
    )
    repair_min: Duration = Field(
        description="Minutes the kiosk stays out of order once its customer has left: the "
        "attendant's resolve time (after walking over), or the technician's whole call-out "
        "(travel + repair); mean at most 1,440."
    )
    cleared_by: Literal["attendant", "technician"] = Field(
        description="attendant: joins the attendants' help queue like a freeze (walk + "
        "repair_min); technician: out of order for repair_min without attendant time."
    )
    priority: Annotated[int, Field(ge=1, le=MAX_CONFUSION_CAUSES)] = Field(
        default=1, description="Rank under attendants.dispatch: priority (1 first)."
    )


class Kiosks(_Model):
    """The self-checkout bank: one shared queue feeding all open kiosks."""

    count: Units = Field(description="Physical kiosks, 0 to 1,000 (a large bank has 10-30).")
    scan_min_per_item: PerItemDuration = Field(
        description="Customer minutes per item at a kiosk; mean at most 60 (shipped: 0.13)."
    )
    fixed_min: Duration = Field(
        description="Fixed minutes per kiosk transaction (start, bags); mean at most 1,440."
    )
    confusion: list[ConfusionCause] = Field(
        default_factory=list,
        max_length=MAX_CONFUSION_CAUSES,
        description="Reasons a kiosk freezes, at most 50 (published breakdowns name 4-6).",
    )
    faults: list[KioskFault] = Field(
        default_factory=list,
        max_length=MAX_KIOSK_FAULTS,
        description="Ways a kiosk goes out of order, at most 20; none by default.",
    )

    @model_validator(mode="after")
    def _unique_causes(self) -> Kiosks:
        seen: set[str] = set()
        problems: list[tuple[tuple[str | int, ...], str]] = []
        for i, cause in enumerate(self.confusion):
            if cause.name in seen:
                problems.append((("confusion", i, "name"), f"duplicate cause name {cause.name!r}"))
            seen.add(cause.name)
            if cause.is_id_check and cause.clearing == "remote":
                problems.append(
                    (
                        ("confusion", i, "clearing"),
                        f"cause {cause.name!r} is an ID check: the attendant must see the "
                        "customer's ID, so it is always cleared in_person, not remote",
                    )
                )
        fault_names: set[str] = set()
        for i, fault in enumerate(self.faults):
            if fault.name in fault_names:
                problems.append((("faults", i, "name"), f"duplicate fault name {fault.name!r}"))
            fault_names.add(fault.name)
        if problems:
            raise ConsistencyError(problems)
        return self


class BankGeometry(_Model):
    """Where the kiosks stand, so that walking takes time by distance."""

    kiosk_spacing_m: Annotated[float, Field(gt=0, le=MAX_BANK_METRES)] = Field(
        default=1.2,
        description="Metres between neighbouring kiosks in a row (kiosk k stands at k x "
        "spacing); ignored if positions_m is given.",
    )
    positions_m: list[Annotated[float, Field(ge=0, le=MAX_BANK_METRES)]] | None = Field(
        default=None,
        description="Position of each kiosk along the attendant's path, metres (one per "
        "kiosk, kiosks.count of them); null = a row at kiosk_spacing_m.",
    )
    station_m: Annotated[float, Field(ge=0, le=MAX_BANK_METRES)] = Field(
        default=0.0,
        description="Where an attendant stands on coming on duty (the podium), metres.",
    )
    walk_m_per_min: Annotated[float, Field(ge=1, le=1_000)] = Field(
        default=78.0, description="Walking speed, metres per minute (78 = 1.3 m/s)."
    )

    def kiosk_positions(self, count: int) -> list[float]:
        """Positions (metres) of kiosks ``0..count-1``."""
        if self.positions_m is not None:
            return list(self.positions_m)
        return [k * self.kiosk_spacing_m for k in range(count)]


class Attendants(_Model):
    """Staff who notice frozen kiosks and clear them, between their other duties."""

    walk_min: Duration | None = Field(
        default=None,
        description="Minutes to walk to the kiosk once assigned; mean at most 1,440. Give "
        "either walk_min or geometry (walk time by distance).",
    )
    geometry: BankGeometry | None = Field(
        default=None,
        description="Kiosk positions and walking speed: walk time = distance / speed from "
        "where the attendant is. Needed by dispatch: nearest.",
    )
    dispatch: Literal["fcfs", "nearest", "priority"] = Field(
        default="fcfs",
        description="Which waiting freeze a free attendant takes: fcfs (first come), nearest "
        "(nearest kiosk to the attendant; needs geometry) or priority (lowest cause/fault "
        "priority, then first come).",
    )
    notice_min: Duration | None = Field(
        default=None,
        description="Minutes before a watching attendant notices a freeze (light, beep); "
        "null = at once. Mean at most 1,440.",
    )
    other_work_share: Annotated[float, Field(ge=0, le=MAX_OTHER_WORK_SHARE)] = Field(
        default=0.0,
        description="Share of an attendant's time on other duties (bagging help, returns, "
        "cash pick-ups), 0 to 0.9: the chance a freeze finds them mid-task, noticed only at "
        "the task's next break point.",
    )
    other_work_task_min: Duration | None = Field(
        default=None,
        description="Minutes of one other-duty task; the remaining part of one delays the "
        "notice. Needed when other_work_share > 0.",
    )
    notice_growth_per_open_freeze: Annotated[float, Field(ge=0, le=MAX_NOTICE_GROWTH)] = Field(
        default=0.0,
        description="Notice delay grows by this fraction for each freeze already open per "
        "attendant on duty (attention split over several lights), 0 to 10.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Attendants:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        if (self.walk_min is None) == (self.geometry is None):
            problems.append(
                (
                    ("walk_min",),
                    "give either walk_min (a walk-time distribution) or geometry (walk time "
                    "by distance), "
                    + ("not both" if self.walk_min is not None else "one of them is needed"),
                )
            )
        if self.dispatch == "nearest" and self.geometry is None:
            problems.append(
                (("dispatch",), "dispatch: nearest needs attendants.geometry (kiosk positions)")
            )
        if self.other_work_share > 0 and self.other_work_task_min is None:
            problems.append(
                (
                    ("other_work_task_min",),
                    "other_work_share > 0 needs other_work_task_min (minutes of one task)",
                )
            )
        if self.other_work_share == 0 and self.other_work_task_min is not None:
            problems.append(
                (
                    ("other_work_task_min",),
                    "other_work_task_min is only used with other_work_share > 0",
                )
            )
        if problems:
            raise ConsistencyError(problems)
        return self

    def mean_walk_min(self, kiosks: int) -> float:
        """Mean walk, minutes: ``walk_min``'s mean, or the mean distance between two kiosks
        of the bank over the walking speed (a walk from one freeze to the next)."""
        if self.walk_min is not None:
            return float(self.walk_min.mean)
        geo = self.geometry
        assert geo is not None
        pos = geo.kiosk_positions(kiosks)
        if len(pos) < 2:
            return 0.0
        total = sum(abs(a - b) for a in pos for b in pos)
        return total / (len(pos) * len(pos)) / geo.walk_m_per_min


class StaffingBlock(_Model):
    """Staff on duty from ``start`` to ``end``."""

    start: TimeOfDay = Field(description="Start of the block, 'HH:MM'.")
    end: EndTimeOfDay = Field(description="End of the block, 'HH:MM' ('24:00' = midnight).")
    cashiers: Units = Field(description="Regular lanes staffed, 0 to 1,000.")
    express_cashiers: Units = Field(default=0, description="Express lanes staffed, 0 to 1,000.")
    attendants: Units = Field(description="Kiosk attendants on duty, 0 to 1,000.")
    floaters: Units = Field(
        default=0,
        description="Floating staff who open closed regular lanes on the cashiers.backup rule, "
        "0 to 1,000; paid only while they staff a lane.",
    )
    kiosks: Units | None = Field(
        default=None, description="Kiosks switched on, 0 to 1,000; null = all of them."
    )


MAX_BREAK_MIN = 240.0
"""Longest break, minutes (4 hours): longer than any meal break; a longer absence is two shifts."""


class StaffBreak(_Model):
    """A break of one staff member who stays on shift (``docs/model.md``, "Breaks").

    The staffing blocks still count the person; from ``start`` they take no new customers
    (a cashier serves the line already waiting, an attendant finishes the help in hand), then
    rest ``length_min`` minutes and come back to the same lane or desk.
    """

    role: Literal["cashier", "express_cashier", "attendant"] = Field(
        description="Who goes on break: the cashier of a regular lane, of an express lane, or "
        "an attendant."
    )
    lane: Annotated[int, Field(ge=1, le=MAX_UNITS)] | None = Field(
        default=None,
        description="The lane (1 = the first lane of its kind) for a cashier or express "
        "cashier; the lane must be staffed throughout the break. Not given for an attendant "
        "(the first attendant free at the start goes).",
    )
    start: TimeOfDay = Field(
        description="When the person stops taking new customers (or freezes), 'HH:MM'."
    )
    length_min: Annotated[float, Field(gt=0, le=MAX_BREAK_MIN)] = Field(
        description="Minutes of rest, above 0 and at most 240, counted from the moment the "
        "line is served (or the help in hand finished)."
    )
    paid: StrictBool = Field(
        default=False,
        description="Whether the break is paid (labour cost); an unpaid break's nominal "
        "minutes are taken off the scheduled hours.",
    )

    @model_validator(mode="after")
    def _lane_for_cashiers(self) -> StaffBreak:
        if self.role == "attendant" and self.lane is not None:
            raise ValueError("an attendant's break takes no lane (leave 'lane' out)")
        if self.role != "attendant" and self.lane is None:
            raise ValueError(f"a {self.role}'s break needs the lane (lane: 1 is the first)")
        return self


class StaffingFile(_Model):
    """``staffing: {from: ..., sheet: ...}``: the blocks are rows of a CSV file or a sheet.

    Read by :mod:`checkoutsim.scenario.loader` (see :mod:`checkoutsim.scenario.staffing_file`)
    when a scenario file is loaded; a :class:`Scenario` always holds the blocks themselves.
    """

    model_config = ConfigDict(**_CONFIG, populate_by_name=True)

    from_: str = Field(
        alias="from",
        min_length=1,
        max_length=1_000,
        description="A .csv file or an .xlsx workbook, relative to the scenario file; its "
        "first row names the columns (start, end, cashiers, express_cashiers, attendants, "
        "kiosks), each further row is one block.",
    )
    sheet: Annotated[str, Field(min_length=1, max_length=31)] | None = Field(
        default=None,
        description="The workbook's sheet (at most 31 characters, as Excel allows); default: "
        "the first sheet. Only for an .xlsx file.",
    )


def _no_file_reference(value: Any) -> Any:
    if isinstance(value, Mapping):
        raise ValueError(
            "a staffing file ({from: ...}) is read when a scenario file is loaded "
            "(load_scenario, a plan or sweep file); a scenario built from data needs the list "
            "of blocks itself"
        )
    return value


def _staffing_json_schema(schema: dict[str, Any]) -> None:
    """Let editors accept the list of blocks or a ``{from, sheet}`` file reference."""
    blocks = dict(schema)
    description = blocks.pop("description", None)
    blocks.pop("title", None)
    reference = StaffingFile.model_json_schema(by_alias=True)
    reference.pop("title", None)
    reference["description"] = "A CSV file or a workbook sheet holding the staffing blocks."
    schema.clear()
    schema["anyOf"] = [blocks, reference]
    if description is not None:
        schema["description"] = description
    schema["title"] = "Staffing"


class RunSettings(_Model):
    """How the simulation is run and judged."""

    replications: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS)] = Field(
        default=10, description="Simulated days, 1 to 10,000."
    )
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] = Field(
        default=20261122,
        description="Root seed, 0 to 2^63 - 1 (a signed 64-bit integer, as results store it).",
    )
    target_wait_min: Annotated[float, Field(gt=0, le=MAX_DURATION_MIN)] = Field(
        default=4.0,
        description="Target queue wait in minutes for '% served within target', above 0 and at "
        "most 1,440.",
    )
    lane_choice: Literal["expected_wait", "shortest_queue", "random"] = Field(
        default="expected_wait", description="How a customer picks a channel and lane."
    )
    memory_budget_mb: Annotated[int, Field(ge=64, le=1_048_576)] = Field(
        default=DEFAULT_MEMORY_BUDGET_MB,
        description="Largest estimated memory, in MB, that one simulated day may need; a "
        "scenario above it is refused before it runs, with the estimate. 64 to 1,048,576 (1 "
        "TiB); the default 2,048 admits about 1.3 million customers a day.",
    )
    sample_interval_min: Annotated[
        float, Field(ge=MIN_SAMPLE_INTERVAL_MIN, le=MAX_DURATION_MIN)
    ] = Field(
        default=5.0,
        description="Minutes between points of the queue/utilisation time series, 0.1 (6 "
        "seconds) to 1,440.",
    )


# -- customer experience and money (post-processing only; see docs/satisfaction.md) ---------

Csat = Annotated[float, Field(ge=1.0, le=5.0)]
Ces = Annotated[float, Field(ge=1.0, le=7.0)]
Percent = Annotated[float, Field(ge=0.0, le=100.0)]


class PerceivedWait(_Model):
    """How long a customer's minutes feel (Maister 1985; Larson; Pruyn & Smidts 1993).

    ``perceived_wait_min = queue_weight * queue + service_weight * (being served, including an
    attendant fixing the kiosk) + help_wait_weight * (stuck, waiting for an attendant to arrive)
    + overtaken_felt_min * (later arrivals served first in the same channel)``.
    Weights are dimensionless (felt minutes per real minute).
    """

    queue_weight: Weight = Field(
        default=1.36, description="Felt minutes per minute of idle queueing (Larson: +36%)."
    )
    service_weight: Weight = Field(
        default=0.25, description="Felt minutes per minute of being served (occupied time)."
    )
    help_wait_weight: Weight = Field(
        default=2.0,
        description="Felt minutes per minute stuck at a frozen kiosk waiting for an attendant.",
    )
    overtaken_felt_min: Minutes = Field(
        default=0.25,
        description="Felt minutes added each time a later arrival in the same channel is "
        "served first (unfair wait).",
    )
    switched_felt_min: Minutes = Field(
        default=2.0,
        description="Felt minutes of frustration added each time a long line pushed the "
        "customer to the channel they did not prefer (counts towards satisfaction and the "
        "coupon threshold, not towards perceived wait).",
    )
    confusion_felt_min: Minutes = Field(
        default=1.0,
        description="Felt minutes of frustration added per confusion event, beyond its time "
        "(counts towards satisfaction and the coupon threshold, not towards perceived wait).",
    )


class CsatCurve(_Model):
    """Customer satisfaction (CSAT, 1-5) as a decreasing function of felt minutes.

    ``csat = 1 + (no_wait_score - 1) / (1 + (felt / half_score_felt_min) ** shape)`` for served
    customers; reneged customers score at most ``reneged_max_score``; balked customers score
    ``balked_score``.
    """

    no_wait_score: Csat = Field(default=4.6, description="CSAT of a checkout with no friction.")
    half_score_felt_min: Annotated[float, Field(ge=0.01, le=MAX_DURATION_MIN)] = Field(
        default=8.0,
        description="Felt minutes at which CSAT is half way between no_wait_score and 1.",
    )
    shape: Annotated[float, Field(gt=0, le=20)] = Field(
        default=2.0, description="Steepness of the curve, above 0 and at most 20."
    )
    balked_score: Csat = Field(default=2.0, description="CSAT of a customer who balked.")
    reneged_max_score: Csat = Field(
        default=1.5, description="Highest CSAT of a customer who abandoned the cart in line."
    )

    @model_validator(mode="after")
    def _ordered(self) -> CsatCurve:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        for key in ("balked_score", "reneged_max_score"):
            if getattr(self, key) > self.no_wait_score:
                problems.append(((key,), f"{key} must not exceed no_wait_score"))
        if problems:
            raise ConsistencyError(problems)
        return self


class EffortCurve(_Model):
    """Customer Effort Score (CES 2.0 scale, 1-7: 7 = strongly agree "the store made it easy").

    Effort points ``= effort_points_per_felt_min * perceived wait + effort_points_per_assist *
    confusion events + effort_points_kiosk`` (scanning your own basket);
    ``ces = 1 + (easiest_score - 1) / (1 + (points / half_score_effort_points) ** shape)``.
    """

    easiest_score: Ces = Field(default=6.5, description="CES of an effortless checkout.")
    half_score_effort_points: Annotated[float, Field(ge=0.01, le=10_000)] = Field(
        default=4.0, description="Effort points at which CES is half way between easiest and 1."
    )
    shape: Annotated[float, Field(gt=0, le=20)] = Field(
        default=2.0, description="Steepness of the curve, above 0 and at most 20."
    )
    effort_points_per_felt_min: Weight = Field(
        default=0.25, description="Effort points per felt minute of waiting."
    )
    effort_points_per_assist: Weight = Field(
        default=1.5, description="Effort points per confusion event (calling for help)."
    )
    effort_points_kiosk: Weight = Field(
        default=0.5, description="Effort points for scanning and bagging one's own basket."
    )
    balked_score: Ces = Field(default=3.0, description="CES of a customer who balked.")
    reneged_max_score: Ces = Field(
        default=2.0, description="Highest CES of a customer who abandoned the cart in line."
    )

    @model_validator(mode="after")
    def _ordered(self) -> EffortCurve:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        for key in ("balked_score", "reneged_max_score"):
            if getattr(self, key) > self.easiest_score:
                problems.append(((key,), f"{key} must not exceed easiest_score"))
        if problems:
            raise ConsistencyError(problems)
        return self


class NpsModel(_Model):
    """Likelihood to recommend (0-10) and the NPS class (Reichheld 2003).

    Each customer has a baseline likelihood drawn from the store's frictionless mix of
    promoters, passives and detractors; the checkout lowers it by
    ``ltr_points_per_csat_point`` for every CSAT point below ``satisfaction.csat.no_wait_score``.
    """

    baseline_promoter_pct: Percent = Field(
        default=48.0, description="Promoters (9-10) in a checkout with no friction, percent."
    )
    baseline_detractor_pct: Percent = Field(
        default=8.0, description="Detractors (0-6) in a checkout with no friction, percent."
    )
    ltr_points_per_csat_point: Weight = Field(
        default=2.5, description="Likelihood-to-recommend points lost per CSAT point lost."
    )

    @model_validator(mode="after")
    def _shares(self) -> NpsModel:
        if self.baseline_promoter_pct + self.baseline_detractor_pct > 100.0 + 1e-9:
            raise ConsistencyError(
                [
                    (
                        ("baseline_detractor_pct",),
                        "baseline_promoter_pct + baseline_detractor_pct must be <= 100",
                    )
                ]
            )
        return self


class Satisfaction(_Model):
    """Estimated satisfaction, effort and NPS: computed after the run, never changes it."""

    perceived_wait: PerceivedWait = Field(default_factory=PerceivedWait)
    csat: CsatCurve = Field(default_factory=CsatCurve)
    effort: EffortCurve = Field(default_factory=EffortCurve)
    nps: NpsModel = Field(default_factory=NpsModel)


class ServiceRecovery(_Model):
    """Service recovery in steps: acknowledge, then a coupon only as a last resort.

    At each contact with a frustrated customer the staff member first acknowledges the problem
    and takes responsibility (free; restores ``acknowledge_restore_share`` of the CSAT the
    checkout cost). Only above ``frustration_threshold_felt_min`` do they also hand over a
    coupon, from a book of ``coupons_per_book`` per staff member that lasts ``book_days``
    simulated days (replications are consecutive days; what is left carries over). The old
    ``coupons_per_shift`` (a fresh book every shift) is still accepted and then replaces the
    book.
    """

    coupon_value: Money = Field(
        default=2.0, description="Face value of one coupon, in the costs currency."
    )
    acknowledge_threshold_felt_min: Minutes = Field(
        default=3.0,
        description="Felt minutes of frustration at the moment of reaching staff from which "
        "the staff member acknowledges the problem and takes responsibility (free), 0 to 1,440.",
    )
    acknowledge_restore_share: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        default=0.25,
        description="Share, 0 to 1, of the CSAT points the checkout cost that acknowledging "
        "gives back.",
    )
    frustration_threshold_felt_min: Minutes = Field(
        default=15.0,
        description="Felt minutes of frustration at the moment of reaching staff from which a "
        "coupon is also offered (the last resort), 0 to 1,440.",
    )
    coupons_per_book: Annotated[int, Field(ge=0, le=MAX_COUPONS)] = Field(
        default=24, description="Coupons in each staff member's book, 0 to 10,000."
    )
    book_days: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS)] = Field(
        default=90,
        description="Simulated days one book lasts (1 = a fresh book every day; 90 = a "
        "season), 1 to 10,000; unused coupons carry over from day to day within it.",
    )
    coupons_per_shift: Annotated[int, Field(ge=0, le=MAX_COUPONS)] | None = Field(
        default=None,
        description="Old form, 0 to 10,000: a fresh book of this many every shift (replaces "
        "coupons_per_book and book_days).",
    )
    csat_lift_score: Weight = Field(
        default=0.5,
        description="CSAT points a coupon adds (never above satisfaction.csat.no_wait_score).",
    )


class Costs(_Model):
    """Money: labour, kiosks, lost sales, coupons and revenue at risk (all in ``currency``)."""

    currency: Annotated[str, AfterValidator(_check_label)] = Field(
        default="USD",
        min_length=1,
        max_length=8,
        description="Label only (axis labels, tables): up to 8 characters, no control "
        "characters or backslash, at most one '$' (two would start matplotlib math text).",
    )
    cashier_wage_per_hour: Money = Field(
        default=15.0, description="Wage per scheduled cashier hour (regular and express)."
    )
    attendant_wage_per_hour: Money = Field(
        default=15.0, description="Wage per scheduled kiosk-attendant hour."
    )
    floater_wage_per_hour: Money = Field(
        default=15.0,
        description="Wage per hour a floater staffs a lane (cashiers.backup); counted only "
        "while they staff one.",
    )
    kiosk_cost_per_hour: Money = Field(
        default=2.0, description="Cost per installed kiosk per opening hour (lease, upkeep)."
    )
    spend_per_item: Money = Field(default=3.5, description="Average sale value of one basket item.")
    gross_margin_pct: Percent = Field(
        default=25.0,
        description="Gross margin on sales, percent (turns lost sales into lost margin).",
    )
    detractor_churn_pct: Percent = Field(
        default=5.0,
        description="Chance, percent, that a detractor made at the checkout takes their "
        "spending elsewhere.",
    )
    customer_value_per_year: Money = Field(
        default=852.0,
        description="Yearly spend at the store of a regular customer; sets their visits per "
        "year (this / the day's mean spend per visit) unless visits_per_year is given.",
    )
    visits_per_year: Annotated[float, Field(ge=1.0, le=1_000.0)] | None = Field(
        default=None,
        description="Visits a year of one customer, 1 to 1,000; when given, it wins over "
        "customer_value_per_year (default: derived from it).",
    )
    open_days_per_year: Annotated[int, Field(ge=1, le=366)] = Field(
        default=360, description="Days a year the store opens, 1 to 366 (days like this one)."
    )
    total_cost_includes_churn: bool = Field(
        default=False,
        description="Add the margin at risk from detractors made at the checkout (per day) to "
        "total_cost, the optimiser's objective.",
    )
    shrink_bp_of_kiosk_sales: Annotated[float, Field(ge=0.0, le=10_000.0)] = Field(
        default=100.0,
        description="Stock lost (unscanned or mis-scanned items) per kiosk-scanned sales, in "
        "basis points (1 bp = 0.01%), 0 to 10,000, at shrink_reference_kiosks_per_attendant.",
    )
    shrink_reference_kiosks_per_attendant: Annotated[float, Field(gt=0.0, le=1_000.0)] = Field(
        default=5.0,
        description="Kiosks per attendant on duty at which shrink_bp_of_kiosk_sales holds, "
        "above 0 and at most 1,000.",
    )
    shrink_ratio_elasticity: Annotated[float, Field(ge=0.0, le=5.0)] = Field(
        default=0.5,
        description="Shrink rate scales as (kiosks per attendant / reference) ** this, 0 to 5 "
        "(0 = the attendant ratio does not matter).",
    )
    rescan_pct: Percent = Field(
        default=0.0,
        description="Kiosk transactions an attendant randomly rescans, percent (0 = none).",
    )
    rescan_min: Minutes = Field(
        default=1.0, description="Attendant minutes one random rescan takes, 0 to 1,440."
    )


class Scenario(_Model):
    """A complete store-day scenario."""

    name: Name = Field(
        description="Scenario name: 1 to 64 letters, digits, _ . -, not starting with . or - "
        "(it is the default results folder results/<name>, so it must be one safe path "
        "component)."
    )
    description: str = Field(default="", max_length=10_000, description="Free text.")
    store: Store
    arrivals: Arrivals
    customers: Customers
    cashiers: Cashiers
    kiosks: Kiosks
    attendants: Attendants
    staffing: Annotated[list[StaffingBlock], BeforeValidator(_no_file_reference)] = Field(
        min_length=1,
        max_length=1_440,
        description="Blocks covering opening to closing without gaps or overlaps (at most "
        "1,440: one a minute); or {from: FILE.csv} / {from: FILE.xlsx, sheet: NAME}, a table "
        "with one row a block and the block keys as columns, read when the scenario file is "
        "loaded (the path is relative to the scenario file).",
        json_schema_extra=_staffing_json_schema,
    )
    run: RunSettings = Field(default_factory=RunSettings)
    satisfaction: Satisfaction = Field(default_factory=Satisfaction)
    breaks: list[StaffBreak] = Field(
        default_factory=list,
        max_length=10_000,
        description="Staff breaks (at most 10,000): each person stays in the staffing counts "
        "and is away for the break; empty (the default) = nobody takes a break.",
    )
    service_recovery: ServiceRecovery | None = Field(
        default=None, description="The coupon book; null (the default) = no coupons."
    )
    costs: Costs = Field(default_factory=Costs)
    targets: list[TargetText] = Field(
        default_factory=list,
        max_length=50,
        description="Service targets the run summary's verdict checks over the day and in "
        "every hour, e.g. 'wait_p90_min <= 4' (minutes) or 'csat_mean >= 4' (points), in "
        "the metric's own unit; at most 50. Empty (the default): the verdict checks "
        "wait_p90_min <= run.target_wait_min. They never change what is simulated.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        problems = _consistency_problems(self)
        geometry = self.attendants.geometry
        if (
            geometry is not None
            and geometry.positions_m is not None
            and len(geometry.positions_m) != self.kiosks.count
        ):
            problems.append(
                (
                    ("attendants", "geometry", "positions_m"),
                    f"{len(geometry.positions_m)} kiosk positions for {self.kiosks.count} "
                    "kiosks (kiosks.count): give one position per kiosk",
                )
            )
        if problems:
            raise ConsistencyError(problems)
        return self

    # -- conveniences -------------------------------------------------------------------------
    def minutes_after_open(self, time_of_day: str) -> int:
        """Convert an ``"HH:MM"`` string to minutes after this store's opening."""
        return parse_time_of_day(time_of_day) - self.store.open_min

    def day_estimate(self) -> DayEstimate:
        """Estimated customers, items and memory of one simulated day (:func:`estimate_day`)."""
        return estimate_day(
            self.arrivals.profile,
            self.customers,
            self.kiosks,
            self.store.day_length_min,
            self.run.sample_interval_min,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (YAML/JSON-ready), keys as written in scenario files."""
        return self.model_dump(mode="json", by_alias=True)

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """A new scenario with ``overrides`` deep-merged in and validated again.

        Mappings merge key by key; any other value (including lists such as ``staffing``)
        replaces the original.
        """
        return Scenario.model_validate(deep_merge(self.to_dict(), overrides))


def deep_merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Recursively merge ``overrides`` into a copy of ``base`` (mappings merge, others replace)."""
    out = dict(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class DayEstimate:
    """What one simulated day of a scenario will hold, estimated before it runs.

    Attributes
    ----------
    customers : float
        Expected arrivals: the sum of rate x block hours.
    items : float
        Expected basket items (customers x the basket mean, at least one each).
    confusion_events : float
        Expected kiosk confusion events if every customer used a kiosk (an upper bound).
    samples : float
        Time-series samples over opening hours.
    bytes : float
        Estimated peak memory of the day (see :data:`BYTES_PER_CUSTOMER`).
    """

    customers: float
    items: float
    confusion_events: float
    samples: float
    bytes: float

    @property
    def megabytes(self) -> float:
        """:attr:`bytes` in MB (2^20 bytes)."""
        return self.bytes / 2**20

    def describe(self) -> str:
        """``"about 24,000,000 customers a day, about 36 GB"``."""
        size = (
            f"{self.bytes / 2**30:,.1f} GB" if self.bytes >= 2**30 else f"{self.megabytes:,.0f} MB"
        )
        return f"about {_rounded(self.customers):,} customers a day, about {size}"


def _rounded(x: float) -> int:
    """Round to 2 significant figures for a message (24,317,000 -> 24,000,000)."""
    if x < 100:
        return round(x)
    digits = len(str(int(x))) - 2
    return int(round(x, -digits))


def estimate_day(
    arrivals: Sequence[ArrivalBlock],
    customers: Customers | None = None,
    kiosks: Kiosks | None = None,
    day_length_min: float = 0.0,
    sample_interval_min: float = 5.0,
) -> DayEstimate:
    """Estimate the customers, items, events and memory of one simulated day.

    Parameters
    ----------
    arrivals : sequence of ArrivalBlock
        The arrival profile.
    customers : Customers, optional
        For the basket mean (one item a customer when absent).
    kiosks : Kiosks, optional
        For the confusion causes (none when absent).
    day_length_min : float
        Opening hours, minutes (for the time-series samples).
    sample_interval_min : float
        Minutes between samples.

    Returns
    -------
    DayEstimate
    """
    n = 0.0
    for block in arrivals:
        start, end = parse_time_of_day(block.start), parse_time_of_day(block.end)
        n += block.customers_per_hour * max(0, end - start) / 60.0
    basket = max(1.0, customers.basket_items.mean) if customers is not None else 1.0
    items = n * basket
    per_customer = 0.0
    if kiosks is not None:
        for cause in kiosks.confusion:
            per_customer += cause.probability * (basket if cause.per == "item" else 1.0)
    events = n * per_customer
    samples = day_length_min / sample_interval_min
    size = (
        n * BYTES_PER_CUSTOMER
        + items * BYTES_PER_ITEM
        + events * BYTES_PER_CONFUSION_EVENT
        + samples * BYTES_PER_SAMPLE
    )
    return DayEstimate(n, items, events, samples, size)


def _capacity_problems(parts: _Parts, day: tuple[int, int] | None) -> list[tuple[Loc, str]]:
    arrivals, run = parts.arrivals, parts.run
    if arrivals is None or run is None or any(a is None for a in arrivals):
        return []
    estimate = estimate_day(
        [a for a in arrivals if a is not None],
        parts.customers,
        parts.kiosks,
        day[1] - day[0] if day is not None else 0.0,
        run.sample_interval_min,
    )
    if estimate.megabytes <= run.memory_budget_mb:
        return []
    return [
        (
            ("arrivals", "profile"),
            f"the day is too large to simulate: {estimate.describe()} "
            f"(about {BYTES_PER_CUSTOMER:,} bytes a customer); run.memory_budget_mb is "
            f"{run.memory_budget_mb:,}. Lower the arrival rates, or raise run.memory_budget_mb "
            "if this machine has the memory",
        )
    ]


Loc = tuple[str | int, ...]

_M = TypeVar("_M", bound=BaseModel)


@dataclass(frozen=True)
class _Parts:
    """The parts of a scenario that cross-field checks read; ``None`` where a part is invalid.

    A list holds ``None`` for each element that did not validate on its own.
    """

    store: Store | None
    arrivals: list[ArrivalBlock | None] | None
    arrival_times: list[tuple[int, int] | None] | None
    staffing: list[StaffingBlock | None] | None
    staffing_times: list[tuple[int, int] | None] | None
    cashiers: Cashiers | None
    kiosks: Kiosks | None
    customers: Customers | None
    run: RunSettings | None


def cross_field_problems(data: Mapping[str, Any]) -> list[tuple[Loc, str]]:
    """Cross-field problems among the parts of plain scenario data that validate on their own.

    Used when the scenario as a whole does not validate, so that one schema error (a typo in
    ``costs``, say) does not hide the staffing gap and the overstaffed lane elsewhere: each
    check runs when every part it reads is valid.

    Parameters
    ----------
    data : mapping
        Plain scenario data, as read from a file.

    Returns
    -------
    list of (tuple, str)
        Key path and message of each problem.
    """
    if not isinstance(data, Mapping):
        return []
    arrivals = data.get("arrivals")
    profile = arrivals.get("profile") if isinstance(arrivals, Mapping) else None
    staffing = data.get("staffing")
    return _consistency(
        _Parts(
            store=_part(Store, data.get("store")),
            arrivals=_elements(ArrivalBlock, profile),
            arrival_times=_element_times(profile),
            staffing=_elements(StaffingBlock, staffing),
            staffing_times=_element_times(staffing),
            cashiers=_part(Cashiers, data.get("cashiers")),
            kiosks=_part(Kiosks, data.get("kiosks")),
            customers=_part(Customers, data.get("customers")),
            run=_part(RunSettings, data.get("run", {})),
        )
    )


# The fields each cross-field check reads, per part: when a part does not validate as a whole
# (an unknown key, a bad value elsewhere in it), these are validated one by one, so that a typo
# in ``cashiers.fixed_min`` does not hide 25 staffed cashiers on 10 lanes.
_READS: dict[type[BaseModel], tuple[str, ...]] = {
    Store: ("open", "close"),
    ArrivalBlock: ("start", "end", "customers_per_hour"),
    StaffingBlock: (
        "start",
        "end",
        "cashiers",
        "express_cashiers",
        "attendants",
        "floaters",
        "kiosks",
    ),
    Cashiers: ("lanes", "express", "backup"),
    Kiosks: ("count", "confusion"),
    Customers: ("basket_items",),
    RunSettings: ("memory_budget_mb", "sample_interval_min"),
}


def _part(model: type[_M], value: Any) -> _M | None:
    """``value`` validated as ``model``; or, when that fails, a partial ``model`` for the checks.

    The partial model holds only the fields in :data:`_READS` (each validated on its own, with
    its default when absent), and is ``None`` when one of them is invalid or missing: the checks
    then skip what they cannot judge instead of guessing.
    """
    try:
        return model.model_validate(value)
    except ValidationError:
        pass
    if not isinstance(value, Mapping):
        return None
    fields: dict[str, Any] = {}
    for name in _READS.get(model, ()):
        info = model.model_fields[name]
        if name not in value:
            if info.is_required():
                return None
            fields[name] = info.get_default(call_default_factory=True)
            continue
        try:
            fields[name] = _field_adapter(model, name).validate_python(value[name])
        except ValidationError:
            return None
    return model.model_construct(**fields) if fields else None


@functools.cache
def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    """A validator of one field of ``model`` with its constraints and the schema's strictness."""
    info = model.model_fields[name]
    annotation: Any = info.annotation
    if info.metadata:
        annotation = Annotated[annotation, *info.metadata]
    return TypeAdapter(annotation, config=ConfigDict(strict=True, allow_inf_nan=False))


def _elements(model: type[_M], value: Any) -> list[_M | None] | None:
    if not isinstance(value, list) or not value:
        return None
    return [_part(model, item) for item in value]


def _element_times(value: Any) -> list[tuple[int, int] | None] | None:
    if not isinstance(value, list) or not value:
        return None
    return [_times(item) for item in value]


def _times(block: Any) -> tuple[int, int] | None:
    """(start, end) in minutes after midnight of a block (model or mapping); None if invalid."""
    get = block.get if isinstance(block, Mapping) else lambda key: getattr(block, key, None)
    try:
        start, end = get("start"), get("end")
        if not (isinstance(start, str) and isinstance(end, str)):
            return None
        _time_of_day(start, end=False)
        return parse_time_of_day(start), parse_time_of_day(end)
    except ValueError:
        return None


def _coverage_problems(
    times: Sequence[tuple[int, int] | None],
    key: str,
    open_min: int,
    close_min: int,
) -> list[tuple[Loc, str]]:
    """Every gap, overlap and reversed block of a list of blocks meant to cover the day.

    After a problem the check resynchronises on the next block's start, so each break in the
    chain is reported once; a block whose times are invalid (reported by the schema) is
    skipped the same way.
    """
    problems: list[tuple[Loc, str]] = []
    where = tuple(key.split("."))
    expected: int | None = open_min
    for i, block in enumerate(times):
        if block is None:
            expected = None
            continue
        start, end = block
        if end <= start:
            problems.append(((*where, i, "end"), "end must be after start"))
            expected = None
            continue
        if expected is not None and start != expected:
            if i == 0:
                what = "starts before opening" if start < expected else "starts after opening"
            else:
                what = "overlaps the previous block" if start < expected else "leaves a gap"
            problems.append(
                ((*where, i, "start"), f"{what}: expected it to start at {_clock(expected)}")
            )
        expected = end
    if expected is not None and expected != close_min:
        problems.append(
            (
                (*where, len(times) - 1, "end"),
                f"the last block must end at closing time {_clock(close_min)}",
            )
        )
    return problems


def _clock(minutes_after_midnight: int) -> str:
    return f"{minutes_after_midnight // 60:02d}:{minutes_after_midnight % 60:02d}"


def _scenario_parts(s: Scenario) -> _Parts:
    return _Parts(
        store=s.store,
        arrivals=list(s.arrivals.profile),
        arrival_times=[_times(b) for b in s.arrivals.profile],
        staffing=list(s.staffing),
        staffing_times=[_times(b) for b in s.staffing],
        cashiers=s.cashiers,
        kiosks=s.kiosks,
        customers=s.customers,
        run=s.run,
    )


def _consistency_problems(s: Scenario) -> list[tuple[Loc, str]]:
    problems = _consistency(_scenario_parts(s))
    if s.breaks and not problems:
        problems += _break_problems(s)
    return problems


def _break_problems(s: Scenario) -> list[tuple[Loc, str]]:
    """:func:`checkoutsim.scenario.breaks.break_problems` of a valid scenario."""
    breaks = [
        BreakTimes(
            b.role,
            b.lane or 0,
            parse_time_of_day(b.start),
            parse_time_of_day(b.start) + b.length_min,
        )
        for b in s.breaks
    ]
    blocks = [
        BlockCounts(
            parse_time_of_day(b.start),
            parse_time_of_day(b.end),
            b.cashiers,
            b.express_cashiers,
            b.attendants,
        )
        for b in s.staffing
    ]
    express = s.cashiers.express.lanes if s.cashiers.express else 0
    close = parse_time_of_day(s.store.close)
    return break_problems(breaks, blocks, s.store.open_min, close, s.cashiers.lanes, express)


def _consistency(parts: _Parts) -> list[tuple[Loc, str]]:
    """Every cross-field problem whose parts are valid (see :func:`cross_field_problems`)."""
    problems: list[tuple[Loc, str]] = []
    day: tuple[int, int] | None = None
    if parts.store is not None:
        open_min = parts.store.open_min
        close_min = parse_time_of_day(parts.store.close)
        if close_min <= open_min:
            problems.append(
                (("store", "close"), "closing time must be after opening time (same day)")
            )
        else:
            day = (open_min, close_min)
    if day is not None:
        for times, key in (
            (parts.arrival_times, "arrivals.profile"),
            (parts.staffing_times, "staffing"),
        ):
            if times is not None:
                problems += _coverage_problems(times, key, *day)
    problems += _staffing_problems(parts)
    problems += _capacity_problems(parts, day)
    return problems


def _staffing_problems(parts: _Parts) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    if parts.staffing is None:
        return problems
    cashiers, kiosks = parts.cashiers, parts.kiosks
    arrivals = parts.arrivals
    all_arrivals = arrivals is not None and all(a is not None for a in arrivals)
    for i, block in enumerate(parts.staffing):
        if block is None:
            continue
        if cashiers is not None:
            express_lanes = cashiers.express.lanes if cashiers.express else 0
            if block.cashiers > cashiers.lanes:
                problems.append(
                    (
                        ("staffing", i, "cashiers"),
                        f"{block.cashiers} staffed lanes but only {cashiers.lanes} exist "
                        "(cashiers.lanes)",
                    )
                )
            if block.express_cashiers > express_lanes:
                problems.append(
                    (
                        ("staffing", i, "express_cashiers"),
                        f"{block.express_cashiers} staffed express lanes but only "
                        f"{express_lanes} exist (cashiers.express.lanes)",
                    )
                )
        if cashiers is not None and block.floaters > 0 and cashiers.backup is None:
            problems.append(
                (
                    ("staffing", i, "floaters"),
                    f"{block.floaters} floater{'' if block.floaters == 1 else 's'} on staff "
                    "but no rule calls them: add "
                    "cashiers.backup (or set floaters to 0)",
                )
            )
        if kiosks is None:
            continue
        kiosks_open = kiosks.count if block.kiosks is None else block.kiosks
        if kiosks_open > kiosks.count:
            problems.append(
                (
                    ("staffing", i, "kiosks"),
                    f"{kiosks_open} kiosks switched on but only {kiosks.count} exist "
                    "(kiosks.count)",
                )
            )
        if (
            all_arrivals
            and block.cashiers + block.express_cashiers == 0
            and kiosks_open == 0
            and _arrivals_during([a for a in arrivals or [] if a is not None], block)
        ):
            problems.append(
                (
                    ("staffing", i),
                    f"customers arrive between {block.start} and {block.end} but no lane and "
                    "no kiosk is open",
                )
            )
    blocks = [b for b in parts.staffing if b is not None]
    if kiosks is None or len(blocks) != len(parts.staffing):
        return problems
    confusion_possible = any(c.probability > 0 for c in kiosks.confusion)
    last = blocks[-1]
    # Any block with kiosks on counts, not only the last: kiosks switched off still finish the
    # customer in hand and the line already waiting, and any of them may get stuck; with no
    # attendant in the last block that customer would wait for ever (the day never ends).
    kiosks_ever = any((kiosks.count if b.kiosks is None else b.kiosks) > 0 for b in blocks)
    if kiosks_ever and confusion_possible and last.attendants == 0:
        problems.append(
            (
                ("staffing", len(blocks) - 1, "attendants"),
                "the last block needs at least one attendant when kiosks are open at any time of "
                "the day, so customers stuck at a kiosk can be helped while the store drains",
            )
        )
    return problems


def _arrivals_during(profile: Sequence[ArrivalBlock], block: StaffingBlock) -> bool:
    start, end = parse_time_of_day(block.start), parse_time_of_day(block.end)
    for arr in profile:
        a0, a1 = parse_time_of_day(arr.start), parse_time_of_day(arr.end)
        if arr.customers_per_hour > 0 and a0 < end and start < a1:
            return True
    return False
