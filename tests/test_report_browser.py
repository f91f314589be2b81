"""The report renders in a real browser: headless Chromium lays out its title, tables and figures.

The report's inline script writes the laid-out size of every figure and table into
``<pre id="render-check">`` once the page has loaded; ``chromium --dump-dom`` gives us the DOM
after that, and a screenshot must show a page that is not blank.

Chromium is Debian's ``chromium`` package; ``.ci/run`` installs it when it is missing. Without it
these tests skip, except in CI (``CI=true``), where a missing browser is a failure.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import matplotlib.image
import numpy as np
import pytest
from typer.testing import CliRunner

from checkoutsim.cli import app
from checkoutsim.experiments.compare import compare
from checkoutsim.experiments.run_store import RunStore
from checkoutsim.experiments.sweep import load_sweep, run_sweep
from checkoutsim.report.html import REPORT, comparison_report, sweep_report, write_report

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
WEEKDAY = ROOT / "scenarios" / "weekday.yaml"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def _chromium() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found:
        return found
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("chromium is missing in CI: .ci/run should have installed it")
    pytest.skip("headless Chromium is not installed (apt-get install chromium); CI runs this")


def _browse(page: Path, tmp_path: Path, *args: str) -> str:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [_chromium(), *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _rendered(page: Path, tmp_path: Path) -> dict[str, Any]:
    dom = _browse(page, tmp_path, "--dump-dom", "--virtual-time-budget=5000")
    found = re.search(r'<pre id="render-check"[^>]*>(.*?)</pre>', dom, re.S)
    assert found and found.group(1), "the page's load script did not run"
    data: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return data


def _check_layout(page: Path, tmp_path: Path, title: str) -> dict[str, Any]:
    data = _rendered(page, tmp_path)
    assert data["title"] == title
    figures = page.read_text("utf-8").count("<figure ")
    assert figures > 0 and len(data["images"]) == figures
    for img in data["images"]:
        assert img["complete"] and img["natural_width"] > 0 and img["natural_height"] > 0, img
        assert img["width"] > 100 and img["height"] > 50, img
    assert len({img["id"] for img in data["images"]}) == figures
    tables = {t["id"]: t for t in data["tables"] if t["id"]}
    summary = tables["summary-table"]
    assert summary["width"] > 100 and summary["height"] > 50 and summary["rows"] >= 3
    assert all(t["width"] > 0 and t["height"] > 0 for t in data["tables"])
    return data


def _check_screenshot(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "screenshot.png"
    _browse(page, tmp_path, f"--screenshot={shot}", "--window-size=1200,1600")
    pixels = matplotlib.image.imread(shot)[..., :3]
    assert pixels.shape[:2] == (1600, 1200)
    ink = np.any(pixels < 0.9, axis=-1)  # anything that is not (near) white
    assert pixels.std() > 0.05
    assert 0.02 < ink.mean() < 0.9
    assert ink[:150].any(), "nothing drawn where the title should be"


def test_run_report_renders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's check: ``checkoutsim run scenarios/weekday.yaml --report``, on two days
    (the file's ten draw the same figures and tables, a second later), run in this process
    (the page is the point, not the process: a second interpreter spent a second importing)."""
    out = tmp_path / "results"
    monkeypatch.chdir(ROOT)
    command = ["run", "scenarios/weekday.yaml", "--report"]
    done = CliRunner().invoke(app, [*command, "-n", "2", "--out", str(out), "--workers", "1"])
    assert done.exit_code == 0, (done.output, done.exception)
    page = out / REPORT
    data = _check_layout(page, tmp_path, "checkoutsim report: weekday")
    ids = [img["id"] for img in data["images"]]
    assert ids == [
        "fig-queue",
        "fig-wait-ecdf",
        "fig-p90-heatmap",
        "fig-csat-heatmap",
        "fig-utilisation",
        "fig-root-causes",
    ]
    assert {"root-cause-table", "costs-table"} <= {t["id"] for t in data["tables"]}
    _check_screenshot(page, tmp_path)


def test_comparison_and_sweep_reports_render(tmp_path: Path) -> None:
    lean = ROOT / "scenarios" / "lean_staffing.yaml"
    result = compare([WEEKDAY, lean], 2, 3)
    page = write_report(tmp_path / "compare", comparison_report(result))
    data = _check_layout(page, tmp_path, "checkoutsim comparison: weekday, lean_staffing")
    assert [img["id"] for img in data["images"]] == ["fig-diff"]

    path = tmp_path / "sweep.yaml"
    path.write_text(f"base: {WEEKDAY}\nreplications: 2\ngrid: {{kiosks.count: [6, 10]}}\n")
    swept = run_sweep(load_sweep(path), RunStore(tmp_path / "runs"))
    page = write_report(tmp_path / "sweep", sweep_report(swept))
    data = _check_layout(page, tmp_path, "checkoutsim sweep: sweep")
    assert [img["id"] for img in data["images"]] == ["fig-pareto"]
    _check_screenshot(page, tmp_path)
