"""Append-only result columns, filled during a run and turned into arrays once at the end.

Customer columns are preallocated (the day's customers are known before the run starts) and
written by customer id; assists and time-series rows go to growable typed arrays. Nothing here
builds a DataFrame or a dict per event.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "CHANNELS",
    "OUTCOMES",
    "TIMESERIES_FIELDS",
    "ChannelCode",
    "OutcomeCode",
    "Recorder",
    "RunColumns",
    "int_dtype",
]


class OutcomeCode:
    """Integer codes of how a customer's visit ended."""

    UNFINISHED = -1
    SERVED = 0
    BALKED = 1
    RENEGED = 2


class ChannelCode:
    """Integer codes of the channel a customer chose."""

    NONE = -1
    CASHIER = 0
    KIOSK = 1


OUTCOMES = ("served", "balked", "reneged")
CHANNELS = ("cashier", "kiosk")

TIMESERIES_FIELDS = (
    "time_min",
    "cashier_queue",
    "kiosk_queue",
    "help_queue",
    "cashiers_open",
    "cashiers_busy",
    "kiosks_open",
    "kiosks_busy",
    "attendants_on_duty",
    "attendants_busy",
    "cashier_queue_avg",
    "kiosk_queue_avg",
    "help_queue_avg",
    "cashiers_on_duty_avg",
    "cashiers_busy_avg",
    "kiosks_on_duty_avg",
    "kiosks_busy_avg",
    "attendants_on_duty_avg",
    "attendants_busy_avg",
)
"""Columns of the time series: instantaneous levels at ``time_min`` and ``*_avg`` time-averages
over the interval that ends at ``time_min``."""


_WIDTHS = ((np.int16, "h"), (np.int32, "i"), (np.int64, "q"))


def int_dtype(largest: int) -> type[np.signedinteger]:
    """The narrowest signed integer type, int16 at least, that holds ``[-1, largest]``.

    Integer columns are sized from what the day can hold (the number of kiosks, customers,
    confusion causes), so an ordinary day keeps its narrow columns (and its memory) while a
    store with 40,000 kiosks or a queue of 40,000 customers cannot overflow them.
    """
    for dtype, _ in _WIDTHS:
        if largest <= np.iinfo(dtype).max:
            return dtype
    raise OverflowError(f"{largest} does not fit a 64-bit integer column")


def _typecode(largest: int) -> str:
    """The :mod:`array` typecode of :func:`int_dtype` (same width)."""
    dtype = int_dtype(largest)
    return next(code for d, code in _WIDTHS if d is dtype)


@dataclass(frozen=True)
class RunColumns:
    """Everything one replication produced, as plain numpy arrays (cheap to pickle)."""

    customers: dict[str, np.ndarray]
    assists: dict[str, np.ndarray]
    timeseries: dict[str, np.ndarray]
    end_min: float
    faults: dict[str, np.ndarray] = field(default_factory=dict)


