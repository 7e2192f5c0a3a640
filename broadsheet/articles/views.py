from __future__ import annotations

import re

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST
from taggit.models import Tag

from broadsheet.articles import selectors
from broadsheet.articles.actions import do_cast_reaction
from broadsheet.articles.languages import publication_language
from broadsheet.articles.models import ArticlePage, Author
from broadsheet.core.clients import client_ip, ip_hash, remember_reader, voter_key
from broadsheet.core.errors import ActionError
from broadsheet.core.htmx import is_htmx, with_reswap
from broadsheet.core.pagecache import mark_cacheable
from broadsheet.core.text import text_param

REACTION_VALUES = {"up": 1, "down": -1, "none": 0}


def access_article(article_id: int) -> ArticlePage:
    """A published, public article, or 404."""
    article = ArticlePage.objects.live().public().filter(pk=article_id).first()
    if article is None:
        raise Http404("No such article")
    return article


@require_POST
def react(request: HttpRequest, article_id: int) -> HttpResponse:
    article = access_article(article_id)
    value = REACTION_VALUES.get(request.POST.get("value", ""), 99)
    error = None
    try:
        do_cast_reaction(
            article=article,
            voter_key=voter_key(request),
            value=value,
            ip_hash=ip_hash(client_ip(request)),
            toggle=True,
        )
    except ActionError as exc:
        error = exc
    return remember_reader(request, _reaction_answer(request, article, error))


def _reaction_answer(
    request: HttpRequest, article: ArticlePage, error: ActionError | None
) -> HttpResponse:
    """The reactions fragment (htmx), the error page, or back to the article."""
    if is_htmx(request):
        context = {
            "page": article,
            "reactions": selectors.reaction_summary(article, request),
            "reaction_error": error,
        }
        status = error.status if error else 200
        # The fragment carries the message, so htmx swaps it in even as a 4xx answer.
        response = render(request, "articles/includes/reactions.html", context, status=status)
        return with_reswap(response, status)
    if error:
        return render(
            request,
            "articles/reaction_error.html",
            {"article": article, "error": error},
            status=error.status,
        )
    return redirect(f"{article.url}#reactions")


@require_GET
def tag_page(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    articles = selectors.paginated_cards(selectors.articles_tagged(tag), request.GET.get("page"))
    mark_cacheable(request, ["listings"])
    return TemplateResponse(request, "articles/tag_page.html", {"tag": tag, "articles": articles})


@require_GET
def author_page(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author.objects.select_related("avatar"), slug=slug)
    articles = selectors.paginated_cards(
        selectors.articles_by_author(author), request.GET.get("page")
    )
    mark_cacheable(request, ["listings"])
    return TemplateResponse(
        request, "articles/author_page.html", {"author": author, "articles": articles}
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = text_param(request.GET.get("q"), max_length=200)
    # Words only: quotes and other operators of the search engines' own syntax (SQLite's
    # FTS5) would make it refuse the query with an error.
    terms = " ".join(re.findall(r"\w+", query or ""))
    results = None
    if terms:
        found = selectors.live_articles().search(terms, order_by_relevance=True)
        results = selectors.paginated_cards(found, request.GET.get("page"))  # type: ignore[arg-type]
    return TemplateResponse(request, "articles/search.html", {"query": query, "results": results})


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Disallow: /accounts/",
        "Disallow: /search/",
        # The language switcher's links: a cookie and a redirect, nothing to index.
        "Disallow: /language/",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
        f"Sitemap: {settings.SITE_URL}/news-sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_GET
def news_sitemap(request: HttpRequest) -> HttpResponse:
    """Google News sitemap: articles of the last two days, at most 1,000."""
    from datetime import timedelta

    from django.utils import timezone

    since = timezone.now() - timedelta(days=2)
    articles = (
        ArticlePage.objects.live()
        .public()
        .filter(first_published_at__gte=since)
        .order_by("-first_published_at")[:1000]
    )
    return render(
        request,
        "articles/news_sitemap.xml",
        {
            "articles": articles,
            "site_name": selectors.PublicationSettings.load(request_or_site=request).name,
            # The articles' language (the publication's), not the reader's interface:
            # ISO 639 ("ar", "es", "en"), as Google News asks.
            "news_language": publication_language().split("-")[0],
            "root": settings.SITE_URL,
        },
        content_type="application/xml",
    )
