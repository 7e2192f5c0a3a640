"""The embed's weight budgets, measured on the files browsers download (gzip -9, as
whitenoise's compressed copies are), and no request to any third party in them."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

SOURCES = Path(__file__).resolve().parents[3] / "frontend" / "src" / "embed"
KB = 1024


def gzipped(name: str) -> int:
    return len(gzip.compress((SOURCES / name).read_bytes(), compresslevel=9))


def test_the_loader_is_at_most_3_kb_gzipped() -> None:
    assert gzipped("embed.js") <= 3 * KB


def test_the_whole_widget_is_at_most_15_kb_gzipped() -> None:
    assert gzipped("embed.js") + gzipped("widget.js") <= 15 * KB


def test_the_count_script_is_at_most_1_kb_gzipped() -> None:
    assert gzipped("count.js") <= 1 * KB


@pytest.mark.parametrize("name", ["embed.js", "widget.js", "count.js", "frame.js", "embed.css"])
def test_no_third_party_address_and_no_cookie_in_the_embed(name: str) -> None:
    text = (SOURCES / name).read_text()
    assert not re.search(r"https?://(?!comments\.example)", text), "only our own origin"
    assert "document.cookie" not in text
