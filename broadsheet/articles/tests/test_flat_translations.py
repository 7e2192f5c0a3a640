"""An article page reads the same whether the interface's messages come from the flat
look-up (core/translations.py) or from Django's own chain of catalogues: byte for byte,
in English, Spanish and Arabic, for an opinion column with a disclaimer, several bylines,
tags and related articles."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import trans_real

from broadsheet.articles.models import ArticlePage
from broadsheet.core import translations

pytestmark = pytest.mark.django_db

# What differs between any two renders of a page: the CSRF token, the comment form's
# signed render time and the live stream's start time.
PER_REQUEST = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]+"'), "CSRF"),
    (re.compile(r'name="rendered" value="[^"]+"'), "RENDERED"),
    (re.compile(r'data-live-since="[0-9.]+"'), "SINCE"),
]


@pytest.fixture
def fresh_catalogues(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(trans_real, "_translations", {})
    monkeypatch.setattr(trans_real, "_default", None)
    yield
    translation.deactivate()


def render(url: str, language: str) -> str:
    page = Client().get(url, headers={"accept-language": language}).content.decode()
    for pattern, stand_in in PER_REQUEST:
        page = pattern.sub(stand_in, page)
    return page


@pytest.mark.parametrize("language", ["en-gb", "es", "ar"])
def test_the_page_is_the_same_with_and_without_the_flat_look_up(
    language: str,
    column: ArticlePage,
    without_page_cache: None,
    fresh_catalogues: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    flat = render(column.url, language)
    assert "_flat_gettext" in vars(trans_real.translation(language))
    # Django's own look-up: fresh translation objects, never flattened.
    monkeypatch.setattr(trans_real, "_translations", {})
    monkeypatch.setattr(trans_real, "_default", None)
    monkeypatch.setattr(translations, "flatten", lambda translation_object: None)
    plain = render(column.url, language)
    assert "_flat_gettext" not in vars(trans_real.translation(language))
    assert flat == plain
    # The page is what the test says it is.
    assert f'<html lang="{language}"' in flat
    assert "The views of the writers are their own." in flat
    assert flat.count('rel="author"') == 3 and 'rel="tag"' in flat
    assert "Rivers and flood plans" in flat  # a related card
    if language != "en-gb":
        with translation.override(language):
            assert translation.gettext("Related articles") in flat
        assert "Related articles" not in flat
