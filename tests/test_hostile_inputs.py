"""Any input ends in a clear error or a sensible run (issue 19's fault campaign as a property).

Hypothesis mutates the shipped scenarios the way a hostile or careless user would: a value
swapped for a huge, tiny, negative, non-finite or wrongly typed one; a key removed or misspelt;
names that are paths or math text; hundreds of confusion causes; YAML tags, alias bombs and deep
nesting. Each mutated file goes through ``checkoutsim run`` in a separate process with a time
and memory limit (forked from a server that has imported checkoutsim once: a fresh interpreter
spent 80% of each example importing; the real ``python -m checkoutsim`` start is tested in
tests/test_cli.py and tests/test_cli_startup.py), and the outcome must be one of:

* exit status 2, an ``error:`` message that names the scenario file, and no traceback; or
* exit status 0 and a summary whose every figure is finite where defined and inside its
  documented range (percentages 0-100, CSAT 1-5, CES 1-7, NPS -100..100, minutes >= 0).

The default ("fast") profile runs a few examples, the same every time; the thorough profile
(``make test PYTEST_ARGS="--hypothesis-profile=thorough -k hostile"``) runs many, freshly random.
"""

from __future__ import annotations

import io
import json
import math
import multiprocessing
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
BASES = {name: ROOT / "scenarios" / f"{name}.yaml" for name in ("weekday", "lean_staffing")}
TIME_LIMIT_S = 120.0
MEMORY_LIMIT_BYTES = 3 * 1024**3
EXAMPLES = {"thorough": 300}.get(settings.get_current_profile_name(), 12)

_yaml = YAML(typ="safe", pure=True)


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = _yaml.load(path.read_text())
    return data


def _dump(data: object) -> str:
    buffer = io.StringIO()
    _yaml.dump(data, buffer)
    return buffer.getvalue()


def _leaf_paths(node: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _leaf_paths(v, (*prefix, k))] or [prefix]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _leaf_paths(v, (*prefix, i))] or [prefix]
    return [prefix]


def _mapping_paths(node: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if isinstance(node, dict) else []
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for k, v in children:
        out += _mapping_paths(v, (*prefix, k))
    return out


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Any, path: tuple[Any, ...], value: object) -> None:
    _get(data, path[:-1])[path[-1]] = value


