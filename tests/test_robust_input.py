"""Hostile or absurd input ends in a clear, located ScenarioError, never a hang or a traceback.

Issue 19 ("Unbreakable"): each test here was written to fail on the code before the fix.
"""

from __future__ import annotations

import re
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from checkoutsim import Scenario, ScenarioError, load_scenario
from checkoutsim.cli import app
from checkoutsim.scenario.loader import LIMITS, Problem
from checkoutsim.scenario.plans import load_plan

ROOT = Path(__file__).resolve().parents[1]
WEEKDAY_FILE = ROOT / "scenarios" / "weekday.yaml"
WEEKDAY = WEEKDAY_FILE.read_text()
runner = CliRunner()

SECONDS = 5.0
"""Every refusal here must come well within this (the shipped files load in about 0.1 s)."""


def _refused(tmp_path: Path, text: str, name: str = "bad.yaml") -> list[Problem]:
    path = tmp_path / name
    path.write_text(text)
    started = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert time.perf_counter() - started < SECONDS
    for problem in info.value.problems:
        assert problem.source == str(path)
    return info.value.problems


def _edit(old: str, new: str) -> str:
    assert old in WEEKDAY, old
    return WEEKDAY.replace(old, new, 1)


def _laughs(levels: int, width: int = 9) -> str:
    """The "billion laughs": each level an anchored list of ``width`` aliases to the last."""
    lines = [f"lol0: &a0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels + 1):
        lines.append(f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


# -- item 1: size, depth and alias limits ----------------------------------------------------


def test_billion_laughs_is_refused_quickly_at_its_line(tmp_path: Path) -> None:
    text = _laughs(9)
    (problem,) = _refused(tmp_path, text)
    assert "once aliases are expanded" in problem.message
    # Level 5 (line 6) expands to 9**5 * 10 values: the first beyond the limit.
    assert problem.line == 6, str(problem)


def test_billion_laughs_in_a_plan_file_is_refused_too(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(WEEKDAY)
    plan = tmp_path / "plan.yaml"
    plan.write_text("base: base.yaml\nvariants:\n  a: {}\n" + _laughs(9))
    started = time.perf_counter()
    with pytest.raises(ScenarioError, match="once aliases are expanded"):
        load_plan(plan)
    assert time.perf_counter() - started < SECONDS


def test_billion_laughs_in_a_sweep_file_is_refused_too(tmp_path: Path) -> None:
    from checkoutsim.experiments.sweep import load_sweep

    (tmp_path / "base.yaml").write_text(WEEKDAY)
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("base: base.yaml\ngrid: {kiosks.count: [6, 8]}\n" + _laughs(9))
    with pytest.raises(ScenarioError, match="once aliases are expanded"):
        load_sweep(sweep)


def test_too_many_aliases(tmp_path: Path) -> None:
    text = "x: &v 1\nys: [" + ", ".join(["*v"] * (LIMITS.max_aliases + 1)) + "]\n"
    (problem,) = _refused(tmp_path, text)
    assert f"more than {LIMITS.max_aliases} aliases" in problem.message
    assert problem.line == 2


def test_aliases_nested_too_deep(tmp_path: Path) -> None:
    # A chain of one-element lists: tiny once expanded, but each alias holds the last one.
    lines = ["a0: &a0 [1]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, LIMITS.max_alias_depth + 2)]
    (problem,) = _refused(tmp_path, "\n".join(lines) + "\n")
    assert "aliases nest more than" in problem.message
    assert problem.line == LIMITS.max_alias_depth + 2


def test_recursive_alias(tmp_path: Path) -> None:
    (problem,) = _refused(tmp_path, "name: x\nloop: &a [1, *a]\n")
    assert "contains the alias itself" in problem.message
    assert problem.line == 2


def test_one_alias_reused_like_a_planner_would_is_fine(tmp_path: Path) -> None:
    text = _edit(
        "  fixed_min: {kind: gamma, mean: 0.30, sd: 0.12}",
        "  fixed_min: &kiosk_fixed {kind: gamma, mean: 0.30, sd: 0.12}",
    ).replace(
        "other_work_task_min: {kind: lognormal, mean: 1.5, sd: 1.0}",
        "other_work_task_min: *kiosk_fixed",
    )
    path = tmp_path / "ok.yaml"
    path.write_text(text)
    assert load_scenario(path).attendants.other_work_task_min.mean == pytest.approx(0.30)


def test_deep_nesting_is_refused_not_a_recursion_error(tmp_path: Path) -> None:
    (problem,) = _refused(tmp_path, "name: " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert f"nested more than {LIMITS.max_depth} levels" in problem.message
    assert problem.line == 1


def test_a_file_larger_than_the_limit_is_refused_unread(tmp_path: Path) -> None:
    text = WEEKDAY + "# " + "x" * LIMITS.max_bytes + "\n"
    (problem,) = _refused(tmp_path, text)
    assert "the file is larger than 262,144 bytes" in problem.message


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_is_refused_not_a_memory_error() -> None:
    started = time.perf_counter()
    with pytest.raises(ScenarioError, match="the file is larger than"):
        load_scenario("/dev/zero")
    assert time.perf_counter() - started < SECONDS


def test_a_very_long_number_is_refused_not_a_value_error(tmp_path: Path) -> None:
    text = _edit("  seed: 20261122", "  seed: " + "9" * 5000)
    (problem,) = _refused(tmp_path, text)
    assert "numbers may have at most" in problem.message
    assert problem.line == text.splitlines().index("  seed: " + "9" * 5000) + 1


def test_the_cli_prints_the_problem_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(_laughs(9))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{path}:6: the document holds more than" in result.output.replace("\n", "")


# -- item 2: YAML tags -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "shown"),
    [
        ("store:\n", "store: !!python/object/apply:os.system\n", "!!python/object/apply:os.system"),
        ("name: weekday", "name: !!str weekday", "!!str"),
        ("  count: 8\n", "  count: !!int 8\n", "!!int"),
        ("  lanes: 10\n", "  lanes: !custom 10\n", "!custom"),
        ("staffing:  ", "staffing: !!seq  ", "!!seq"),
    ],
    ids=["python tag on a mapping", "str", "int", "local tag", "tag on a list"],
)
def test_every_tag_is_refused_at_its_line(tmp_path: Path, old: str, new: str, shown: str) -> None:
    text = _edit(old, new)
    (problem,) = _refused(tmp_path, text)
    assert f"YAML tag {shown!r}" in problem.message
    assert "tags are not allowed" in problem.message
    assert problem.line == _line_of(text, new.strip())


def test_python_tags_never_execute(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    text = _edit(
        "description: >-",
        f"hack: !!python/object/apply:pathlib.Path.touch [!!python/object/apply:pathlib.Path "
        f"['{marker}']]\ndescription: >-",
    )
    _refused(tmp_path, text)
    assert not marker.exists()


def test_a_yaml_1_1_directive_is_refused(tmp_path: Path) -> None:
    (problem,) = _refused(tmp_path, "%YAML 1.1\n---\n" + WEEKDAY)
    assert "read as YAML 1.2" in problem.message


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


# -- item 6: a 24-hour store and times of day --------------------------------------------------


def _day_store(tmp_path: Path) -> Path:
    """Weekday's store open 00:00-24:00 with one quiet arrival block and one staffing block."""
    text = WEEKDAY
    start = text.index("arrivals:")
    end = text.index("customers:")
    text = (
        text[:start]
        + 'arrivals:\n  profile:\n    - {start: "00:00", end: "24:00", customers_per_hour: 6}\n\n'
        + text[end:]
    )
    start = text.index("staffing:")
    end = text.index("run:")
    text = (
        text[:start]
        + "staffing:\n"
        + '  - {start: "00:00", end: "12:00", cashiers: 1, attendants: 1}\n'
        + '  - {start: "12:00", end: "24:00", cashiers: 1, attendants: 1}\n\n'
        + text[end:]
    )
    text = text.replace('open: "08:00"', 'open: "00:00"').replace(
        'close: "21:00"', 'close: "24:00"'
    )
    path = tmp_path / "allday.yaml"
    path.write_text(text)
    return path


def test_a_24_hour_store_can_be_written_and_run(tmp_path: Path) -> None:
    from checkoutsim import simulate

    scenario = load_scenario(_day_store(tmp_path))
    assert scenario.store.day_length_min == 24 * 60
    assert scenario.minutes_after_open("24:00") == 24 * 60
    result = simulate(scenario, replications=1, seed=1)
    arrivals = result.customers["arrival_min"]
    assert arrivals.max() > 23 * 60  # customers arrive in the last hour too


@pytest.mark.parametrize(
    ("old", "new", "key_path", "fragment"),
    [
        ('open: "08:00"', 'open: "24:00"', "store.open", "24:00 is the end of the day"),
        (
            '{start: "08:00", end: "10:00", cashiers: 2',
            '{start: "24:00", end: "10:00", cashiers: 2',
            "staffing[0].start",
            "24:00 is the end of the day",
        ),
        ('close: "21:00"', 'close: "24:01"', "store.close", "'HH:MM'"),
        ('close: "21:00"', 'close: "25:00"', "store.close", "'HH:MM'"),
        ('close: "21:00"', 'close: "21:00\\n"', "store.close", "'HH:MM'"),
        ('close: "21:00"', 'close: "\\u0669:00"', "store.close", "'HH:MM'"),
    ],
    ids=["open at 24:00", "block starts at 24:00", "24:01", "25:00", "newline", "non-ASCII digits"],
)
def test_bad_times_of_day(tmp_path: Path, old: str, new: str, key_path: str, fragment: str) -> None:
    problems = _refused(tmp_path, _edit(old, new))
    assert any(p.key_path == key_path and fragment in p.message for p in problems), [
        str(p) for p in problems
    ]


def test_unquoted_times_read_as_text_in_yaml_1_2(tmp_path: Path) -> None:
    path = tmp_path / "unquoted.yaml"
    path.write_text(_edit('open: "08:00"', "open: 08:00").replace('"10:00"', "10:00"))
    scenario = load_scenario(path)
    assert scenario.store.open == "08:00"
    assert scenario.staffing[1].start == "10:00"


# -- item 7: names that become labels and folders ----------------------------------------------


BAD_NAMES = ["..", ".", ".hidden", "a/b", "a\\\\b", "-x", "x" * 65, "x$^$", "a b", "é"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_scenario_name_is_one_safe_path_component(tmp_path: Path, name: str) -> None:
    text = _edit("name: weekday", f'name: "{name}"')
    problems = _refused(tmp_path, text)
    assert [(p.key_path, p.line) for p in problems] == [("name", _line_of(text, "name: "))]
    assert "expected a name of 1 to 64 letters" in problems[0].message


@pytest.mark.parametrize("name", ["x$^$", "..", "a b"])
def test_confusion_cause_names_are_safe_labels(tmp_path: Path, name: str) -> None:
    text = _edit("name: unexpected_item", f'name: "{name}"')
    problems = _refused(tmp_path, text)
    assert [p.key_path for p in problems] == ["kiosks.confusion[0].name"]
    assert problems[0].line == _line_of(text, f'name: "{name}"')


def _plan(tmp_path: Path, variants: str) -> Path:
    (tmp_path / "base.yaml").write_text(WEEKDAY)
    path = tmp_path / "plan.yaml"
    path.write_text(f"base: base.yaml\nvariants:\n{variants}")
    return path


@pytest.mark.parametrize("name", ["..", ".x", "-x", "x" * 65])
def test_plan_variant_names_are_safe(tmp_path: Path, name: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_plan(_plan(tmp_path, f'  "{name}": {{kiosks: {{count: 9}}}}\n'))
    (problem,) = info.value.problems
    assert problem.line == 3
    assert "names must be 1 to 64 letters" in problem.message


def test_a_variant_cannot_rename_itself_to_an_unsafe_name(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_plan(_plan(tmp_path, '  ok: {name: ".."}\n'))
    (problem,) = info.value.problems
    assert problem.key_path == "variants.ok.name"
    assert problem.line == 3


def test_sweep_name_is_safe(tmp_path: Path) -> None:
    from checkoutsim.experiments.sweep import load_sweep

    (tmp_path / "base.yaml").write_text(WEEKDAY)
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text('base: base.yaml\nname: ".."\ngrid: {kiosks.count: [6, 8]}\n')
    with pytest.raises(ScenarioError) as info:
        load_sweep(sweep)
    assert [(p.key_path, p.line) for p in info.value.problems] == [("name", 2)]


@pytest.mark.parametrize(
    ("currency", "ok"), [("$", True), ("US$", True), ("$$", False), ("a\\tb", False)]
)
def test_currency_is_a_safe_label(tmp_path: Path, currency: str, ok: bool) -> None:
    text = WEEKDAY + f'costs: {{currency: "{currency}"}}\n'
    if ok:
        path = tmp_path / "ok.yaml"
        path.write_text(text)
        assert load_scenario(path).costs.currency == currency.replace("\\t", "\t")
    else:
        (problem,) = _refused(tmp_path, text)
        assert problem.key_path == "costs.currency"


# -- item 4: a range for every number ----------------------------------------------------------


def _causes(n: int) -> str:
    lines = [
        f"    - {{name: c{i}, per: transaction, probability: 0.001, "
        "resolve_min: {kind: fixed, value: 0.5}}"
        for i in range(n)
    ]
    return "  confusion:\n" + "\n".join(lines) + "\n"


def _with_causes(n: int) -> str:
    start = WEEKDAY.index("  confusion:")
    end = WEEKDAY.index("attendants:")
    return WEEKDAY[:start] + _causes(n) + "\n" + WEEKDAY[end:]


# Each of these passed `validate` before issue 19 and then crashed, hung or ran out of memory.
RANGE_CASES = [
    (
        "balking steepness 102",
        "steepness_per_customer: 0.6",
        "steepness_per_customer: 102",
        "customers.balking.steepness_per_customer",
        "less than or equal to 50",
    ),
    (
        "lognormal sd 1e200",
        "patience_min: {kind: lognormal, mean: 9.26, sd: 5.4}",
        "patience_min: {kind: lognormal, mean: 9.26, sd: 1.0e+200}",
        "customers.patience_min.sd",
        "less than or equal to 1000000",
    ),
    (
        "gamma sd 1e5 (CV above 10)",
        "scan_min_per_item: {kind: gamma, mean: 0.05, sd: 0.02}",
        "scan_min_per_item: {kind: gamma, mean: 0.05, sd: 100000}",
        "cashiers.scan_min_per_item",
        "sd between 1e-06 and 10 times its mean",
    ),
    (
        "seed 2**63",
        "  seed: 20261122",
        f"  seed: {2**63}",
        "run.seed",
        "less than or equal to 9223372036854775807",
    ),
    (
        "32,768 kiosks",
        "  count: 8\n",
        "  count: 32768\n",
        "kiosks.count",
        "less than or equal to 1000",
    ),
    (
        "32,768 attendants",
        "cashiers: 2, express_cashiers: 0, attendants: 1}",
        "cashiers: 2, express_cashiers: 0, attendants: 32768}",
        "staffing[0].attendants",
        "less than or equal to 1000",
    ),
    (
        "arrival rate 1e20",
        "customers_per_hour: 320}",
        "customers_per_hour: 1.0e+20}",
        "arrivals.profile[9].customers_per_hour",
        "less than or equal to 10000",
    ),
    (
        "arrival rate 1e9",
        "customers_per_hour: 320}",
        "customers_per_hour: 1000000000}",
        "arrivals.profile[9].customers_per_hour",
        "less than or equal to 10000",
    ),
    (
        "basket of 1e6 items",
        "basket_items: {kind: lognormal, mean: 12, sd: 16}",
        "basket_items: {kind: lognormal, mean: 1000000, sd: 16}",
        "customers.basket_items",
        "at most 1,000 items",
    ),
    (
        "notice delay of 1e8 minutes",
        "notice_min: {kind: exponential, mean: 0.10}",
        "notice_min: {kind: fixed, value: 100000000}",
        "attendants.notice_min.value",
        "less than or equal to 1000000",
    ),
    (
        "patience of 1e5 minutes",
        "patience_min: {kind: lognormal, mean: 9.26, sd: 5.4}",
        "patience_min: {kind: exponential, mean: 100000}",
        "customers.patience_min",
        "at most 1,440 minutes",
    ),
    (
        "sample interval 1e-6",
        "sample_interval_min: 5",
        "sample_interval_min: 1.0e-6",
        "run.sample_interval_min",
        "greater than or equal to 0.1",
    ),
    (
        "100,000 staffed lanes",
        "  lanes: 10\n",
        "  lanes: 100000\n",
        "cashiers.lanes",
        "less than or equal to 1000",
    ),
    (
        "per-item scan of 100 minutes",
        "scan_min_per_item: {kind: gamma, mean: 0.13, sd: 0.06}",
        "scan_min_per_item: {kind: gamma, mean: 100, sd: 60}",
        "kiosks.scan_min_per_item",
        "at most 60 minutes per item",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "key_path", "fragment"),
    [case[1:] for case in RANGE_CASES],
    ids=[case[0] for case in RANGE_CASES],
)
def test_out_of_range_numbers_are_refused_at_their_line(
    tmp_path: Path, old: str, new: str, key_path: str, fragment: str
) -> None:
    text = _edit(old, new)
    problems = _refused(tmp_path, text)
    matching = [p for p in problems if p.key_path == key_path]
    assert matching, [str(p) for p in problems]
    assert fragment in matching[0].message, str(matching[0])
    assert matching[0].line == _line_of(text, new.strip().splitlines()[0]), str(matching[0])


def test_more_than_50_confusion_causes_are_refused(tmp_path: Path) -> None:
    problems = _refused(tmp_path, _with_causes(128))
    assert [p.key_path for p in problems] == ["kiosks.confusion"]
    assert "at most 50" in problems[0].message


def test_a_seed_above_63_bits_in_a_plan_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(WEEKDAY)
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"base: base.yaml\nseed: {2**63}\nvariants:\n  a: {{kiosks: {{count: 9}}}}\n")
    with pytest.raises(ScenarioError) as info:
        load_plan(plan)
    assert [(p.key_path, p.line) for p in info.value.problems] == [("seed", 2)]


def test_every_maximum_is_accepted(tmp_path: Path) -> None:
    text = (
        _with_causes(50)
        .replace("steepness_per_customer: 0.6", "steepness_per_customer: 50")
        .replace("midpoint_queue_length: 8", "midpoint_queue_length: 1000")
        .replace("  seed: 20261122", f"  seed: {2**63 - 1}")
        .replace("  count: 8\n", "  count: 1000\n")
        .replace("  lanes: 10\n", "  lanes: 1000\n")
        .replace("sample_interval_min: 5", "sample_interval_min: 0.1")
        .replace("customers_per_hour: 320}", "customers_per_hour: 10000}")
        .replace(
            "patience_min: {kind: lognormal, mean: 9.26, sd: 5.4}",
            "patience_min: {kind: lognormal, mean: 1440, sd: 14400}",
        )
        .replace(
            "basket_items: {kind: lognormal, mean: 12, sd: 16}",
            "basket_items: {kind: gamma, mean: 1000, sd: 10000}",
        )
    )
    path = tmp_path / "max.yaml"
    path.write_text(text)
    scenario = load_scenario(path)
    assert scenario.run.seed == 2**63 - 1
    assert len(scenario.kiosks.confusion) == 50


# -- item 3: every problem in one run ------------------------------------------------------------


def test_every_coverage_gap_and_overlap_is_reported(tmp_path: Path) -> None:
    text = (
        _edit(
            '{start: "10:00", end: "11:00", cashiers: 3',
            '{start: "10:30", end: "11:00", cashiers: 3',
        )
        .replace(
            '{start: "14:00", end: "16:00", cashiers: 3',
            '{start: "13:00", end: "16:00", cashiers: 3',
        )
        .replace(
            '{start: "19:00", end: "21:00", cashiers: 2',
            '{start: "19:00", end: "20:00", cashiers: 2',
        )
        .replace(
            '{start: "09:00", end: "10:00", customers_per_hour: 170}',
            '{start: "09:15", end: "10:00", customers_per_hour: 170}',
        )
    )
    found = {(p.key_path, p.message.split(":")[0]) for p in _refused(tmp_path, text)}
    assert found == {
        ("staffing[1].start", "leaves a gap"),
        ("staffing[3].start", "overlaps the previous block"),
        ("staffing[5].end", "the last block must end at closing time 21"),
        ("arrivals.profile[1].start", "leaves a gap"),
    }


def test_a_reversed_block_does_not_hide_the_rest(tmp_path: Path) -> None:
    text = _edit(
        '{start: "10:00", end: "11:00", cashiers: 3',
        '{start: "10:00", end: "09:00", cashiers: 3',
    ).replace(
        '{start: "14:00", end: "16:00", cashiers: 3', '{start: "14:30", end: "16:00", cashiers: 3'
    )
    paths = {p.key_path for p in _refused(tmp_path, text)}
    assert paths == {"staffing[1].end", "staffing[3].start"}


def test_a_schema_error_does_not_hide_cross_field_problems(tmp_path: Path) -> None:
    # Three independent mistakes: a typo elsewhere, a staffing gap, a block with more staffed
    # lanes than exist. Before issue 19 only the typo was reported.
    text = (_edit("  lanes: 10\n", "  lanes: 10\n") + "costs: {colour: red}\n").replace(
        '{start: "10:00", end: "11:00", cashiers: 3', '{start: "10:30", end: "11:00", cashiers: 3'
    )
    text = text.replace(
        '{start: "11:00", end: "14:00", cashiers: 4,',
        '{start: "11:00", end: "14:00", cashiers: 12,',
    )
    problems = _refused(tmp_path, text)
    assert {p.key_path for p in problems} == {
        "costs.colour",
        "staffing[1].start",
        "staffing[2].cashiers",
    }, [str(p) for p in problems]
    by_path = {p.key_path: p for p in problems}
    assert by_path["staffing[2].cashiers"].line == _line_of(text, "cashiers: 12,")


def test_an_invalid_block_does_not_hide_the_other_blocks(tmp_path: Path) -> None:
    text = _edit(
        '{start: "08:00", end: "10:00", cashiers: 2,',
        '{start: "08:00", end: "10:00", cashiers: -1,',
    ).replace(
        '{start: "11:00", end: "14:00", cashiers: 4,',
        '{start: "11:00", end: "14:00", cashiers: 12,',
    )
    text = text.replace(
        '{start: "19:00", end: "21:00", cashiers: 2', '{start: "19:00", end: "20:00", cashiers: 2'
    )
    paths = {p.key_path for p in _refused(tmp_path, text)}
    assert paths == {"staffing[0].cashiers", "staffing[2].cashiers", "staffing[5].end"}


def test_a_plan_variant_reports_schema_and_cross_field_problems_together(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "  v:\n    kiosks.count: -1\n    staffing[2].cashiers: 12\n")
    with pytest.raises(ScenarioError) as info:
        load_plan(plan)
    paths = {p.key_path for p in info.value.problems}
    assert paths == {"variants.v.kiosks.count", "variants.v.staffing[2].cashiers"}, [
        str(p) for p in info.value.problems
    ]


# -- item 5: the capacity guard ------------------------------------------------------------------


def _busy(rate: float, budget: int | None = None) -> str:
    text = re.sub(r"customers_per_hour: \d+", f"customers_per_hour: {rate:g}", WEEKDAY)
    if budget is not None:
        text = text.replace(
            "  seed: 20261122\n", f"  seed: 20261122\n  memory_budget_mb: {budget}\n"
        )
    return text


def test_a_day_beyond_the_memory_budget_is_refused_with_the_estimate(tmp_path: Path) -> None:
    text = _busy(10_000, budget=64)  # 13 hours x 10,000 = 130,000 customers
    problems = _refused(tmp_path, text)
    assert [p.key_path for p in problems] == ["arrivals.profile"]
    message = problems[0].message
    assert "about 130,000 customers a day, about 2" in message, message
    assert "run.memory_budget_mb is 64" in message
    assert problems[0].line == _line_of(text, "profile:")


def test_the_default_budget_admits_a_busy_store_but_not_an_absurd_one(tmp_path: Path) -> None:
    path = tmp_path / "busy.yaml"
    path.write_text(_busy(10_000))  # 130,000 customers a day: about 200 MB
    assert load_scenario(path).day_estimate().customers == pytest.approx(130_000)
    text = _busy(10_000).replace(
        "basket_items: {kind: lognormal, mean: 12, sd: 16}",
        "basket_items: {kind: lognormal, mean: 1000, sd: 1000}",
    )
    (problem,) = _refused(tmp_path, text)
    assert "run.memory_budget_mb is 2,048" in problem.message


def test_validate_reports_the_capacity_problem_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "busy.yaml"
    path.write_text(_busy(10_000, budget=64))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "customers a day" in result.output and "Traceback" not in result.output


def test_the_estimate_covers_the_measured_memory_of_a_day(weekday: Scenario) -> None:
    from checkoutsim import simulate

    estimate = weekday.day_estimate()
    assert estimate.customers == pytest.approx(2_880, rel=0.05)
    tracemalloc.start()
    try:
        result = simulate(weekday, replications=1, seed=1)
        result.metrics()
        result.summary()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The guard must not under-estimate a day by much (first-call caches inflate the peak a
    # little), nor over-estimate it wildly.
    assert peak < 1.5 * estimate.bytes, (peak, estimate.bytes)
    assert estimate.bytes < 4 * peak, (peak, estimate.bytes)


# -- property: any mutation of a good file ends in a Scenario or a located ScenarioError ---------

YAML_NOISE = st.text(
    alphabet=st.sampled_from(list("[]{}:,-&*!|>'\"#%@`?\n\t 0123456789.eE+_abz$^\\")),
    max_size=40,
)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = WEEKDAY
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 30))
        text = text[:at] + draw(YAML_NOISE) + text[at + cut :]
    return text


@pytest.mark.property
@given(text=mutated())
def test_mutated_files_end_in_a_scenario_or_a_located_error(text: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutant.yaml"
        path.write_text(text)
        started = time.perf_counter()
        try:
            load_scenario(path)
        except ScenarioError as exc:
            assert exc.problems
            for problem in exc.problems:
                assert problem.source == str(path)
                assert problem.message
                assert problem.line is not None or problem.key_path or "file" in problem.message
        assert time.perf_counter() - started < SECONDS
