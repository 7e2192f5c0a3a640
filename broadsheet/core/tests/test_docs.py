"""Every environment variable and Broadsheet setting is documented (Datasette's habit)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]


def documented() -> str:
    return (ROOT / "docs" / "settings.md").read_text()


def test_every_environment_variable_read_by_env_py_is_documented() -> None:
    source = (ROOT / "config" / "env.py").read_text()
    names = set(re.findall(r'_(?:text|flag|integer|list|networks)\("([A-Z_]+)"', source))
    names |= set(re.findall(r'"(BROADSHEET_[A-Z_]+)"', source))
    assert names, "env.py reads no variables?"
    missing = sorted(name for name in names if f"`{name}`" not in documented())
    assert missing == []


def test_every_broadsheet_setting_is_documented() -> None:
    names = {name for name in dir(settings) if name.startswith("BROADSHEET_")}
    for app_conf in ROOT.glob("broadsheet/*/conf.py"):
        names |= set(re.findall(r"\b(BROADSHEET_[A-Z_]+[A-Z])\b", app_conf.read_text()))
    missing = sorted(name for name in names if f"`{name}`" not in documented())
    assert missing == []
