"""Factories and helpers for tests of publication pages (used by every app's tests)."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Locale, Page, Site

from broadsheet.articles.models import ArticleByline, ArticlePage, Author, HomePage, SectionPage

_counter = itertools.count(1)


def ensure_site_structure() -> HomePage:
    Locale.objects.get_or_create(language_code="en")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(
            title="Root", slug="root", locale=Locale.objects.get(language_code="en")
        )
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(title="Home", slug="home")
        root.add_child(instance=home)
    if not Site.objects.filter(is_default_site=True, root_page=home).exists():
        Site.objects.all().delete()
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Broadsheet",
        )
    return home


def make_section(
    title: str = "World", *, home: HomePage | None = None, intro: str = ""
) -> SectionPage:
    home = home or ensure_site_structure()
    existing = SectionPage.objects.filter(slug=title.lower()).first()
    if existing:
        return existing
    section = SectionPage(title=title, slug=title.lower(), intro=intro)
    home.add_child(instance=section)
    section.save_revision().publish()
    return section


def make_author(name: str = "Mara Quill", **extra: Any) -> Author:
    slug = name.lower().replace(" ", "-")
    author, _ = Author.objects.get_or_create(slug=slug, defaults={"name": name, **extra})
    return author


def make_article(
    *,
    section: SectionPage | None = None,
    title: str | None = None,
    dek: str = "A standfirst that says what the story is about.",
    authors: list[Author] | None = None,
    tags: list[str] | None = None,
    body: list[dict[str, Any]] | None = None,
    is_opinion: bool = False,
    days_ago: int = 0,
    publish: bool = True,
) -> ArticlePage:
    n = next(_counter)
    section = section or make_section()
    title = title or f"Article number {n}"
    article = ArticlePage(
        title=title,
        slug=f"{slugify(title)[:40]}-{n}-{uuid.uuid4().hex[:6]}",
        dek=dek,
        is_opinion=is_opinion,
        live=publish,
        # Like Wagtail: a draft has no first publication; a published one is backdated.
        first_published_at=timezone.now() - timedelta(days=days_ago) if publish else None,
        body=body
        or [
            {
                "type": "paragraph",
                "value": '<p>First paragraph with <a href="https://example.org/">a link</a>.</p>',
            },
            {
                "type": "quote",
                "value": {
                    "text": "A quotation of a source.",
                    "attribution": "A Source, spokesperson",
                },
            },
        ],
    )
    article.byline = [
        ArticleByline(author=a, sort_order=i) for i, a in enumerate(authors or [make_author()])
    ]
    if tags:
        article.tags.add(*tags)
    section.add_child(instance=article)
    revision = article.save_revision()
    if publish:
        revision.publish()
        article.refresh_from_db()
    return article
