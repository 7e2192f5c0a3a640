"""The article's reaction tally, remembered per process under its `article:<id>` scope
(selectors.reaction_tally): every write path bumps the scope after its commit, so a
reaction shows at the next render, and a render with nothing new reads no tally."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from broadsheet.articles.actions import do_cast_reaction
from broadsheet.articles.importing import ImportedReaction, do_import_reactions
from broadsheet.articles.models import ArticlePage, ArticleReactionTally
from broadsheet.articles.testing import make_article
from broadsheet.core.pagecache import bump

pytestmark = pytest.mark.django_db


def points_shown(client: Client, article: ArticlePage) -> str:
    page = client.get(article.url).content.decode()
    return page.split("<strong data-points>", 1)[1].split("</strong>", 1)[0]


def tally_queries(client: Client, article: ArticlePage) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(article.url)
    return sum("articles_articlereactiontally" in q["sql"] for q in queries.captured_queries)


def test_a_reaction_shows_at_the_next_render_and_the_tally_is_read_once_per_change(
    client: Client, without_page_cache: None, django_capture_on_commit_callbacks: Any
) -> None:
    article = make_article()
    assert points_shown(client, article) == "0"
    assert tally_queries(client, article) == 0  # remembered
    with django_capture_on_commit_callbacks(execute=True):
        do_cast_reaction(article=article, voter_key="r:rosa", value=1)
    assert points_shown(client, article) == "1"
    with django_capture_on_commit_callbacks(execute=True):
        do_cast_reaction(article=article, voter_key="r:tomas", value=-1)
        do_cast_reaction(article=article, voter_key="r:ines", value=-1)
    assert points_shown(client, article) == "-1"
    assert tally_queries(client, article) == 0


def test_imported_reactions_show_at_the_next_render(
    client: Client, without_page_cache: None, django_capture_on_commit_callbacks: Any
) -> None:
    from django.utils import timezone

    article = make_article()
    assert points_shown(client, article) == "0"
    with django_capture_on_commit_callbacks(execute=True):
        do_import_reactions(
            article=article,
            reactions=[
                ImportedReaction(voter_key=f"r:{n}", value=1, ip_hash="", created_at=timezone.now())
                for n in range(3)
            ],
        )
    assert points_shown(client, article) == "3"


def test_the_tally_is_read_again_only_when_its_scope_moves_on(
    client: Client, without_page_cache: None
) -> None:
    # The contract, shown from the other side: a write that bumped nothing would not be
    # seen, which is why every write path of the tally bumps `article:<id>`.
    article = make_article()
    assert points_shown(client, article) == "0"
    ArticleReactionTally.objects.create(article=article, up=5, down=1)
    assert points_shown(client, article) == "0"
    bump(f"article:{article.pk}")
    assert points_shown(client, article) == "4"
