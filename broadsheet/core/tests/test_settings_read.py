"""core.settings_read: an unset setting is remembered as unset only until a setting changes."""

from __future__ import annotations

from typing import Any

from django.test import override_settings

from broadsheet.core import settings_read
from broadsheet.core.settings_read import setting

NAME = "BROADSHEET_TEST_SETTINGS_READ"


def test_an_unset_setting_is_the_default_and_is_remembered_as_unset() -> None:
    assert setting(NAME, 7) == 7
    assert NAME in settings_read._unset
    assert setting(NAME, 8) == 8  # the caller's default, each time


def test_a_setting_given_later_is_read_at_once(settings: Any) -> None:
    assert setting(NAME, 7) == 7
    settings.BROADSHEET_TEST_SETTINGS_READ = 3
    assert setting(NAME, 7) == 3
    with override_settings(BROADSHEET_TEST_SETTINGS_READ=4):
        assert setting(NAME, 7) == 4
    assert setting(NAME, 7) == 3
    del settings.BROADSHEET_TEST_SETTINGS_READ
    assert setting(NAME, 7) == 7


def test_a_setting_the_site_has_is_its_value() -> None:
    assert setting("ROOT_URLCONF", "nowhere") == "config.urls"
