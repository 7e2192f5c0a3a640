"""Structured metadata for search engines and social cards."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from broadsheet.articles.models import ArticlePage, Author, PublicationSettings, SectionPage

# JSON inside <script> must not be able to close the element or open a comment.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def absolute(request: HttpRequest | None, url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    if request is None:
        from django.conf import settings

        return settings.SITE_URL + url
    return request.build_absolute_uri(url)


def lead_image_url(article: ArticlePage, request: HttpRequest | None) -> str | None:
    if not article.lead_image:
        return None
    rendition = article.lead_image.get_rendition("fill-1200x675|jpegquality-80")
    return absolute(request, rendition.url)


def news_article_json_ld(
    article: ArticlePage,
    *,
    request: HttpRequest | None,
    section: SectionPage,
    authors: list[Author],
    publication: PublicationSettings,
) -> SafeString:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.dek,
        "mainEntityOfPage": absolute(request, article.url or ""),
        "articleSection": section.title,
        "datePublished": article.first_published_at.isoformat(),
        "dateModified": (
            article.revised_at or article.last_published_at or article.first_published_at
        ).isoformat(),
        "author": [
            {
                "@type": "Person",
                "name": author.name,
                "url": absolute(request, author.get_absolute_url()),
            }
            for author in authors
        ],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": publication.name,
            "url": absolute(request, "/"),
        },
        "keywords": [tag.name for tag in article.tags.all()],
    }
    image = lead_image_url(article, request)
    if image:
        data["image"] = [image]
    if article.is_opinion:
        data["@type"] = ["NewsArticle", "OpinionNewsArticle"]
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))
