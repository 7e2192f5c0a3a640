"""An article's own discussion controls (issue 14): editors set its pre-moderation and the
date its discussion closes in the article's "Discussion" panel; the pipeline and posting
honour them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from broadsheet.articles.discussion_policy import article_overrides, article_policy
from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article
from broadsheet.core.errors import NotAllowed
from broadsheet.discussion.actions import do_register_thread
from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import guest, post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _article_policy(settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.articles.discussion_policy.article_policy"
    settings.BROADSHEET_MODERATION_MODE = "none"


def thread_of(article: ArticlePage) -> Thread:
    return do_register_thread(key=article.thread_key, title=article.title, url=article.url or "")


def publish(article: ArticlePage, **fields: Any) -> None:
    """Set fields as an editor does: on a revision, then publish it."""
    for name, value in fields.items():
        setattr(article, name, value)
    article.save_revision().publish()


def test_the_editor_panel_has_the_discussion_fields(site_structure: Any) -> None:
    names = {
        getattr(child, "field_name", None)
        for panel in ArticlePage.content_panels
        for child in getattr(panel, "children", [panel])
    }
    assert {"comments_moderation", "comments_close_at"} <= names


def test_pre_moderation_of_one_article(site_structure: Any) -> None:
    held_here = make_article(title="Held here")
    open_there = make_article(title="Open there")
    publish(held_here, comments_moderation="all")
    assert article_overrides(held_here.thread_key) == ("all", None)
    assert post(thread_of(held_here), guest(), "A fair point.").status == "pending"
    assert post(thread_of(open_there), guest(), "A fair point.").status == "approved"


def test_a_draft_does_not_change_the_live_discussion(site_structure: Any) -> None:
    article = make_article(title="Draft only")
    article.comments_moderation = "all"
    article.save_revision()  # saved, not published
    assert article_policy(thread_of(article)).moderation_mode == ""


def test_the_closing_date_closes_the_discussion(site_structure: Any, client: Any) -> None:
    article = make_article(title="Closing soon")
    thread = thread_of(article)
    assert post(thread, guest(), "Before the date.").status == "approved"
    publish(article, comments_close_at=timezone.now() - timedelta(minutes=1))
    policy = article_policy(thread)
    assert policy.closes_at is not None and not policy.accepts_comments()
    with pytest.raises(NotAllowed):
        post(thread, guest(), "After the date.")
    html = client.get(article.url).content.decode()
    assert "Comments are closed." in html and 'id="comment-form"' not in html


def test_a_closing_date_ahead_keeps_it_open(site_structure: Any) -> None:
    article = make_article(title="Open for now")
    publish(article, comments_close_at=timezone.now() + timedelta(days=2))
    assert article_policy(thread_of(article)).accepts_comments()
    assert post(thread_of(article), guest(), "Still open.").status == "approved"


def test_each_process_keeps_an_articles_overrides_until_the_site_version_moves(
    site_structure: Any, django_assert_num_queries: Any
) -> None:
    from django.core.cache import cache

    from broadsheet.core.versions import scope_versions

    article = make_article(title="Kept here")
    publish(article, comments_moderation="all")
    assert article_overrides(article.thread_key) == ("all", None)
    version = scope_versions().read(["site"])[0]
    cache.delete(f"articles:discussion-overrides:{article.pk}:{version}")
    with django_assert_num_queries(0):  # this process's copy: no query, no shared cache
        assert article_overrides(article.thread_key) == ("all", None)
    publish(article, comments_moderation="none")  # publishing bumps `site`
    assert article_overrides(article.thread_key) == ("none", None)
