"""The model against queueing theory: every case of :mod:`checkoutsim.validation.cases`.

The simulation tests (marker ``validation``) run the very cases that ``make validate`` reports
in ``docs/validation.md``: the scenario files under ``scenarios/validation/``, their
replications and seeds, theory inside the Bonferroni-adjusted 99% interval over days. The
other tests check the judging and reporting machinery on synthetic values.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from checkoutsim.validation.cases import (
    CASE_KEYS,
    EXACT_TOLERANCE,
    SCENARIO_DIR,
    TEST_LEVEL,
    Case,
    Check,
    NotAReductionError,
    evaluate,
    family_size,
    load_case,
    run_case,
)
from checkoutsim.validation.document import main


@pytest.mark.validation
@pytest.mark.parametrize("key", CASE_KEYS)
def test_simulation_agrees_with_theory(key: str) -> None:
    results = run_case(load_case(key))
    failed = [r.describe() for r in results if not r.passed]
    assert not failed, "\n".join(failed)


@pytest.mark.validation
def test_a_model_five_percent_off_fails() -> None:
    """The checks have power: kiosks 5% slower than the theory assumes are caught."""
    case = load_case("mmc_rho070")
    slower = case.scenario.with_overrides(
        {"kiosks": {"scan_min_per_item": {"kind": "exponential", "mean": 3.15}}}
    )
    results = run_case(replace(case, scenario=slower))
    assert not results[0].passed, results[0].describe()


# -- the machinery -----------------------------------------------------------------------------


def _case(*checks: Check) -> Case:
    base = load_case("mmc_rho070")
    return replace(base, checks=checks)


def _never(day: object) -> float:  # statistics are not called by evaluate()
    raise AssertionError("not called")


def test_statistical_check_passes_only_when_theory_is_inside_the_interval() -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(10.0, 1.0, size=(40, 1))
    inside = evaluate(_case(Check("x", 10.0, _never)), values, family=1)[0]
    outside = evaluate(_case(Check("x", 11.0, _never)), values, family=1)[0]
    assert inside.passed and inside.test.contains(10.0)
    assert not outside.passed and outside.test.high < 11.0
    assert inside.test.level == TEST_LEVEL
    assert inside.shown.half_width < inside.test.half_width


def test_bonferroni_over_the_whole_family_of_statistical_checks() -> None:
    checks = (Check("a", 0.0, _never), Check("d", 1.0, _never, exact=True))
    values = np.column_stack([np.linspace(-1, 1, 20), np.ones(20)])
    one, exact = evaluate(_case(*checks), values, family=7)
    assert one.test.level == pytest.approx(1 - (1 - TEST_LEVEL) / 7)
    assert one.test.half_width > evaluate(_case(*checks), values, family=1)[0].test.half_width
    assert exact.passed
    # The shipped family: every statistical check of every case.
    expected = sum(sum(not chk.exact for chk in load_case(key).checks) for key in CASE_KEYS)
    assert family_size() == expected >= 10


@pytest.mark.parametrize(
    ("error", "passes"),
    [(0.0, True), (0.5 * EXACT_TOLERANCE, True), (1e-6, False), (np.nan, False)],
)
def test_exact_check_holds_on_every_day(error: float, passes: bool) -> None:
    values = np.ones((10, 1))
    values[3, 0] += error
    result = evaluate(_case(Check("ratio", 1.0, _never, exact=True)), values, family=1)[0]
    assert result.passed is passes


def test_a_file_that_is_not_the_reduction_is_refused(tmp_path: Path) -> None:
    text = (SCENARIO_DIR / "mmc.yaml").read_text()
    changed = text.replace(
        "basket_items: {kind: fixed, value: 1}", "basket_items: {kind: fixed, value: 2}"
    )
    assert changed != text
    (tmp_path / "mmc.yaml").write_text(changed)
    with pytest.raises(NotAReductionError, match="basket_items must be fixed 1"):
        load_case("mmc", tmp_path)


def test_report_lists_every_check_with_its_verdict(tmp_path: Path) -> None:
    out = tmp_path / "validation.md"
    status = main(["--case", "little", "--replications", "2", "--workers", "1", "--out", str(out)])
    text = out.read_text()
    case = load_case("little")
    assert status == 0
    for check in case.checks:
        row = next(line for line in text.splitlines() if f"| little | {check.name} |" in line)
        assert row.rstrip().endswith("| pass |")
        assert f"| 2 | {case.seed} |" in row
    assert "scenarios/validation/little.yaml" in text


def test_report_exits_2_on_a_missing_case_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "validation.md"
    status = main(["--case", "mmc", "--scenarios", str(tmp_path), "--out", str(out)])
    assert status == 2
    assert "mmc.yaml" in capsys.readouterr().err
    assert not out.exists()
