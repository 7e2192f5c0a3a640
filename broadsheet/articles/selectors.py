"""Reads for publication pages. Each selector owns its query shape and budget."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Hashable, Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from taggit.models import Tag
from wagtail.query import PageQuerySet

from broadsheet.articles.models import (
    ArticleByline,
    ArticlePage,
    ArticleReaction,
    ArticleReactionTally,
    Author,
    HomePage,
    PublicationSettings,
    SectionPage,
)
from broadsheet.core.clients import reader_id
from broadsheet.core.ids import parse_id
from broadsheet.core.lru import BoundedLRU, setting_bytes
from broadsheet.core.versions import scope_versions, versions_for_request
from broadsheet.discussion.selectors import comment_counts, threads_most_discussed


def live_articles() -> PageQuerySet:
    """Published articles, newest first, with what a listing card shows, in 3 queries."""
    return (
        ArticlePage.objects.live()
        .public()
        .select_related("lead_image")
        .prefetch_related(
            Prefetch(
                "byline",
                queryset=ArticleByline.objects.select_related("author").order_by("sort_order"),
            ),
        )
        .order_by("-first_published_at", "-pk")
    )


def articles_in_section(section: SectionPage) -> PageQuerySet:
    return live_articles().child_of(section)


def articles_tagged(tag: Tag) -> PageQuerySet:
    return live_articles().filter(tagged_items__tag=tag)


def articles_by_author(author: Author) -> PageQuerySet:
    return live_articles().filter(byline__author=author).distinct()


def sections() -> QuerySet[SectionPage]:
    return SectionPage.objects.live().public().order_by("path")


def paginate(
    queryset: QuerySet[Any], page_number: str | int | None, per_page: int | None = None
) -> PaginatorPage:
    paginator = Paginator(queryset, per_page or settings.BROADSHEET_LISTING_PAGE_SIZE)
    return paginator.get_page(page_number)


def as_cards(articles: Iterable[ArticlePage]) -> list[ArticlePage]:
    """Attach what a listing card shows beyond the page itself, in two queries for all:
    `section_title`/`section_url` and the discussion's `comment_count`."""
    articles = list(articles)
    if not articles:
        return articles
    parent_paths = {article.path[: -ArticlePage.steplen] for article in articles}
    parents = {s.path: s for s in SectionPage.objects.filter(path__in=parent_paths)}
    counts = comment_counts([article.thread_key for article in articles])
    for article in articles:
        parent = parents.get(article.path[: -ArticlePage.steplen])
        article.section_title = parent.title if parent else ""  # type: ignore[attr-defined]
        article.section_url = parent.url if parent else ""  # type: ignore[attr-defined]
        article.comment_count = counts.get(article.thread_key, 0)  # type: ignore[attr-defined]
    return articles


def paginated_cards(queryset: PageQuerySet, page_number: str | None) -> PaginatorPage:
    page = paginate(queryset, page_number)
    page.object_list = as_cards(page.object_list)
    return page


def most_discussed(*, limit: int = 5, days: int = 7) -> list[ArticlePage]:
    """Live articles whose discussions drew the most comments lately (all time as a
    fallback on a quiet week), each with `comment_count`. Two queries."""
    since = timezone.now() - timedelta(days=days)
    threads = threads_most_discussed(key_prefix="article-", limit=limit, since=since)
    if not threads:
        threads = threads_most_discussed(key_prefix="article-", limit=limit)
    ids = {pk: t for t in threads if (pk := parse_id(t.key.removeprefix("article-"))) is not None}
    articles = {a.pk: a for a in ArticlePage.objects.live().public().filter(pk__in=ids)}
    ranked = []
    for pk, thread in ids.items():
        if pk in articles:
            articles[pk].comment_count = thread.comment_count  # type: ignore[attr-defined]
            ranked.append(articles[pk])
    return ranked


def front_page(*, home: HomePage, page_number: str | None) -> dict[str, Any]:
    latest_qs = live_articles()
    lead = home.lead_article if home.lead_article and home.lead_article.live else latest_qs.first()
    latest = paginate(latest_qs.exclude(pk=lead.pk) if lead else latest_qs, page_number)
    rails = section_rails(per_section=4)
    cards = as_cards([lead] if lead else [])
    latest_cards = as_cards(latest.object_list)
    return {
        "lead": cards[0] if cards else None,
        "latest": latest,
        "latest_cards": latest_cards,
        "rails": rails,
        "most_discussed": most_discussed(),
    }


