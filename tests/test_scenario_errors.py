"""Bad input: each mistake names the file, the key path and the line, and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkoutsim import ScenarioError, load_scenario
from checkoutsim.scenario.loader import Problem

WEEKDAY = (Path(__file__).resolve().parents[1] / "scenarios" / "weekday.yaml").read_text()


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def _problems(tmp_path: Path, text: str) -> list[Problem]:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    for problem in info.value.problems:
        assert problem.source == str(path)
        assert str(path) in str(problem)
    return info.value.problems


def _edit(old: str, new: str) -> str:
    assert old in WEEKDAY, old
    return WEEKDAY.replace(old, new, 1)


# (id, old text, new text, expected key path, line marker in the edited text, message fragment)
CASES = [
    (
        "unknown key (typo)",
        "  lanes: 10\n",
        "  lanez: 10\n",
        "cashiers.lanez",
        "lanez: 10",
        "unknown key",
    ),
    (
        "wrong type",
        "  count: 8\n",
        "  count: eight\n",
        "kiosks.count",
        "count: eight",
        "expected a whole number",
    ),
    (
        "boolean is not a number",
        "  count: 8\n",
        "  count: true\n",
        "kiosks.count",
        "count: true",
        "expected a whole number",
    ),
    (
        "negative rate",
        "customers_per_hour: 110}",
        "customers_per_hour: -5}",
        "arrivals.profile[0].customers_per_hour",
        "customers_per_hour: -5",
        "greater than or equal to 0",
    ),
    (
        "zero mean time",
        "scan_min_per_item: {kind: gamma, mean: 0.13, sd: 0.06}",
        "scan_min_per_item: {kind: gamma, mean: 0, sd: 0.06}",
        "kiosks.scan_min_per_item.mean",
        "mean: 0, sd: 0.06",
        "greater than 0",
    ),
    (
        "probability above one",
        "      probability: 0.06\n",
        "      probability: 1.5\n",
        "kiosks.confusion[1].probability",
        "probability: 1.5",
        "less than or equal to 1",
    ),
    (
        "unknown distribution kind",
        "patience_min: {kind: lognormal, mean: 9.26, sd: 5.4}",
        "patience_min: {kind: weibull, mean: 9.26, sd: 5.4}",
        "customers.patience_min",
        "kind: weibull",
        "unknown distribution kind 'weibull'",
    ),
    (
        "infinite value",
        "target_wait_min: 4\n",
        "target_wait_min: .inf\n",
        "run.target_wait_min",
        "target_wait_min: .inf",
        "finite number",
    ),
    (
        "closing before opening",
        'close: "21:00"',
        'close: "07:00"',
        "store.close",
        'close: "07:00"',
        "after opening",
    ),
    (
        "time as a number (sexagesimal)",
        'open: "08:00"',
        "open: 480",
        "store.open",
        "open: 480",
        "quoted 'HH:MM'",
    ),
    (
        "bad time of day",
        'open: "08:00"',
        'open: "8 am"',
        "store.open",
        'open: "8 am"',
        "'HH:MM'",
    ),
    (
        "staffing gap",
        '{start: "10:00", end: "11:00", cashiers: 3',
        '{start: "10:30", end: "11:00", cashiers: 3',
        "staffing[1].start",
        '{start: "10:30", end: "11:00", cashiers: 3',
        "leaves a gap: expected it to start at 10:00",
    ),
    (
        "staffing overlap",
        '{start: "10:00", end: "11:00", cashiers: 3',
        '{start: "09:30", end: "11:00", cashiers: 3',
        "staffing[1].start",
        '{start: "09:30", end: "11:00", cashiers: 3',
        "overlaps the previous block",
    ),
    (
        "first staffing block starts before opening",
        'open: "08:00"',
        'open: "08:30"',
        "staffing[0].start",
        '{start: "08:00", end: "10:00", cashiers: 2',
        "starts before opening: expected it to start at 08:30",
    ),
    (
        "staffing ends before closing",
        '{start: "19:00", end: "21:00", cashiers: 2',
        '{start: "19:00", end: "20:00", cashiers: 2',
        "staffing[5].end",
        '{start: "19:00", end: "20:00", cashiers: 2',
        "must end at closing time 21:00",
    ),
    (
        "more staffed lanes than physical lanes",
        '{start: "11:00", end: "14:00", cashiers: 4,',
        '{start: "11:00", end: "14:00", cashiers: 12,',
        "staffing[2].cashiers",
        '{start: "11:00", end: "14:00", cashiers: 12,',
        "only 10 exist",
    ),
    (
        "arrivals gap",
        '{start: "09:00", end: "10:00", customers_per_hour: 170}',
        '{start: "09:15", end: "10:00", customers_per_hour: 170}',
        "arrivals.profile[1].start",
        '{start: "09:15", end: "10:00"',
        "leaves a gap",
    ),
    (
        "channel shares above one",
        "channel: {never_kiosk_share: 0.30, prefer_kiosk_share: 0.25}",
        "channel: {never_kiosk_share: 0.80, prefer_kiosk_share: 0.25}",
        "customers.channel.prefer_kiosk_share",
        "never_kiosk_share: 0.80",
        "must be <= 1",
    ),
    (
        "triangular out of order",
        "notice_min: {kind: exponential, mean: 0.10}",
        "notice_min: {kind: triangular, low: 0.05, mode: 0.50, high: 0.25}",
        "attendants.notice_min",
        "mode: 0.50",
        "low <= mode <= high",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "key_path", "marker", "fragment"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_value_is_reported_with_path_and_line(
    tmp_path: Path, old: str, new: str, key_path: str, marker: str, fragment: str
) -> None:
    text = _edit(old, new)
    problems = _problems(tmp_path, text)
    matching = [p for p in problems if p.key_path == key_path]
    assert matching, f"no problem at {key_path}: {[str(p) for p in problems]}"
    problem = matching[0]
    assert fragment in problem.message, str(problem)
    assert problem.line == _line_of(text, marker), str(problem)


def test_missing_required_key(tmp_path: Path) -> None:
    text = _edit("  scan_min_per_item: {kind: gamma, mean: 0.05, sd: 0.02}   # 3 s per item\n", "")
    problems = _problems(tmp_path, text)
    assert any(
        p.key_path == "cashiers.scan_min_per_item" and "required key is missing" in p.message
        for p in problems
    ), [str(p) for p in problems]


def test_several_mistakes_are_all_reported(tmp_path: Path) -> None:
    text = _edit("  lanes: 10\n", "  lanez: 10\n").replace("  count: 8\n", "  count: -1\n")
    paths = {p.key_path for p in _problems(tmp_path, text)}
    assert {"cashiers.lanez", "kiosks.count"} <= paths


def test_no_lane_and_no_kiosk_open(tmp_path: Path) -> None:
    text = _edit(
        '{start: "08:00", end: "10:00", cashiers: 2, express_cashiers: 0, attendants: 1}',
        '{start: "08:00", end: "10:00", cashiers: 0, express_cashiers: 0, attendants: 1, '
        "kiosks: 0}",
    )
    problems = _problems(tmp_path, text)
    assert any(
        p.key_path == "staffing[0]" and "no lane and no kiosk is open" in p.message
        for p in problems
    ), [str(p) for p in problems]


def test_last_block_needs_an_attendant_for_the_drain(tmp_path: Path) -> None:
    text = _edit(
        '{start: "19:00", end: "21:00", cashiers: 2, express_cashiers: 0, attendants: 1}',
        '{start: "19:00", end: "21:00", cashiers: 2, express_cashiers: 0, attendants: 0}',
    )
    problems = _problems(tmp_path, text)
    assert any(p.key_path == "staffing[5].attendants" for p in problems)


@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        ("", "empty", 1),
        ("# only a comment\n", "no data", 1),
        ("- a\n- b\n", "top level must be a mapping", 1),
        ("just text\n", "top level must be a mapping", 1),
        ("name: x\nstore: {open: '08:00'\n", "malformed YAML", None),
        ("name: a\nname: b\n", "duplicate key", 2),
        ("name: a\n\tstore: 1\n", "malformed YAML", None),
    ],
    ids=["empty", "comment only", "list", "scalar", "unclosed", "duplicate key", "tab"],
)
def test_malformed_files(tmp_path: Path, text: str, fragment: str, line: int | None) -> None:
    problems = _problems(tmp_path, text)
    assert len(problems) == 1
    assert fragment in problems[0].message
    if line is not None:
        assert problems[0].line == line
    else:
        assert problems[0].line is not None


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nope.yaml")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="is a directory"):
        load_scenario(tmp_path)
