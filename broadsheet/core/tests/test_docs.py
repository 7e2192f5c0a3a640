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
    names = set(re.findall(r'_(?:text|flag|integer|list)\("([A-Z_]+)"', source))
    assert names, "env.py reads no variables?"
    missing = sorted(name for name in names if f"`{name}`" not in documented())
    assert missing == []


def test_every_broadsheet_setting_is_documented() -> None:
    names = {name for name in dir(settings) if name.startswith("BROADSHEET_")}
    for app_conf in ROOT.glob("broadsheet/*/conf.py"):
        names |= set(re.findall(r"\b(BROADSHEET_[A-Z_]+[A-Z])\b", app_conf.read_text()))
    missing = sorted(name for name in names if f"`{name}`" not in documented())
    assert missing == []


def all_docs() -> str:
    return "\n".join(path.read_text() for path in sorted((ROOT / "docs").rglob("*.md")))


def test_every_api_endpoint_is_documented() -> None:
    """Each path and method of the OpenAPI schema is in docs/api.md, as `METHOD /path`
    (path parameters may be named differently: `{id}` for `{comment_id}`)."""
    from broadsheet.api.v1 import api

    def shape(text: str) -> str:
        return re.sub(r"\{[^}]*\}", "{}", text)

    text = shape((ROOT / "docs" / "api.md").read_text())
    endpoints = [
        shape(f"{method.upper()} {path.removeprefix('/api/v1') or '/'}")
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method in operations
    ]
    assert endpoints, "the schema lists no endpoints?"
    missing = sorted(e for e in endpoints if f"`{e}`" not in text and f"`{e}?" not in text)
    assert missing == []


def test_every_discussion_event_is_documented() -> None:
    """Found, not listed: every dataclass event of discussion/events.py, whatever it is
    named or however many there are."""
    import dataclasses
    import inspect

    from broadsheet.discussion import events

    names = [
        name
        for name, value in vars(events).items()
        if inspect.isclass(value)
        and dataclasses.is_dataclass(value)
        and value.__module__ == events.__name__
        and issubclass(value, events.DiscussionEvent)
        and value is not events.DiscussionEvent
    ]
    assert names, "events.py defines no events?"
    text = all_docs()
    assert sorted(name for name in names if f"`{name}`" not in text) == []


def test_every_management_command_is_documented() -> None:
    from django.core.management import get_commands

    names = [name for name, app in get_commands().items() if app.startswith("broadsheet.")]
    assert names, "no management commands of our own?"
    text = all_docs()
    assert sorted(name for name in names if f"`{name}`" not in text) == []
