"""Related articles: hand-picked first, then shared tags, section and text similarity."""

from __future__ import annotations

import json

import pytest

from broadsheet.articles import demo
from broadsheet.articles.models import ArticlePage, RelatedArticleLink
from broadsheet.articles.selectors import related_article_ids, related_articles
from broadsheet.articles.testing import make_article, make_section

pytestmark = pytest.mark.django_db


def test_articles_sharing_tags_come_before_unrelated_ones() -> None:
    world, culture = make_section("World"), make_section("Culture")
    story = make_article(
        section=world, title="Rents rise again in the old town", tags=["housing", "rent"]
    )
    close = make_article(section=culture, title="A play about eviction", tags=["housing", "rent"])
    near = make_article(section=world, title="Council debates zoning", tags=["housing"])
    unrelated = make_article(section=culture, title="Jazz week line-up", tags=["music"])
    ids = related_article_ids(story)
    assert ids[:2] == [close.pk, near.pk]
    assert unrelated.pk not in ids[:2]


def test_hand_picked_related_articles_win(settings) -> None:
    world = make_section("World")
    story = make_article(section=world, tags=["housing"])
    make_article(section=world, tags=["housing"])
    picked = make_article(section=world, title="Chosen by the editor", tags=["gardening"])
    RelatedArticleLink.objects.create(page=story, related=picked, sort_order=0)
    assert related_article_ids(story, limit=3)[0] == picked.pk


def test_an_article_is_never_related_to_itself() -> None:
    story = make_article(tags=["a"])
    make_article(tags=["a"])
    assert story.pk not in related_article_ids(story)


def test_related_articles_on_the_demo_data_share_a_tag_or_a_topic() -> None:
    demo.load_publication()
    data = demo.load_articles_data()
    tags_by_slug = {a["slug"]: set(a["tags"]) for a in data["articles"]}
    relevant = 0
    checked = 0
    for article in ArticlePage.objects.live():
        for related in related_articles(article)[:2]:
            checked += 1
            if tags_by_slug[article.slug] & tags_by_slug[related.slug]:
                relevant += 1
    # The top two related articles share at least one tag with the story nearly always.
    assert checked >= 50
    assert relevant / checked >= 0.9, json.dumps({"relevant": relevant, "checked": checked})