def section_rails(*, per_section: int, window: int = 80) -> list[dict[str, Any]]:
    """The newest articles of every section in two queries, whatever the number of sections.

    The newest `window` articles are bucketed by section; a section with nothing among
    them shows an empty rail rather than costing a query of its own.
    """
    buckets: dict[str, list[ArticlePage]] = {}
    for article in live_articles()[:window]:
        bucket = buckets.setdefault(article.path[: -ArticlePage.steplen], [])
        if len(bucket) < per_section:
            bucket.append(article)
    counts = comment_counts([a.thread_key for bucket in buckets.values() for a in bucket])
    for bucket in buckets.values():
        for article in bucket:
            article.comment_count = counts.get(article.thread_key, 0)  # type: ignore[attr-defined]
    return [{"section": s, "articles": buckets.get(s.path, [])} for s in sections()]


# Per process: (article id, its `article:<id>` version) -> (up, down) (reaction_tally).
_kept_tallies: BoundedLRU[tuple[int, str], tuple[int, int]] = BoundedLRU(
    setting_bytes("BROADSHEET_REACTION_TALLIES_BYTES", 64 * 1024)
)


def reaction_tally(article: ArticlePage, request: HttpRequest | None) -> tuple[int, int]:
    """The article's (up, down), remembered per process under the version of its
    `article:<id>` scope. Every write of a tally bumps that scope after its commit
    (do_cast_reaction, do_import_reactions, the demo's reactions), so a reaction is seen
    by the next render on every process. The version is read before the tally: a
    reaction that commits in between is stored under the old version and read again
    once its bump lands."""
    version = versions_for_request(request, [f"article:{article.pk}"])[0]
    key = (article.pk, version)
    tally = _kept_tallies.get(key)
    if tally is None:
        row = ArticleReactionTally.objects.filter(article=article).values_list("up", "down").first()
        tally = (row[0], row[1]) if row else (0, 0)
        _kept_tallies.put(key, tally)
    return tally


def reaction_summary(article: ArticlePage, request: HttpRequest) -> dict[str, Any]:
    """Points (reaction_tally) and this reader's own vote (never shared)."""
    up, down = reaction_tally(article, request)
    voter = None
    if request.user.is_authenticated:
        voter = f"u:{request.user.pk}"
    elif rid := reader_id(request):
        voter = f"r:{rid}"
    mine = 0
    if voter:
        mine = (
            ArticleReaction.objects.filter(article=article, voter_key=voter)
            .values_list("value", flat=True)
            .first()
            or 0
        )
    return {"up": up, "down": down, "points": up - down, "mine": mine}


_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_STOPWORDS = frozenset(
    (
        "the",
        "and",
        "for",
        "that",
        "with",
        "this",
        "from",
        "have",
        "has",
        "was",
        "were",
        "are",
        "its",
        "their",
        "they",
        "them",
        "than",
        "then",
        "will",
        "would",
        "could",
        "should",
        "about",
        "after",
        "over",
        "into",
        "more",
        "most",
        "some",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "how",
        "not",
        "but",
        "our",
        "out",
        "new",
        "one",
        "two",
        "can",
        "may",
        "also",
        "been",
        "being",
        "said",
        "says",
    )
)


def _terms(text: str) -> Counter[str]:
    return Counter(word for word in _WORD.findall(text.lower()) if word not in _STOPWORDS)


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    common = set(a) & set(b)
    if not common:
        return 0.0
    dot = sum(a[t] * b[t] for t in common)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def _article_text(article: ArticlePage) -> str:
    return f"{article.title} {article.dek} {article.title} {article.dek}"