ODD_VALUES = st.one_of(
    st.sampled_from(
        [
            0,
            -1,
            1e-9,
            1e-6,
            1e8,
            1e9,
            1e20,
            1e200,
            2**63,
            2**70,
            -1e308,
            math.inf,
            -math.inf,
            math.nan,
            "abc",
            "",
            True,
            None,
            [],
            {},
            "24:00",
            "25:61",
            "8:00",
            480,
            "00:00",
        ]
    ),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
ODD_NAMES = st.sampled_from(
    [
        "..",
        ".",
        "../escape",
        "a/b",
        "/etc/passwd",
        "x$^$",
        "$",
        "C:\\x",
        "a" * 300,
        "",
        " ",
        "ñandú",
        "tab\there",
        "new\nline",
        ".hidden",
        "name with spaces",
        "-rf",
    ]
)


@st.composite
def mutated_scenario(draw: st.DrawFn) -> tuple[str, str]:
    """(description, YAML text) of a shipped scenario with one hostile change."""
    base = draw(st.sampled_from(sorted(BASES)))
    data = _load(BASES[base])
    data.setdefault("run", {})["replications"] = 1
    kind = draw(
        st.sampled_from(
            [
                "value",
                "scale",
                "rates",
                "delete",
                "unknown_key",
                "name",
                "cause_name",
                "many_causes",
                "tag",
                "alias_bomb",
                "deep_nesting",
            ]
        )
    )
    leaves = [p for p in _leaf_paths(data) if p and p[0] != "description"]
    if kind == "value":
        path = draw(st.sampled_from(leaves))
        value = draw(ODD_VALUES)
        _set(data, path, value)
        return f"{base}: {path} = {value!r}", _dump(data)
    if kind == "scale":
        numeric = [
            p
            for p in leaves
            if isinstance(_get(data, p), (int, float)) and not isinstance(_get(data, p), bool)
        ]
        path = draw(st.sampled_from(numeric))
        factor = 10.0 ** draw(st.integers(min_value=-12, max_value=12))
        old = _get(data, path)
        new = old * factor if isinstance(old, float) else int(old * factor)
        _set(data, path, new)
        return f"{base}: {path} x{factor:g} = {new!r}", _dump(data)
    if kind == "rates":  # every block at once: a closed store, a trickle, a flood
        factor = draw(st.sampled_from([0, 0.001, 10, 40, 1000]))
        for block in data["arrivals"]["profile"]:
            block["customers_per_hour"] *= factor
        return f"{base}: every arrival rate x{factor:g}", _dump(data)
    if kind == "delete":
        mappings = [p for p in _mapping_paths(data) if _get(data, p)]
        path = draw(st.sampled_from(mappings))
        key = draw(st.sampled_from(sorted(_get(data, path), key=str)))
        del _get(data, path)[key]
        return f"{base}: deleted {(*path, key)}", _dump(data)
    if kind == "unknown_key":
        path = draw(st.sampled_from(_mapping_paths(data)))
        _get(data, path)[draw(st.sampled_from(["lanse", "kiosk", "extra", "Name"]))] = 1
        return f"{base}: unknown key under {path}", _dump(data)
    if kind == "name":
        data["name"] = draw(ODD_NAMES)
        return f"{base}: name {data['name']!r}", _dump(data)
    if kind == "cause_name":
        data["kiosks"]["confusion"][0]["name"] = draw(ODD_NAMES)
        return f"{base}: cause name {data['kiosks']['confusion'][0]['name']!r}", _dump(data)
    if kind == "many_causes":
        n = draw(st.sampled_from([128, 200, 1000]))
        cause = data["kiosks"]["confusion"][1]
        data["kiosks"]["confusion"] = [{**cause, "name": f"c{i}"} for i in range(n)]
        return f"{base}: {n} confusion causes", _dump(data)
    text = _dump(data)
    if kind == "tag":
        tag = draw(
            st.sampled_from(
                [
                    "!!python/object/apply:os.system",
                    "!!str",
                    "!!binary",
                    "!custom",
                    "!!map",
                    "!!python/name:os.system",
                ]
            )
        )
        key = draw(st.sampled_from(["store", "name", "kiosks", "cashiers"]))
        text = (
            text.replace(f"\n{key}:", f"\n{key}: {tag}", 1)
            if f"\n{key}:" in text
            else (text.replace(f"{key}:", f"{key}: {tag}", 1))
        )
        return f"{base}: tag {tag} on {key}", text
    if kind == "alias_bomb":
        depth = draw(st.integers(min_value=3, max_value=12))
        lines = ['lol0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        lines += [f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, depth)]
        return f"{base}: alias bomb of depth {depth}", text + "\n".join(lines) + "\n"
    depth = draw(st.sampled_from([200, 1000, 10_000]))
    return f"{base}: nesting {depth} deep", text + "deep: " + "[" * depth + "]" * depth + "\n"


# Children are forked from one server process that imported these once (a fresh interpreter
# per example spent about 2 of its 2.5 s of CPU importing). The server is a clean process, not
# this multi-threaded pytest worker, and each child starts from its own fresh state.
_SERVER = multiprocessing.get_context("forkserver")
_SERVER.set_forkserver_preload(
    ["checkoutsim.cli", "checkoutsim.experiments.simulate", "checkoutsim.report", __name__]
)


def _cli_in_child(args: list[str], cwd: str, out_path: str, err_path: str) -> None:
    """Run ``checkoutsim ARGS`` in this (forked) process as ``python -m checkoutsim`` would:
    its own working folder, stdout and stderr; the exit status of ``SystemExit``; an uncaught
    exception printed as a traceback with status 1."""
    os.chdir(cwd)
    for fd, path in ((1, out_path), (2, err_path)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(target, fd)
        os.close(target)
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), "utf-8", write_through=True)
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), "utf-8", "backslashreplace", write_through=True
    )
    sys.argv = ["checkoutsim", *args]
    code = 1
    try:
        from checkoutsim.cli import main

        main()
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _run_limited(args: list[str], cwd: Path) -> tuple[int, str, str, float, int]:
    """Run ``checkoutsim`` with a wall-time limit, watching the resident memory of the process.

    Returns (exit status, stdout, stderr, seconds, peak resident bytes).
    """
    began = time.monotonic()
    out, err = cwd / "stdout", cwd / "stderr"
    proc = _SERVER.Process(target=_cli_in_child, args=(args, str(cwd), str(out), str(err)))
    proc.start()
    assert proc.pid is not None
    peak = 0
    try:
        while proc.is_alive():
            peak = max(peak, _rss(proc.pid))
            if peak > MEMORY_LIMIT_BYTES or time.monotonic() - began > TIME_LIMIT_S:
                break
            time.sleep(0.02)
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
    assert proc.exitcode is not None
    return (
        proc.exitcode,
        out.read_bytes().decode("utf-8", "replace") if out.exists() else "",
        err.read_bytes().decode("utf-8", "replace") if err.exists() else "",
        time.monotonic() - began,
        peak,
    )


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


