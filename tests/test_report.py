"""The HTML report: self-contained, complete, in the manifest, and behind ``--report``.

Rendering in a real browser is checked in ``test_report_browser.py``.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checkoutsim import Scenario, __version__, simulate
from checkoutsim.cli import app
from checkoutsim.report.html import REPORT, run_report, write_report
from checkoutsim.results.folder import MANIFEST
from checkoutsim.results.run_files import write_results

ROOT = Path(__file__).resolve().parents[1]
WEEKDAY = ROOT / "scenarios" / "weekday.yaml"
runner = CliRunner()


def _images(document: str) -> list[bytes]:
    return [
        base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([^"]+)"', document)
    ]


def test_run_report_is_self_contained_and_complete(weekday: Scenario) -> None:
    result = simulate(weekday, 2, seed=4)
    document = run_report(result, command="checkoutsim run weekday.yaml")
    assert "<title>checkoutsim report: weekday</title>" in document
    # Nothing is fetched from elsewhere: every image is embedded, no links or external scripts.
    assert not re.search(r'(src|href)="(?!data:)', document)
    assert "http://" not in document and "https://" not in document
    # A reader who got the page by e-mail has no docs/ folder: the page explains itself.
    assert "docs/" not in document
    assert f"({weekday.costs.detractor_churn_pct:g}% a year)" in document
    images = _images(document)
    assert len(images) == document.count("<figure ") == 6
    assert all(png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000 for png in images)
    for table_id in ("summary-table", "root-cause-table", "costs-table"):
        assert f'id="{table_id}"' in document
    # Seeds, version, the command and the scenario as run are on the page.
    assert f"checkoutsim: {__version__}" in document
    assert "seed: 4" in document and "replications: 2" in document
    assert "checkoutsim run weekday.yaml" in document
    assert "kiosk_item_limit: 25" in document  # from the YAML dump
    assert "unexpected_item" in document  # the confusion-event table
    # The summary's headline numbers are the ones the result computes.
    s = result.summary()
    arrivals = s[(s["scope"] == "all") & (s["metric"] == "arrivals")].iloc[0]
    assert f"{arrivals['mean']:,.0f} ± {arrivals['half_width']:,.0f}" in document


def test_write_report_lists_it_in_the_manifest(weekday: Scenario, tmp_path: Path) -> None:
    result = simulate(weekday, 1, seed=2)
    write_results(result, tmp_path, command="test")
    before = json.loads((tmp_path / MANIFEST).read_text())
    path = write_report(tmp_path, "<!DOCTYPE html><title>x</title>")
    after = json.loads((tmp_path / MANIFEST).read_text())
    assert path == tmp_path / REPORT
    assert after["files"] == {**before["files"], REPORT: path.stat().st_size}
    assert {k: v for k, v in after.items() if k != "files"} == {
        k: v for k, v in before.items() if k != "files"
    }
    assert not list(tmp_path.glob(".*.tmp"))


def test_write_report_without_a_manifest(tmp_path: Path) -> None:
    write_report(tmp_path, "<p>hello</p>")
    assert (tmp_path / REPORT).read_text() == "<p>hello</p>"
    assert not (tmp_path / MANIFEST).exists()


def test_run_report_flag(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = runner.invoke(
        app, ["run", str(WEEKDAY), "-n", "2", "-w", "1", "--json", "--report", "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    json.loads(res.stdout)  # --json output stays pure JSON
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["files"][REPORT] == (out / REPORT).stat().st_size
    assert "command: checkoutsim" in (out / REPORT).read_text()


def test_compare_and_sweep_report_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    lean = ROOT / "scenarios" / "lean_staffing.yaml"
    res = runner.invoke(app, ["compare", str(WEEKDAY), str(lean), "-n", "2", "-w", "1", "--report"])
    assert res.exit_code == 0, res.output
    folder = tmp_path / "results" / "compare" / "weekday"  # --report without --out
    document = (folder / REPORT).read_text()
    assert REPORT in json.loads((folder / MANIFEST).read_text())["files"]
    assert 'id="differences-table"' in document and len(_images(document)) == 1
    assert "Plan lean_staffing" in document

    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"base: {WEEKDAY}\nreplications: 2\ngrid: {{kiosks.count: [6, 10]}}\n")
    res = runner.invoke(app, ["sweep", str(sweep), "-w", "1", "--report", "-o", "sw"])
    assert res.exit_code == 0, res.output
    document = (tmp_path / "sw" / REPORT).read_text()
    assert REPORT in json.loads((tmp_path / "sw" / MANIFEST).read_text())["files"]
    assert "checkoutsim sweep: sweep" in document and len(_images(document)) == 1
