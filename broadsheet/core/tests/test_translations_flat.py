"""The flat look-up answers every message exactly as Django's own chain of catalogues
does, for each language shipped (core/translations.py, its contract)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

from broadsheet.core import translations

LANGUAGES = [code for code, _name in settings.LANGUAGES]

# Messages of no catalogue, and the edge cases of gettext's keys.
ELSEWHERE = [
    "A message no catalogue has",
    "",
    "Related articles\x04nowhere",
    "byline\x04By",
    "list of authors\x04, ",
    "\u0645\u0631\u062d\u0628\u0627",
]


@pytest.fixture
def fresh_catalogues(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Django's translation objects built afresh for the test and dropped after it, so
    the reference look-ups are Django's own, never a flattened object's."""
    monkeypatch.setattr(trans_real, "_translations", {})
    monkeypatch.setattr(trans_real, "_default", None)
    yield
    translation.deactivate()


def every_message(translation_object: object) -> set[str]:
    found = set(translations._messages_of(translation_object))
    assert len(found) > 100  # Django's and Wagtail's catalogues at least
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_answers_as_django_answers_it(language: str, fresh_catalogues: None) -> None:
    reference = trans_real.DjangoTranslation(language)
    flat = trans_real.DjangoTranslation(language)
    translations.flatten(flat)
    assert flat.gettext is not reference.gettext
    messages = every_message(reference) | set(ELSEWHERE)
    differing = [m for m in messages if flat.gettext(m) != reference.gettext(m)]
    assert differing == []
    # Asked again (now remembered), the same.
    assert [m for m in messages if flat.gettext(m) != reference.gettext(m)] == []
    # A message of no catalogue comes back as the very object given.
    message = "".join(["Not in ", "any catalogue"])
    assert flat.gettext(message) is message


@pytest.mark.parametrize("language", ["es", "ar"])
def test_the_languages_translations_come_through_the_flat_look_up(
    language: str, fresh_catalogues: None
) -> None:
    translations.activate(language)
    active = trans_real.translation(language)
    assert "_flat_gettext" in vars(active)
    assert translation.get_language() == language
    reference = trans_real.DjangoTranslation(language)
    for message, context in [
        ("Related articles", None),
        ("Search articles", None),
        ("By", "byline"),
        ("and", "list of authors"),
    ]:
        if context is None:
            expected, got = reference.gettext(message), translation.gettext(message)
        else:
            expected = reference.gettext(f"{context}\x04{message}")
            expected = message if "\x04" in expected else expected
            got = translation.pgettext(context, message)
        assert got == expected
    assert translation.gettext("Related articles") != "Related articles"


def test_flattening_twice_keeps_the_first(fresh_catalogues: None) -> None:
    translations.activate("en-gb")
    active = trans_real.translation("en-gb")
    first = active.gettext
    translations.activate("en-gb")
    assert active.gettext is first
    assert translation.gettext("Related articles") == "Related articles"


def test_settings_that_rebuild_the_catalogues_get_a_fresh_flat_look_up(
    fresh_catalogues: None, settings: object
) -> None:
    translations.activate("es")
    before = trans_real.translation("es")
    settings.LANGUAGES = [("en-gb", "English"), ("es", "Español")]  # type: ignore[attr-defined]
    # Django dropped its objects (setting_changed); the next activation flattens anew.
    translations.activate("es")
    after = trans_real.translation("es")
    assert after is not before
    assert "_flat_gettext" in vars(after)
    assert translation.gettext("Related articles") == before.gettext("Related articles")
