"""The publication in the JSON Lines export (``export_site --articles``): records out.

Images travel as references (title, file name in the media storage, size, focal
point), not as bytes: a newsroom moving its site copies its media folder, and the
restore finds each file there. Articles carry their live content, their published
state and dates, and, when an editor has saved changes not yet published, that draft
as well; redirects (the old addresses a WordPress import made answer) come last. Image
ids inside article bodies are the exporting site's; the restore maps them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model

from broadsheet.articles.models import ArticlePage, Author, HomePage, SectionPage
from broadsheet.importers.export.records import when

CONTENT_FIELDS = (
    "title",
    "seo_title",
    "search_description",
    "dek",
    "revised_at",
    "lead_image",
    "lead_image_caption",
    "lead_image_credit",
    "body",
    "tags",
    "is_opinion",
    "authors",
    "related",
)


def image_records() -> Iterator[dict[str, Any]]:
    for image in get_image_model().objects.order_by("pk").iterator(chunk_size=500):
        focal = (
            [
                image.focal_point_x,
                image.focal_point_y,
                image.focal_point_width,
                image.focal_point_height,
            ]
            if image.focal_point_x is not None
            else None
        )
        yield {
            "type": "image",
            "id": image.pk,
            "title": image.title,
            "file": image.file.name,
            "width": image.width,
            "height": image.height,
            "created_at": when(image.created_at),
            "focal_point": focal,
        }


def author_records() -> Iterator[dict[str, Any]]:
    for author in Author.objects.order_by("pk").iterator(chunk_size=500):
        yield {
            "type": "author",
            "id": author.pk,
            "name": author.name,
            "slug": author.slug,
            "bio": author.bio,
            "avatar": author.avatar_id,
            "user": author.user_id,
        }


def _dates(page: Any) -> dict[str, Any]:
    return {
        "live": page.live,
        "has_unpublished_changes": page.has_unpublished_changes,
        "first_published_at": when(page.first_published_at),
        "last_published_at": when(page.last_published_at),
        "go_live_at": when(page.go_live_at),
        "expire_at": when(page.expire_at),
        "url_path": page.url_path,
    }


def section_records() -> Iterator[dict[str, Any]]:
    home = HomePage.objects.first()
    if home is None:
        return
    for section in SectionPage.objects.child_of(home).order_by("path").specific():
        yield {
            "type": "section",
            "id": section.pk,
            "title": section.title,
            "slug": section.slug,
            "intro": section.intro,
            "seo_title": section.seo_title,
            "search_description": section.search_description,
            **_dates(section),
        }


def content(article: ArticlePage) -> dict[str, Any]:
    """What an editor writes in an article, as plain data (the body as StreamField's
    raw JSON, authors and related articles as ids, in order)."""
    return {
        "title": article.title,
        "seo_title": article.seo_title,
        "search_description": article.search_description,
        "dek": article.dek,
        "revised_at": when(article.revised_at),
        "lead_image": article.lead_image_id,
        "lead_image_caption": article.lead_image_caption,
        "lead_image_credit": article.lead_image_credit,
        "body": list(article.body.raw_data),
        "tags": sorted(tag.name for tag in article.tags.all()),
        "is_opinion": article.is_opinion,
        "authors": [line.author_id for line in article.byline.all().order_by("sort_order")],
        "related": [link.related_id for link in article.related_links.all().order_by("sort_order")],
    }


def article_records() -> Iterator[dict[str, Any]]:
    for article in ArticlePage.objects.order_by("path").specific().iterator(chunk_size=200):
        draft = None
        if article.has_unpublished_changes and article.live:
            revision = article.get_latest_revision()
            if revision is not None:
                draft = content(revision.as_object())
        yield {
            "type": "article",
            "id": article.pk,
            "section": article.get_parent().pk,
            "slug": article.slug,
            **content(article),
            **_dates(article),
            "draft": draft,
        }


def redirect_records() -> Iterator[dict[str, Any]]:
    """Old addresses answering with a redirect (a WordPress import leaves one per
    permalink): to a page (by id), or to a link."""
    rows = Redirect.objects.filter(site__isnull=True).order_by("old_path")
    for redirect in rows.iterator(chunk_size=1000):
        yield {
            "type": "redirect",
            "old_path": redirect.old_path,
            "is_permanent": redirect.is_permanent,
            "page": redirect.redirect_page_id,
            "link": redirect.redirect_link,
        }


def records() -> Iterator[dict[str, Any]]:
    yield from image_records()
    yield from author_records()
    yield from section_records()
    yield from article_records()
    yield from redirect_records()
