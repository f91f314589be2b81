"""``replay.html``: one self-contained page that plays recorded store days (``--replay``).

The page is plain JavaScript drawing SVG, written for this (``templates/replay.js`` and
``templates/replay.css``, inlined): no library, no network. The days' data
(:func:`checkoutsim.report.replay.day_data`) is embedded as compact JSON; above
:data:`COMPRESS_ABOVE` bytes it is gzipped and base64-encoded, and the page inflates it with the
browser's own ``DecompressionStream``. Several days (plans of a comparison) play side by side
on one clock.

For tests the page reads its address's fragment: ``#at=MIN`` shows minute ``MIN`` paused, and
``#check=MIN,MIN,...`` seeks to each minute in turn and writes what is drawn there (queue per
lane, kiosk states, attendant states, read back from the SVG) into ``<pre id="replay-check">``.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from checkoutsim.report.replay import REPLAY
from checkoutsim.results.folder import ResultsFolder, atomic_write_text

__all__ = ["COMPRESS_ABOVE", "encode_data", "replay_page", "write_replay"]

COMPRESS_ABOVE = 1_000_000
"""JSON larger than this many bytes is embedded gzipped (a weekday day is about 0.2 MB)."""


def _template(name: str) -> str:
    return resources.files("checkoutsim").joinpath(f"templates/{name}").read_text("utf-8")


def encode_data(days: Sequence[dict[str, Any]], compress: bool | None = None) -> tuple[str, str]:
    """The days as text for a ``<script>`` element, and its encoding (``json`` or ``gzip``).

    ``compress`` forces or forbids compression; by default only data above
    :data:`COMPRESS_ABOVE` bytes is compressed.
    """
    text = json.dumps({"days": list(days)}, separators=(",", ":"), allow_nan=False)
    if compress is None:
        compress = len(text) > COMPRESS_ABOVE
    if not compress:
        # "</" would end the script element early; "<\/" is the same JSON string.
        return text.replace("</", "<\\/"), "json"
    packed = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
    return base64.b64encode(packed).decode("ascii"), "gzip"


def replay_page(
    days: Sequence[dict[str, Any]],
    *,
    title: str,
    command: str | None = None,
    compress: bool | None = None,
) -> str:
    """The complete replay page for one or more days (side by side, one clock).

    Parameters
    ----------
    days : sequence of dict
        :func:`~checkoutsim.report.replay.day_data` of each panel, in display order.
    title : str
        The page's title.
    command : str, optional
        The command that produced it, for the footer.
    compress : bool, optional
        Force (True) or forbid (False) gzip; default by size (:data:`COMPRESS_ABOVE`).
    """
    if not days:
        raise ValueError("a replay needs at least one day")
    data, encoding = encode_data(days, compress)
    footer = html.escape(command or "")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{_template("replay.css")}</style></head>
<body>
<header><h1>{html.escape(title)}</h1>
<div id="controls">
<button id="play" type="button" title="Play or pause (space)">Play</button>
<label>Speed <select id="speed">
<option value="1">1x</option><option value="10">10x</option><option value="30">30x</option>
<option value="60" selected>60x</option><option value="120">120x</option>
<option value="300">300x</option><option value="600">600x</option></select></label>
<input id="scrub" type="range" min="0" max="0" step="1" value="0" aria-label="Minute of the day">
<span id="clock" class="clock">--:--</span>
<button id="worst" type="button">Worst hour</button>
</div></header>
<main id="panels"></main>
<div id="tip" role="tooltip" hidden></div>
<p class="note">Dots are customers: in a queue coloured by how long they have waited so far
against the target wait (green under half, amber under the target, red past it); at a till
or kiosk by the wait they had. Attendants are the blue circles, their walks dashed. Hover a
customer for their record. Times are the store's clock.</p>
<footer class="note">{footer}</footer>
<pre id="replay-check" hidden></pre>
<script type="application/octet-stream" id="replay-data" data-encoding="{encoding}">{data}</script>
<script>{_template("replay.js")}</script>
</body></html>
"""


def write_replay(out: Path | ResultsFolder, document: str) -> Path:
    """Write ``replay.html`` into an open results folder (listed in its manifest) or a path."""
    if isinstance(out, ResultsFolder):
        return out.write_text(REPLAY, document)
    path = out / REPLAY
    atomic_write_text(path, document)
    return path
