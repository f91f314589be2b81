"""The replay page of a shipped scenario: its size, how fast headless Chromium opens it, and
the README's screenshot (docs/report.md, "Replay").

Usage::

    .venv/bin/python benchmarks/replay.py [--scenario scenarios/weekday.yaml] [--runs 5]
        [--screenshot docs/images/replay.png]

Writes ``checkoutsim replay SCENARIO --day 0`` into a temporary folder and prints the file's
size, then opens it ``--runs`` times in headless Chromium and prints the median of (a) the
page's own ready time (``performance.now()`` when the first frame is drawn: navigation start to
a drawn floor plan, the page's ``data-ready-ms``) and (b) the wall time of the whole Chromium
run beside that of an empty page (so browser start-up is seen for what it is). With
``--screenshot``, also saves a 1300x900 picture of the day's worst hour, half past.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        sys.exit("headless Chromium is needed (apt-get install chromium)")
    return found


def browse(url: str, work: Path, *args: str) -> tuple[str, float]:
    """Chromium's output and the run's wall time in seconds (a fresh profile each time)."""
    profile = tempfile.mkdtemp(dir=work, prefix="profile-")
    start = time.perf_counter()
    done = subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *args, url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "weekday.yaml")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--screenshot", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out = work / "replay"
        subprocess.run(
            [sys.executable, "-m", "checkoutsim", "replay", str(args.scenario), "--out", str(out)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        page = out / "replay.html"
        text = page.read_text("utf-8")
        size = page.stat().st_size
        encoding = re.search(r'data-encoding="(\w+)"', text)
        print(
            f"{args.scenario.name}: replay.html {size:,} bytes ({size / 1e6:.2f} MB), data "
            f"{encoding.group(1) if encoding else '?'}"
        )
        blank = work / "blank.html"
        blank.write_text("<!DOCTYPE html><html><body>.</body></html>", "utf-8")
        ready, wall, empty = [], [], []
        for _ in range(args.runs):
            dom, seconds = browse(page.as_uri(), work, "--dump-dom")
            found = re.search(r'data-ready-ms="([\d.]+)"', dom)
            assert found, "the page did not draw"
            ready.append(float(found.group(1)))
            wall.append(seconds)
            empty.append(browse(blank.as_uri(), work, "--dump-dom")[1])
        print(
            json.dumps(
                {
                    "runs": args.runs,
                    "ready_ms_median": round(statistics.median(ready), 1),
                    "ready_ms_max": round(max(ready), 1),
                    "chromium_wall_s_median": round(statistics.median(wall), 3),
                    "empty_page_wall_s_median": round(statistics.median(empty), 3),
                },
                indent=2,
            )
        )
        if args.screenshot is not None:
            days = re.search(r'data-encoding="json">(.*?)</script>', text, re.S)
            assert days, "the screenshot needs the uncompressed page"
            worst = json.loads(days.group(1).replace("<\\/", "</"))["days"][0]["meta"]
            minute = worst["worst_hour"]["start_s"] / 60 + 30
            args.screenshot.parent.mkdir(parents=True, exist_ok=True)
            shot = args.screenshot.resolve()
            browse(
                f"{page.as_uri()}#at={minute:g}",
                work,
                f"--screenshot={shot}",
                "--window-size=1300,900",
            )
            print(f"screenshot at minute {minute:g} written to {args.screenshot}")


if __name__ == "__main__":
    main()
