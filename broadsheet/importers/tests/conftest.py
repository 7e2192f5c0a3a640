"""Fixtures of the importers' tests: export files written for them, filled in."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

DATA = Path(__file__).parent / "data"


@pytest.fixture
def export_file(tmp_path: Path) -> Callable[..., Path]:
    """A copy of a data file with its __PLACEHOLDERS__ replaced."""

    def make(name: str, **values: str) -> Path:
        text = (DATA / name).read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace(f"__{key.upper()}__", value)
        out = tmp_path / name
        out.write_text(text, encoding="utf-8")
        return out

    return make


@pytest.fixture
def run_command() -> Callable[..., str]:
    def run(*args: Any, **options: Any) -> str:
        out = StringIO()
        call_command(*args, stdout=out, stderr=StringIO(), **options)
        return out.getvalue()

    return run