def related_article_ids(
    article: ArticlePage, *, limit: int | None = None, use_cache: bool = True
) -> list[int]:
    """Hand-picked related articles first, then the best computed candidates.

    Score = 3 per shared tag + 1 for the same section + 4 x text cosine of headline and
    dek. Computing is cheap for a newsroom's recent archive (the last 400 articles) and
    the result is cached per article revision (not for a preview, whose unsaved form
    shares the revision id of the page readers see).
    """
    limit = limit or settings.BROADSHEET_RELATED_ARTICLES
    cache_key = f"related:{article.pk}:{article.latest_revision_id}:{limit}"
    cached = cache.get(cache_key) if use_cache else None
    if cached is not None:
        return list(cached)

    # A preview renders a page built from the editor's form, whose tags and links are
    # modelcluster's in-memory querysets: only plain iteration works on both kinds.
    links = sorted(article.related_links.all(), key=lambda link: link.sort_order or 0)
    wanted = [link.related_id for link in links if link.related_id != article.pk]
    live = set(ArticlePage.objects.live().filter(pk__in=wanted).values_list("pk", flat=True))
    ids: list[int] = [pk for pk in wanted if pk in live][:limit]
    if len(ids) < limit:
        my_tags = {tag.pk for tag in article.tags.all()}
        my_parent = article.path[: -ArticlePage.steplen]
        my_terms = _terms(_article_text(article))
        candidates = list(
            ArticlePage.objects.live()
            .public()
            .exclude(pk__in=[article.pk, *ids])
            .order_by("-first_published_at")
            .only("pk", "path", "title", "dek", "first_published_at")[:400]
        )
        tag_rows = ArticlePage.tags.through.objects.filter(
            content_object_id__in=[c.pk for c in candidates]
        ).values_list("content_object_id", "tag_id")
        tags_by_article: dict[int, set[int]] = {}
        for article_id, tag_id in tag_rows:
            tags_by_article.setdefault(article_id, set()).add(tag_id)
        scored = []
        for candidate in candidates:
            score: float = 3 * len(my_tags & tags_by_article.get(candidate.pk, set()))
            score += 1 if candidate.path.startswith(my_parent) else 0
            score += 4 * _cosine(my_terms, _terms(_article_text(candidate)))
            if score > 0:
                scored.append((score, candidate.first_published_at, candidate.pk))
        scored.sort(reverse=True)
        ids.extend(pk for _, _, pk in scored[: limit - len(ids)])
    if use_cache:
        cache.set(cache_key, ids, settings.BROADSHEET_RELATED_CACHE_SECONDS)
    return ids


def related_articles(article: ArticlePage, *, use_cache: bool = True) -> list[ArticlePage]:
    ids = related_article_ids(article, use_cache=use_cache)
    if not ids:
        return []
    by_id = {a.pk: a for a in live_articles().filter(pk__in=ids)}
    return as_cards(by_id[pk] for pk in ids if pk in by_id)


# A small per-process LRU of what an article page shows beyond its own fields and the
# reader's own state (see article_page_context).
page_parts: BoundedLRU[Hashable, dict[str, Any]] = BoundedLRU(
    setting_bytes("BROADSHEET_ARTICLE_PARTS_BYTES", 2 * 1024 * 1024)
)


def _shared_parts(article: ArticlePage, request: HttpRequest, *, preview: bool) -> dict[str, Any]:
    from broadsheet.articles.metadata import news_article_json_ld

    publication = PublicationSettings.load(request_or_site=request)
    bylines = list(article.byline.select_related("author", "author__avatar").order_by("sort_order"))
    section = article.get_parent().specific
    authors = [b.author for b in bylines]
    return {
        "publication": publication,
        "section": section,
        "authors": authors,
        "tags": list(article.tags.order_by("name")),
        "related": related_articles(article, use_cache=not preview),
        "json_ld": news_article_json_ld(
            article, section=section, authors=authors, publication=publication
        ),
    }


def article_page_context(article: ArticlePage, request: HttpRequest) -> dict[str, Any]:
    """What the article page shows besides the page itself. All but the reader's own
    reaction is the same for every reader, and changes only with the article's revision
    (its tags, byline, links), the `site` scope (publishing anything, settings, authors)
    or the `listings` scope (comment counts of the related cards): kept per process,
    keyed by those versions, so it is ~10 queries on a miss and none on a hit. A preview
    is never kept: its unsaved tags and byline would show to readers under the same key."""
    if getattr(request, "is_preview", False):
        preview = _shared_parts(article, request, preview=True)
        return {**preview, "kept_key": None, "reactions": reaction_summary(article, request)}
    key = (
        article.pk,
        article.latest_revision_id,
        request.build_absolute_uri("/"),
        # The sections bar marks the section of the address asked for.
        request.path,
        scope_versions().read(["site", "listings"]),
    )
    parts = page_parts.get(key)
    if parts is None:
        parts = _shared_parts(article, request, preview=False)
        page_parts.put(key, parts)
    # The same key keeps the page's reader-independent markup (core/kept_markup.py).
    return {**parts, "kept_key": key, "reactions": reaction_summary(article, request)}


def reactions_for_export(user: Any) -> dict[str, list[dict[str, Any]]]:
    """The account's "What do you think?" reactions, for its data download (accounts'
    GDPR export). One query."""
    rows = (
        ArticleReaction.objects.filter(voter_key=f"u:{user.pk}")
        .select_related("article")
        .order_by("created_at", "pk")
    )
    return {
        "article_reactions": [
            {
                "article": {"title": reaction.article.title, "url": reaction.article.get_url()},
                "value": reaction.value,
                "at": reaction.created_at.isoformat(),
            }
            for reaction in rows
        ]
    }