# Documented ranges of the summary's metrics, by name.
def _range(metric: str) -> tuple[float, float]:
    if metric.endswith("_pct"):
        return (0.0, 100.0)
    if metric.startswith("csat"):
        return (1.0, 5.0)
    if metric.startswith("ces"):
        return (1.0, 7.0)
    if metric.startswith("nps"):
        return (-100.0, 100.0)
    if metric.startswith("recommend"):
        return (0.0, 10.0)
    return (0.0, math.inf) if not metric.startswith(("delta", "diff")) else (-math.inf, math.inf)


def check_outcome(
    described: str, file: Path, code: int, stdout: str, stderr: str, seconds: float, peak: int
) -> None:
    where = f"{described}\n--- stderr ---\n{stderr[-3000:]}"
    assert seconds <= TIME_LIMIT_S and peak <= MEMORY_LIMIT_BYTES, (
        f"{where}\nstopped after {seconds:.0f} s at {peak / 2**20:.0f} MiB resident"
    )
    assert "Traceback" not in stderr, where
    assert code in (0, 2), f"exit status {code}: {where}"
    if code == 2:
        assert "error:" in stderr and file.name in stderr, where
        return
    summary = json.loads(stdout)["summary"]
    for row in summary:
        value = row["mean"]
        if value is None:  # NaN in JSON: a metric without a value that day (no such customer)
            continue
        low, high = _range(str(row["metric"]))
        assert math.isfinite(value), f"{row}: {where}"
        assert low - 1e-9 <= value <= high + 1e-9, f"{row} outside [{low}, {high}]: {where}"


@pytest.mark.slow
# No shrinking: each example is a process of up to two minutes, and the description of the
# mutation already says what failed.
@settings(
    max_examples=EXAMPLES,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=mutated_scenario(), default_out=st.booleans(), report=st.booleans())
def test_hostile_scenario_ends_in_a_clear_error_or_a_sensible_run(
    case: tuple[str, str], default_out: bool, report: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    described, text = case
    described += f" (default folder: {default_out}, --report: {report})"
    folder = tmp_path_factory.mktemp("hostile")
    file = folder / "store.yaml"
    file.write_text(text, encoding="utf-8")
    args = ["run", str(file), "-n", "1", "-w", "1", "--json"]
    args += [] if default_out else ["-o", str(folder / "out")]
    args += ["--report"] if report else []
    check_outcome(described, file, *_run_limited(args, folder))
    # Nothing may be written outside the results folder, whatever the name says.
    written = {p.name for p in folder.iterdir()} - {"stderr", "stdout", "store.yaml"}
    assert written <= {"results" if default_out else "out"}, (described, written)
    if default_out and written:
        assert [p.parent for p in (folder / "results").iterdir()] == [folder / "results"]
    assert not os.path.exists(folder.parent / "escape")
