"""Validation of the model against queueing theory: the cases, how to run and judge them.

One source of truth for ``tests/test_validation.py`` and for the report that
``python -m checkoutsim.validation.cases`` (``make validate``) writes to ``docs/validation.md``.

Each :class:`Case` runs the real model (:func:`checkoutsim.run_replication`, through the
executors) on a scenario file under ``scenarios/validation/`` that reduces the store to a
textbook queue. The theoretical values are computed from that file's own parameters with
:mod:`checkoutsim.validation.theory`, after checking that the file really is the reduction the
theory needs (so an edit to a file cannot silently turn a case into a comparison with the wrong
formula). The file's ``run.replications`` and ``run.seed`` are the case's.

Two kinds of :class:`Check`:

* **statistical**: one value per simulated day (a terminating simulation: the day is the unit
  of observation, customers are never pooled across days); the check passes when the
  theoretical value lies inside the Student-t interval over days, Bonferroni-adjusted so that
  all the statistical checks of all cases together form one family at :data:`TEST_LEVEL`
  (Law & Kelton 2015, sec. 9.4.1 and 10.3);
* **exact**: an identity that must hold on every day to round-off (Little's law in its
  sample-path form; the saturation that the machine-repair model presumes).

The store opens empty, while the formulas describe the steady state: cases use long days and
measure only customers (or events) after a warm-up window, stated in the report.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from checkoutsim.experiments.executors import Executor, Task, make_executor
from checkoutsim.results.stats import Interval, confidence_interval
from checkoutsim.scenario.distributions import Distribution, Exponential, Fixed
from checkoutsim.scenario.loader import load_scenario
from checkoutsim.scenario.schema import ConfusionCause, Scenario
from checkoutsim.validation import theory
from checkoutsim.validation.measures import (
    Statistic,
    attendant_share_waiting,
    attendant_wait,
    busy_share,
    day_tables,
    little_ratio,
    mean_wait,
    notice_delay,
    share_reneged,
    share_waiting,
)

__all__ = [
    "CASE_KEYS",
    "EXACT_TOLERANCE",
    "REPORT_LEVEL",
    "SCENARIO_DIR",
    "TEST_LEVEL",
    "Case",
    "Check",
    "CheckResult",
    "NotAReductionError",
    "evaluate",
    "family_size",
    "load_case",
    "run_case",
]

ROOT = Path(__file__).resolve().parents[2]
SCENARIO_DIR = ROOT / "scenarios" / "validation"
REPORT_PATH = ROOT / "docs" / "validation.md"

TEST_LEVEL = 0.99
"""Family-wise confidence level of all statistical checks together (Bonferroni)."""
REPORT_LEVEL = 0.95
"""Confidence level of the interval shown in the report beside the mean."""
EXACT_TOLERANCE = 1e-9
"""Relative tolerance of exact checks (floating-point round-off only)."""


# --------------------------------------------------------------------------------------------
# types


@dataclass(frozen=True)
class Check:
    """One quantity compared with theory.

    Attributes
    ----------
    name : str
        What is measured, with its unit.
    theory : float
        The theoretical value.
    statistic : callable
        ``statistic(day) -> float``: the day's value (``NaN`` if the day has none).
    exact : bool
        True for an identity that must hold on every day to round-off; False for a
        statistical comparison over days.
    """

    name: str
    theory: float
    statistic: Statistic = field(repr=False, compare=False)
    exact: bool = False


@dataclass(frozen=True)
class Case:
    """A scenario file, the theory it reduces to, and the checks.

    Attributes
    ----------
    key : str
        Short name (the scenario file's stem).
    title : str
        One line for the report.
    path : Path
        The scenario file.
    scenario : Scenario
        The loaded scenario; its ``run.replications`` and ``run.seed`` are the case's.
    model : str
        The theoretical model and its parameters, for the report.
    window : str
        What is measured (warm-up, window), for the report.
    checks : tuple of Check
    """

    key: str
    title: str
    path: Path
    scenario: Scenario
    model: str
    window: str
    checks: tuple[Check, ...]

    @property
    def replications(self) -> int:
        """Simulated days (``run.replications`` of the scenario file)."""
        return self.scenario.run.replications

    @property
    def seed(self) -> int:
        """Root seed (``run.seed`` of the scenario file)."""
        return self.scenario.run.seed


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check over the simulated days.

    Attributes
    ----------
    case, check : str
        Case key and check name.
    theory : float
        Theoretical value.
    values : numpy.ndarray
        One value per day.
    shown : Interval
        Mean and interval at :data:`REPORT_LEVEL`.
    test : Interval
        The interval that decides a statistical check (Bonferroni-adjusted level).
    exact : bool
        Whether this is an exact check.
    max_error : float
        Largest relative deviation from theory over days (exact checks; ``NaN`` otherwise).
    passed : bool
    """

    case: str
    check: str
    theory: float
    values: np.ndarray = field(repr=False, compare=False)
    shown: Interval
    test: Interval
    exact: bool
    max_error: float
    passed: bool

    def describe(self) -> str:
        """One line for a failure message."""
        verdict = "pass" if self.passed else "FAIL"
        if self.exact:
            return (
                f"{verdict} {self.case}: {self.check}: theory {self.theory:.6g}, "
                f"max relative error over {self.values.size} days {self.max_error:.3g}"
            )
        return (
            f"{verdict} {self.case}: {self.check}: theory {self.theory:.6g}, simulated "
            f"{self.test.mean:.6g}, {100 * self.test.level:.2f}% CI "
            f"[{self.test.low:.6g}, {self.test.high:.6g}] over {self.test.n} days"
        )


# --------------------------------------------------------------------------------------------
# cases: scenario file -> theory and checks


class NotAReductionError(ValueError):
    """A validation scenario file is not the textbook reduction its case needs."""


def _require(ok: bool, path: Path, what: str) -> None:
    if not ok:
        raise NotAReductionError(f"{path}: {what}")


def _constant_rate_per_min(s: Scenario, path: Path) -> float:
    rates = {block.customers_per_hour for block in s.arrivals.profile}
    _require(len(rates) == 1, path, "arrivals.profile must have one constant rate")
    return rates.pop() / 60.0


def _one_staffing_block(s: Scenario, path: Path) -> None:
    _require(len(s.staffing) == 1, path, "staffing must be one block for the whole day")
    _require(s.staffing[0].kiosks is None, path, "staffing[0].kiosks must be null (all on)")


def _exponential_mean(dist: Distribution | None, path: Path, key: str) -> float:
    if not isinstance(dist, Exponential):
        raise NotAReductionError(f"{path}: {key} must be exponential")
    return float(dist.mean)


def _is_fixed(dist: Distribution, value: float) -> bool:
    return isinstance(dist, Fixed) and dist.value == value


def _single_item_service(s: Scenario, path: Path, channel: str) -> float:
    """Mean of an exponential service of one item in ``channel``; checks the reduction."""
    _require(_is_fixed(s.customers.basket_items, 1), path, "basket_items must be fixed 1")
    _require(_is_fixed(s.customers.payment_min, 0), path, "payment_min must be fixed 0")
    _require(s.customers.balking is None, path, "balking must be null")
    part = s.kiosks if channel == "kiosk" else s.cashiers
    _require(_is_fixed(part.fixed_min, 0), path, f"{channel}s.fixed_min must be fixed 0")
    return _exponential_mean(part.scan_min_per_item, path, f"{channel}s.scan_min_per_item")


def _kiosks_only(s: Scenario, path: Path) -> int:
    _require(s.customers.channel.prefer_kiosk_share == 1.0, path, "prefer_kiosk_share must be 1")
    _require(not s.kiosks.confusion, path, "kiosks.confusion must be empty")
    _one_staffing_block(s, path)
    return s.kiosks.count


def _warmup_text(warmup_min: float) -> str:
    return f"customers arriving from {warmup_min:g} min after opening (warm-up) to closing"


def _kiosk_bank(path: Path) -> tuple[Scenario, float, float, int]:
    """A kiosk-bank reduction: its scenario, arrivals per minute, mean service, kiosks."""
    s = load_scenario(path)
    lam = _constant_rate_per_min(s, path)
    return s, lam, _single_item_service(s, path, "kiosk"), _kiosks_only(s, path)


def _erlang_c_case(path: Path, warmup_min: float) -> Case:
    s, lam, mean_s, c = _kiosk_bank(path)
    _require(s.customers.patience_min is None, path, "patience_min must be null")
    m = theory.mmc(lam, 1.0 / mean_s, c)
    return Case(
        key=path.stem,
        title=f"Kiosk bank as M/M/{c} at rho {m.rho:.2f} vs Erlang C",
        path=path,
        scenario=s,
        model=(
            f"Erlang C, M/M/{c}: lambda = {lam:.4g}/min, mean service {mean_s:g} min, "
            f"rho = {m.rho:.3f} (`theory.mmc`)"
        ),
        window=_warmup_text(warmup_min),
        checks=(
            Check("mean queue wait (min)", m.wq_min, mean_wait(warmup_min)),
            Check("P(wait > 0)", m.p_wait, share_waiting(warmup_min)),
        ),
    )


def _erlang_a_case(path: Path, warmup_min: float) -> Case:
    s, lam, mean_s, c = _kiosk_bank(path)
    patience = _exponential_mean(s.customers.patience_min, path, "customers.patience_min")
    a = theory.erlang_a(lam, 1.0 / mean_s, c, 1.0 / patience)
    return Case(
        key=path.stem,
        title=f"Kiosk bank with exponential patience as M/M/{c}+M vs Erlang A",
        path=path,
        scenario=s,
        model=(
            f"Erlang A, M/M/{c}+M: lambda = {lam:.4g}/min, mean service {mean_s:g} min, "
            f"mean patience {patience:g} min, offered rho = {a.rho:.3f} (`theory.erlang_a`)"
        ),
        window=_warmup_text(warmup_min),
        checks=(
            Check("abandonment share", a.p_abandon, share_reneged(warmup_min)),
            Check(
                "mean queue wait, served (min)",
                a.wq_served_min,
                mean_wait(warmup_min, served_only=True),
            ),
            Check("mean queue wait, all arrivals (min)", a.wq_min, mean_wait(warmup_min)),
            Check("P(wait > 0)", a.p_wait, share_waiting(warmup_min)),
        ),
    )


def _random_lanes_case(path: Path, warmup_min: float) -> Case:
    s = load_scenario(path)
    lam = _constant_rate_per_min(s, path)
    mean_s = _single_item_service(s, path, "cashier")
    _require(s.run.lane_choice == "random", path, "run.lane_choice must be random")
    _require(s.customers.channel.never_kiosk_share == 1.0, path, "never_kiosk_share must be 1")
    _require(s.customers.patience_min is None, path, "patience_min must be null")
    _require(s.cashiers.express is None, path, "cashiers.express must be null")
    _one_staffing_block(s, path)
    k = s.staffing[0].cashiers
    _require(k >= 1 and s.kiosks.count == 0, path, "lanes only: cashiers >= 1, no kiosks")
    m = theory.mm1(lam / k, 1.0 / mean_s)
    checks: list[Check] = []
    for lane in range(k):
        checks.append(
            Check(f"lane {lane}: mean queue wait (min)", m.wq_min, mean_wait(warmup_min, lane=lane))
        )
        checks.append(
            Check(f"lane {lane}: P(wait > 0)", m.p_wait, share_waiting(warmup_min, lane=lane))
        )
    return Case(
        key=path.stem,
        title=f"{k} cashier lanes, random lane choice: each lane M/M/1 at lambda/{k}",
        path=path,
        scenario=s,
        model=(
            f"M/M/1 per lane: lambda/{k} = {lam / k:.4g}/min, mean service {mean_s:g} min, "
            f"rho = {m.rho:.3f} (`theory.mm1`)"
        ),
        window=_warmup_text(warmup_min),
        checks=tuple(checks),
    )


def _machine_repair_window(warmup_min: float) -> str:
    return (
        f"kiosk freezes and time-series intervals from {warmup_min:g} min after opening "
        "(warm-up) to closing, while the queue keeps every kiosk occupied"
    )


def _kiosks_occupied(warmup_min: float, end: float) -> Check:
    """The machine-repair premise: every kiosk has a customer (a queue always waits)."""
    return Check(
        "kiosks occupied (share of kiosk-minutes)",
        1.0,
        busy_share("kiosks", warmup_min, end),
        exact=True,
    )


def _machine_repair_store(s: Scenario, path: Path) -> tuple[Fixed, Fixed, ConfusionCause]:
    """The kiosk-only store both machine-repair cases need: every customer at a kiosk, fixed
    basket and scan, one confusion cause per item at scan, no patience, balking or payment.
    Returns the basket, the scan time and the cause."""
    _require(s.customers.channel.prefer_kiosk_share == 1.0, path, "prefer_kiosk_share must be 1")
    _require(s.cashiers.lanes == 0, path, "cashiers.lanes must be 0")
    _require(_is_fixed(s.customers.payment_min, 0), path, "payment_min must be fixed 0")
    _require(s.customers.patience_min is None, path, "patience_min must be null")
    _require(s.customers.balking is None, path, "balking must be null")
    _one_staffing_block(s, path)
    basket, scan = s.customers.basket_items, s.kiosks.scan_min_per_item
    _require(isinstance(basket, Fixed) and isinstance(scan, Fixed), path, "fixed basket and scan")
    _require(_is_fixed(s.kiosks.fixed_min, 0), path, "kiosks.fixed_min must be fixed 0")
    _require(len(s.kiosks.confusion) == 1, path, "one confusion cause")
    cause = s.kiosks.confusion[0]
    _require(cause.per == "item" and cause.at == "scan", path, "confusion per item, at scan")
    assert isinstance(basket, Fixed) and isinstance(scan, Fixed)  # checked just above
    return basket, scan, cause


def _machine_repair_case(path: Path, warmup_min: float) -> Case:
    s = load_scenario(path)
    basket, scan, cause = _machine_repair_store(s, path)
    walk = s.attendants.walk_min
    _require(walk is not None and _is_fixed(walk, 0), path, "attendants.walk_min must be fixed 0")
    repair = _exponential_mean(cause.resolve_min, path, "kiosks.confusion[0].resolve_min")
    items = basket.mean
    work = items * scan.mean
    lam = items * cause.probability / work
    n, r = s.kiosks.count, s.staffing[0].attendants
    m = theory.machine_repair(n, lam, 1.0 / repair, r)
    end = float(s.store.day_length_min)
    return Case(
        key=path.stem,
        title=f"Saturated bank of {n} kiosks, {r} attendant(s) vs machine repair M/M/{r}//{n}",
        path=path,
        scenario=s,
        model=(
            f"machine repair M/M/{r}//{n}: confusion rate {lam:.4g} per running kiosk-minute, "
            f"repair Exp(mean {repair:g} min) (`theory.machine_repair`)"
        ),
        window=_machine_repair_window(warmup_min),
        checks=(
            _kiosks_occupied(warmup_min, end),
            Check("mean wait for an attendant (min)", m.wq_min, attendant_wait(warmup_min, end)),
            Check(
                "P(freeze waits for an attendant)",
                m.p_wait,
                attendant_share_waiting(warmup_min, end),
            ),
            Check(
                "attendant utilisation", m.utilisation, busy_share("attendants", warmup_min, end)
            ),
        ),
    )


def _machine_repair_notice_case(path: Path, warmup_min: float) -> Case:
    """Machine repair with every cause cleared remotely and a fixed notice delay ``d``.

    Each kiosk cycles through running (until its next confusion), being noticed (``d``) and
    the attendants' queue and repair. That is a closed queueing network of one infinite-server
    station (running + noticing, of mean ``1/lam + d``) and one ``./M/r`` station; the
    infinite-server station is insensitive to its time distribution (BCMP product form), so
    the attendants see the machine-repair model with ``lam' = 1 / (1/lam + d)``, and the wait
    from freeze to the attendant is ``d`` plus that model's wait.
    """
    s = load_scenario(path)
    att = s.attendants
    notice = att.notice_min
    _require(isinstance(notice, Fixed), path, "attendants.notice_min must be fixed")
    _require(att.other_work_share == 0, path, "attendants.other_work_share must be 0")
    _require(att.notice_growth_per_open_freeze == 0, path, "no notice growth")
    _require(att.dispatch == "fcfs", path, "attendants.dispatch must be fcfs")
    _require(
        all(c.clearing == "remote" for c in s.kiosks.confusion),
        path,
        "every confusion cause must be cleared remotely (no walk)",
    )
    _require(not s.kiosks.faults, path, "kiosks.faults must be empty")
    basket, scan, cause = _machine_repair_store(s, path)
    repair = _exponential_mean(cause.resolve_min, path, "kiosks.confusion[0].resolve_min")
    d = float(notice.mean) if notice is not None else 0.0
    lam = basket.mean * cause.probability / (basket.mean * scan.mean)
    lam_noticed = 1.0 / (1.0 / lam + d)
    n, r = s.kiosks.count, s.staffing[0].attendants
    m = theory.machine_repair(n, lam_noticed, 1.0 / repair, r)
    end = float(s.store.day_length_min)
    return Case(
        key=path.stem,
        title=(
            f"Remote clearing, fixed notice delay {d:g} min: machine repair M/M/{r}//{n} "
            "with the delay added to running time, wait shifted by the delay"
        ),
        path=path,
        scenario=s,
        model=(
            f"machine repair M/M/{r}//{n} with lam' = 1/(1/{lam:.4g} + {d:g}) = "
            f"{lam_noticed:.4g} per kiosk-minute (running + noticing is an infinite-server "
            f"stage, insensitive to its distribution), repair Exp(mean {repair:g} min); wait "
            f"for the attendant = {d:g} + Wq (`theory.machine_repair`)"
        ),
        window=_machine_repair_window(warmup_min),
        checks=(
            _kiosks_occupied(warmup_min, end),
            Check("freeze to noticed (min)", d, notice_delay(warmup_min, end), exact=True),
            Check(
                "mean wait for an attendant, freeze to arrival (min)",
                d + m.wq_min,
                attendant_wait(warmup_min, end),
            ),
            Check(
                "P(noticed freeze waits for an attendant)",
                m.p_wait,
                attendant_share_waiting(warmup_min, end, from_notice=True),
            ),
            Check(
                "attendant utilisation", m.utilisation, busy_share("attendants", warmup_min, end)
            ),
        ),
    )


def _little_case(path: Path) -> Case:
    s = load_scenario(path)

    def ratio(line: str) -> Statistic:
        return lambda day: little_ratio(day, line)

    return Case(
        key=path.stem,
        title="Little's law on the output, mixed store with every behaviour on",
        path=path,
        scenario=s,
        model=(
            "L = lambda W, sample-path form: the day starts and ends empty, so the ratio is 1 "
            "on every day up to round-off"
        ),
        window="the whole day, opening to the moment the last customer leaves",
        checks=(
            Check("cashier lines: L / (lambda W)", 1.0, ratio("cashier"), exact=True),
            Check("kiosk line: L / (lambda W)", 1.0, ratio("kiosk"), exact=True),
            Check("attendant queue: L / (lambda W)", 1.0, ratio("help"), exact=True),
        ),
    )


_BUILDERS: dict[str, Callable[[Path], Case]] = {
    "mmc_rho070": lambda p: _erlang_c_case(p, warmup_min=120.0),
    "mmc": lambda p: _erlang_c_case(p, warmup_min=120.0),
    "mmc_rho090": lambda p: _erlang_c_case(p, warmup_min=240.0),
    "erlang_a": lambda p: _erlang_a_case(p, warmup_min=60.0),
    "random_lanes": lambda p: _random_lanes_case(p, warmup_min=90.0),
    "machine_repair": lambda p: _machine_repair_case(p, warmup_min=30.0),
    "machine_repair_notice": lambda p: _machine_repair_notice_case(p, warmup_min=30.0),
    "little": _little_case,
}

CASE_KEYS: tuple[str, ...] = tuple(_BUILDERS)
"""Every validation case, by scenario file stem."""


def load_case(key: str, directory: Path = SCENARIO_DIR) -> Case:
    """Build case ``key`` from ``directory/key.yaml``.

    Raises
    ------
    KeyError
        For an unknown key.
    ScenarioError
        If the file cannot be loaded.
    NotAReductionError
        If the file is not the reduction the case's theory needs.
    """
    return _BUILDERS[key](Path(directory) / f"{key}.yaml")


# --------------------------------------------------------------------------------------------
# running and judging


@functools.cache
def family_size(directory: Path = SCENARIO_DIR) -> int:
    """Statistical checks over every case: the size of the Bonferroni family."""
    return sum(sum(not chk.exact for chk in load_case(key, directory).checks) for key in CASE_KEYS)


def evaluate(case: Case, values: np.ndarray, family: int) -> list[CheckResult]:
    """Judge per-day ``values`` (days x checks) against the case's theory.

    Parameters
    ----------
    case : Case
    values : numpy.ndarray
        One row per simulated day, one column per check of ``case``.
    family : int
        Number of statistical checks in the family (see :func:`family_size`): each is judged
        at level ``1 - (1 - TEST_LEVEL) / family``.

    Returns
    -------
    list of CheckResult
        Statistical checks pass when theory lies in their interval; exact checks when every
        day is within ``EXACT_TOLERANCE`` (relative) of theory.
    """
    level = 1.0 - (1.0 - TEST_LEVEL) / family
    out = []
    for j, chk in enumerate(case.checks):
        x = values[:, j]
        shown = confidence_interval(x, REPORT_LEVEL)
        test = confidence_interval(x, level)
        if chk.exact:
            error = np.abs(x - chk.theory) / max(1.0, abs(chk.theory))
            max_error = float(np.max(error)) if x.size and np.all(np.isfinite(x)) else math.inf
            passed = max_error <= EXACT_TOLERANCE
        else:
            max_error = math.nan
            passed = test.contains(chk.theory)
        result = CheckResult(
            case.key, chk.name, chk.theory, x, shown, test, chk.exact, max_error, passed
        )
        out.append(result)
    return out


def run_case(
    case: Case,
    replications: int | None = None,
    executor: Executor | None = None,
    family: int | None = None,
) -> list[CheckResult]:
    """Simulate ``case`` (its scenario's replications and seed) and judge every check.

    Parameters
    ----------
    case : Case
    replications : int, optional
        Days to simulate instead of the scenario's ``run.replications``.
    executor : Executor, optional
        A started executor; by default the days run in this process. Results do not depend
        on it.
    family : int, optional
        Bonferroni family size; by default every statistical check of the shipped cases.
    """
    reps = case.replications if replications is None else replications
    # The day's tables are built in the worker that simulated it; the checks are cheap.
    tasks = [Task(case.scenario, rep, case.seed, analyse=day_tables) for rep in range(reps)]
    values = np.full((reps, len(case.checks)), np.nan)
    with make_executor(1) as own:
        runner = own if executor is None else executor
        for task, day in runner.map(tasks):
            values[task.rep] = [chk.statistic(day) for chk in case.checks]
    return evaluate(case, values, family_size() if family is None else family)
