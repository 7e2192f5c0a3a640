"""An app's optional setting: the site's value, or the app's default.

Each app's conf module reads its settings at call time, so tests and operators change
them without a restart. Most are left unset by a site, and Django answers a name it does
not have by raising AttributeError inside its lazy settings object: several times the
cost of a name it has, and a post reads some thirty of them (docs/performance.md,
"Posting: less work per comment"). So the names found unset are
remembered, until any setting changes: Django's `setting_changed` signal, which
override_settings and pytest-django's `settings` fixture send. Settings assigned on
`django.conf.settings` directly send none; nothing in the site does that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed

_ABSENT = object()
_unset: set[str] = set()


def setting(name: str, default: Any) -> Any:
    """The setting `name`, or `default` where the site leaves it unset."""
    if name in _unset:
        return default
    value = getattr(settings, name, _ABSENT)
    if value is _ABSENT:
        _unset.add(name)
        return default
    return value


def settings_reader(prefix: str, defaults: dict[str, Any]) -> Callable[[str], Any]:
    """An app's reader: `name` -> the setting `prefix + name`, or `defaults[name]`."""

    def read(name: str) -> Any:
        return setting(prefix + name, defaults[name])

    return read


def _forget_unset(**_: Any) -> None:
    _unset.clear()


setting_changed.connect(_forget_unset, dispatch_uid="broadsheet.core.settings_read")
