"""Plan files: variants resolved like scenarios, every problem at its file, key path and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checkoutsim import ScenarioError, load_scenario
from checkoutsim.scenario.plans import load_plan

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def test_shipped_plan_resolves_three_variants() -> None:
    plan = load_plan(SCENARIOS / "plans" / "weekday_variants.yaml")
    weekday = load_scenario(SCENARIOS / "weekday.yaml")
    assert plan.base == weekday
    assert list(plan.variants) == ["one_attendant", "evening_cashier", "kiosks_for_cashier"]
    assert list(plan.scenarios()) == ["weekday", *plan.variants]
    one = plan.variants["one_attendant"]
    assert one.name == "one_attendant"
    assert [b.attendants for b in one.staffing] == [1] * len(weekday.staffing)
    evening = plan.variants["evening_cashier"]
    assert [b.cashiers for b in evening.staffing] == [2, 3, 4, 3, 6, 2]
    # Only what the variant names changes.
    assert evening.model_copy(update={"name": "weekday", "staffing": weekday.staffing}) == (
        weekday.model_copy(update={"name": "weekday"})
    )
    assert plan.variants["kiosks_for_cashier"].kiosks.count == 12
    assert plan.replications == 20 and plan.seed is None


def _write(tmp_path: Path, text: str) -> Path:
    shutil.copy(SCENARIOS / "weekday.yaml", tmp_path / "weekday.yaml")
    path = tmp_path / "plan.yaml"
    path.write_text(text)
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_plan(path)
    return [str(p) for p in info.value.problems]


def test_variant_problems_point_at_the_override_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """base: weekday.yaml
variants:
  a:
    kiosks:
      count: -1
      cont: 3
  b:
    staffing[*].cashier: 2
  c:
    cashiers.lanes: 2
  d:
    staffing[start=16:00].cashiers: 11
  e:
    customers.patience_min: {kind: lognormal, mean: -1, sd: 2}
""",
    )
    problems = _problems(path)
    src = str(path)
    assert (
        f"{src}:5: variants.a.kiosks.count: input should be greater than or equal to 0"
        in (problems[0])
    )
    assert problems[1].startswith(f"{src}:6: variants.a.kiosks.cont: unknown key")
    assert problems[2].startswith(f"{src}:8: variants.b.staffing[*].cashier: no key 'cashier'")
    # A combination no single override caused: reported at the variant's name.
    assert problems[3].startswith(
        f"{src}:9: variants.c: in the resolved scenario, staffing[1].cashiers: 3 staffed lanes"
    )
    d = next(p for p in problems if "variants.d" in p)
    assert d.startswith(f"{src}:12: variants.d.staffing[start=16:00].cashiers: (at staffing[4]")
    e = next(p for p in problems if "variants.e" in p)
    assert e.startswith(f"{src}:14: variants.e.customers.patience_min.mean: input should be")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("base: nowhere.yaml\nvariants: {a: {kiosks.count: 3}}\n", ":1: base: scenario file"),
        ("base: weekday.yaml\nvariants: {}\n", ":2: variants:"),
        ("base: weekday.yaml\ncolour: red\nvariants: {a: {}}\n", ":2: colour: unknown key"),
        ("base: weekday.yaml\nreplications: 0\nvariants: {a: {}}\n", ":2: replications:"),
        ("base: weekday.yaml\nvariants:\n  bad name: {}\n", ":3: variants.bad name: names"),
        ("base: weekday.yaml\nvariants:\n  weekday: {}\n", ":3: variants.weekday: a variant"),
        ("base: weekday.yaml\nvariants:\n  a: 3\n", ":3: variants.a: expected a mapping"),
    ],
)
def test_plan_file_problems(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    problems = _problems(path)
    assert any(p.startswith(str(path) + expected) for p in problems), problems


def test_problems_in_the_base_scenario_name_the_base_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "base: weekday.yaml\nvariants: {a: {}}\n")
    base = tmp_path / "weekday.yaml"
    base.write_text(base.read_text().replace("count: 8", "count: -8"))
    problems = _problems(path)
    assert problems[0].startswith(f"{base}:") and "kiosks.count" in problems[0]
