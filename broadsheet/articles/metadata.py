"""Structured metadata for search engines and social cards."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from broadsheet.articles.models import ArticlePage, Author, PublicationSettings, SectionPage

# JSON inside <script> must not be able to close the element or open a comment.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def absolute(url: str) -> str:
    """The public address of a path: always on SITE_URL, the one host the publication
    answers as (canonical links, sitemaps, feeds, JSON-LD and e-mails all agree, whatever
    host a request or the Wagtail Site named)."""
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url


def lead_image_url(article: ArticlePage) -> str | None:
    if not article.lead_image:
        return None
    rendition = article.lead_image.get_rendition("fill-1200x675|jpegquality-80")
    return absolute(rendition.url)


def news_article_json_ld(
    article: ArticlePage,
    *,
    section: SectionPage,
    authors: list[Author],
    publication: PublicationSettings,
) -> SafeString:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.dek,
        "mainEntityOfPage": absolute(article.url or ""),
        "articleSection": section.title,
        "datePublished": article.first_published_at.isoformat(),
        "dateModified": (
            article.revised_at or article.last_published_at or article.first_published_at
        ).isoformat(),
        "author": [
            {
                "@type": "Person",
                "name": author.name,
                "url": absolute(author.get_absolute_url()),
            }
            for author in authors
        ],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": publication.name,
            "url": absolute("/"),
        },
        "keywords": [tag.name for tag in article.tags.all()],
    }
    image = lead_image_url(article)
    if image:
        data["image"] = [image]
    if article.is_opinion:
        data["@type"] = ["NewsArticle", "OpinionNewsArticle"]
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))
