"""The reaction buttons, kept per look (article_tags.reaction_buttons): their bytes are
reactions.html's rendered with the whole page context for each tally and own reaction,
in English, Spanish and Arabic, cold and warm, with each request's own CSRF token; an
error is rendered afresh; and the template reads nothing outside the look."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.template import Context, Template
from django.template.loader import get_template
from django.utils import translation

from broadsheet.articles.templatetags.article_tags import (
    REACTIONS_TEMPLATE,
    ArticleLook,
    TallyLook,
    kept_reactions,
)
from broadsheet.discussion.tests.test_kept_form import _d_paths

TAG = Template("{% load article_tags %}{% reaction_buttons %}")


class _Page:
    pk = 41
    title = "Not read by the buttons"


@pytest.fixture(autouse=True)
def _cold() -> Iterator[None]:
    kept_reactions.clear()
    yield
    kept_reactions.clear()


def _context(mine: int, up: int, down: int, token: str, **more: Any) -> dict[str, Any]:
    reactions = {"up": up, "down": down, "points": up - down, "mine": mine}
    return {"page": _Page(), "reactions": reactions, "csrf_token": token, **more}


@pytest.mark.parametrize("language", ["en-gb", "es", "ar"])
def test_the_kept_buttons_are_the_templates_for_every_tally_and_reader(language: str) -> None:
    with translation.override(language):
        for mine, up, down in [(0, 0, 0), (1, 1, 0), (-1, 3, 1200), (0, 1, 1), (1, 2, 5)]:
            for token in ("A" * 64, "B" * 64):
                values = _context(mine, up, down, token)
                expected = get_template(REACTIONS_TEMPLATE).render(values)
                for _ in range(2):  # cold, then warm
                    assert TAG.render(Context(values)) == expected
                assert f'value="{token}"' in expected
    assert len(kept_reactions) == 5


def test_an_error_is_rendered_afresh_and_not_kept() -> None:
    error = type("Error", (), {"message": "Slow down: try again in a minute."})()
    html = TAG.render(Context(_context(1, 1, 0, "C" * 64, reaction_error=error)))
    assert "Slow down: try again in a minute." in html
    assert len(kept_reactions) == 0


def test_reactions_html_reads_nothing_outside_the_look() -> None:
    paths = _d_paths(get_template(REACTIONS_TEMPLATE).template)  # type: ignore[attr-defined]
    allowed: set[tuple[str, ...]] = {("page", name) for name in ArticleLook._fields}
    allowed |= {("reactions", name) for name in TallyLook._fields}
    allowed |= {("csrf_token",), ("reaction_error",), ("reaction_error", "message")}
    # counter, up, down: names the template's own blocktranslate binds.
    bound = {("counter",), ("up",), ("down",)}
    assert ("reactions", "mine") in paths
    assert sorted(paths - allowed - bound) == []
