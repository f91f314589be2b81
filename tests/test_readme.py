"""The README's "In Python" block runs as written (issue 18)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _block(heading: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, f"expected one python block under '{heading}'"
    return blocks[0]


def test_the_in_python_block_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)  # the block uses paths relative to the repository
    namespace: dict[str, object] = {}
    exec(compile(_block("In Python"), "README.md", "exec"), namespace)
    p90 = namespace["p90"]
    assert isinstance(p90, pd.Series) and len(p90) == 13  # 08:00 to 20:00
    assert p90.index[0] == "08:00" and (p90 >= 0).all()
    assert "16:00" in capsys.readouterr().out
    evening = namespace["evening"]
    assert {b.start: b.cashiers for b in evening.staffing}["16:00"] == 6  # type: ignore[attr-defined]