class Recorder:
    """Columns for ``n_customers`` customers, plus assist and time-series rows.

    Parameters
    ----------
    n_customers : int
        Customers in the replication.
    servers : int
        Largest number of lanes, kiosks or attendants of the day (sizes the ``lane``,
        ``kiosk`` and ``attendant`` columns).
    causes : int
        Number of confusion causes (sizes the ``cause`` column).
    assists_per_customer : int
        Most confusion events one customer can meet (sizes the ``assists`` column).
    extra_timeseries : tuple of str
        Time-series columns after :data:`TIMESERIES_FIELDS` (``floaters_staffing`` and its
        average when the scenario has a backup rule): a scenario without the mechanism keeps
        exactly the columns it had before.
    jockeying : bool
        Whether to keep the ``jockeys`` customer column (lane moves; only when customers may
        move).

    Notes
    -----
    Integer columns take the narrowest width that holds their largest possible value
    (:func:`int_dtype`): a queue holds at most every customer of the day, so
    ``waiting_on_arrival`` is int16 up to 32,767 customers and int32 beyond. Defaults are
    int32-safe for callers that do not know their ranges.
    """

    def __init__(
        self,
        n_customers: int,
        *,
        servers: int = 2**31 - 1,
        causes: int = 2**31 - 1,
        assists_per_customer: int = 2**31 - 1,
        extra_timeseries: tuple[str, ...] = (),
        jockeying: bool = False,
    ):
        n = n_customers
        self.channel = np.full(n, ChannelCode.NONE, dtype=np.int8)
        self.lane = np.full(n, -1, dtype=int_dtype(servers))
        self.outcome = np.full(n, OutcomeCode.UNFINISHED, dtype=np.int8)
        self.waiting_on_arrival = np.zeros(n, dtype=int_dtype(n))
        self.queue_wait_min = np.zeros(n)
        self.service_start_min = np.full(n, np.nan)
        self.departure_min = np.full(n, np.nan)
        self.assists = np.zeros(n, dtype=int_dtype(assists_per_customer))
        self.assist_wait_min = np.zeros(n)
        self.assist_total_min = np.zeros(n)
        self.switches = np.zeros(n, dtype=np.int8)
        self.jockeys = np.zeros(n, dtype=int_dtype(n)) if jockeying else None
        # Assist rows: customer, cause index, kiosk, attendant, and four moments in time.
        self._a_customer = array("q")
        self._a_cause = array(_typecode(causes))
        self._a_kiosk = array(_typecode(servers))
        self._a_attendant = array(_typecode(servers))
        self._a_stuck = array("d")
        self._a_noticed = array("d")
        self._a_assigned = array("d")
        self._a_arrived = array("d")
        self._a_resolved = array("d")
        self._ts = {name: array("d") for name in (*TIMESERIES_FIELDS, *extra_timeseries)}
        # Kiosk outages: kind, kiosk, attendant (-1: technician), and five moments in time.
        self._f_kind = array("q")
        self._f_kiosk = array("q")
        self._f_attendant = array("q")
        self._f_struck = array("d")
        self._f_down = array("d")
        self._f_assigned = array("d")
        self._f_arrived = array("d")
        self._f_repaired = array("d")

    # -- per customer -------------------------------------------------------------------------
    def choice(self, i: int, channel: int, lane: int, waiting: int) -> None:
        """Customer ``i`` picked ``channel``/``lane`` seeing ``waiting`` customers in line."""
        self.channel[i] = channel
        self.lane[i] = lane
        self.waiting_on_arrival[i] = waiting

    def switched(self, i: int) -> None:
        """A long line pushed customer ``i`` to the channel they did not prefer."""
        self.switches[i] += 1

    def jockeyed(self, i: int) -> None:
        """Customer ``i`` left their cashier line for a shorter one."""
        if self.jockeys is not None:
            self.jockeys[i] += 1

    def balked(self, i: int, now: float) -> None:
        """Customer ``i`` left on arrival without joining a line."""
        self.outcome[i] = OutcomeCode.BALKED
        self.departure_min[i] = now

    def reneged(self, i: int, waited: float, now: float) -> None:
        """Customer ``i`` abandoned the cart after queueing ``waited`` minutes."""
        self.outcome[i] = OutcomeCode.RENEGED
        self.queue_wait_min[i] = waited
        self.departure_min[i] = now

    def service_started(self, i: int, server: int, waited: float, now: float) -> None:
        """Customer ``i`` reached server ``server`` after ``waited`` minutes in line."""
        self.lane[i] = server
        self.queue_wait_min[i] = waited
        self.service_start_min[i] = now

    def served(self, i: int, now: float) -> None:
        """Customer ``i`` finished and left."""
        self.outcome[i] = OutcomeCode.SERVED
        self.departure_min[i] = now

    def assist(
        self,
        i: int,
        cause: int,
        kiosk: int,
        attendant: int,
        stuck: float,
        assigned: float,
        arrived: float,
        resolved: float,
        noticed: float | None = None,
    ) -> None:
        """One confusion event of customer ``i``, from freeze to resolution.

        ``noticed`` is when an attendant noticed the freeze (the freeze itself if omitted).
        """
        self.assists[i] += 1
        self.assist_wait_min[i] += arrived - stuck
        self.assist_total_min[i] += resolved - stuck
        self._a_customer.append(i)
        self._a_cause.append(cause)
        self._a_kiosk.append(kiosk)
        self._a_attendant.append(attendant)
        self._a_stuck.append(stuck)
        self._a_noticed.append(stuck if noticed is None else noticed)
        self._a_assigned.append(assigned)
        self._a_arrived.append(arrived)
        self._a_resolved.append(resolved)

    def fault(
        self,
        kind: int,
        kiosk: int,
        attendant: int,
        struck: float,
        down: float,
        assigned: float,
        repaired: float,
        arrived: float | None = None,
    ) -> None:
        """One kiosk outage: struck, kiosk out of order (``down``), help assigned, repaired.

        ``arrived`` is when the attendant reached the kiosk (``assigned`` if omitted: no walk).
        ``attendant`` is -1 and ``assigned`` and ``arrived`` equal ``down`` for a technician's
        repair.
        """
        self._f_kind.append(kind)
        self._f_kiosk.append(kiosk)
        self._f_attendant.append(attendant)
        self._f_struck.append(struck)
        self._f_down.append(down)
        self._f_assigned.append(assigned)
        self._f_arrived.append(assigned if arrived is None else arrived)
        self._f_repaired.append(repaired)

    # -- time series --------------------------------------------------------------------------
    def sample(self, row: tuple[float, ...]) -> None:
        """Append one time-series row, values in :data:`TIMESERIES_FIELDS` order (then extras)."""
        for column, value in zip(self._ts.values(), row, strict=True):
            column.append(value)

    # -- end of run ---------------------------------------------------------------------------
    def columns(
        self, arrival_min: np.ndarray, basket_items: np.ndarray, end_min: float
    ) -> RunColumns:
        """Freeze everything into numpy arrays."""
        customers = {
            "arrival_min": arrival_min,
            "basket_items": basket_items,
            "channel": self.channel,
            "lane": self.lane,
            "outcome": self.outcome,
            "waiting_on_arrival": self.waiting_on_arrival,
            "queue_wait_min": self.queue_wait_min,
            "service_start_min": self.service_start_min,
            "departure_min": self.departure_min,
            "assists": self.assists,
            "assist_wait_min": self.assist_wait_min,
            "assist_total_min": self.assist_total_min,
            "switches": self.switches,
        }
        if self.jockeys is not None:
            customers["jockeys"] = self.jockeys
        assists: dict[str, np.ndarray] = {
            "customer_id": np.frombuffer(self._a_customer, dtype=np.int64).copy(),
            "cause": _as_numpy(self._a_cause),
            "kiosk": _as_numpy(self._a_kiosk),
            "attendant": _as_numpy(self._a_attendant),
            "stuck_min": np.frombuffer(self._a_stuck).copy(),
            "noticed_min": np.frombuffer(self._a_noticed).copy(),
            "assigned_min": np.frombuffer(self._a_assigned).copy(),
            "attendant_arrived_min": np.frombuffer(self._a_arrived).copy(),
            "resolved_min": np.frombuffer(self._a_resolved).copy(),
        }
        timeseries = {k: np.frombuffer(v).copy() for k, v in self._ts.items()}
        faults = {
            "kind": np.frombuffer(self._f_kind, dtype=np.int64).copy(),
            "kiosk": np.frombuffer(self._f_kiosk, dtype=np.int64).copy(),
            "attendant": np.frombuffer(self._f_attendant, dtype=np.int64).copy(),
            "struck_min": np.frombuffer(self._f_struck).copy(),
            "down_min": np.frombuffer(self._f_down).copy(),
            "assigned_min": np.frombuffer(self._f_assigned).copy(),
            "attendant_arrived_min": np.frombuffer(self._f_arrived).copy(),
            "repaired_min": np.frombuffer(self._f_repaired).copy(),
        }
        return RunColumns(customers, assists, timeseries, end_min, faults)


def _as_numpy(column: array[int]) -> np.ndarray:
    """A copy of an integer :class:`array.array` as a numpy array of the same width."""
    dtype = next(d for d, code in _WIDTHS if code == column.typecode)
    return np.frombuffer(column, dtype=dtype).copy()
