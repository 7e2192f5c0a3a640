"""How discussions under articles behave, as editors set it in Publication settings.

Plugged into the discussion engine with
``BROADSHEET_DISCUSSION_POLICY = "broadsheet.articles.discussion_policy.article_policy"``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from html import unescape
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest

from broadsheet.articles.models import ArticleByline, ArticlePage, PublicationSettings
from broadsheet.core.ids import parse_id
from broadsheet.core.lru import BoundedLRU, setting_bytes
from broadsheet.core.versions import scope_versions, versions_for_request
from broadsheet.discussion.anchors import AnchorTexts
from broadsheet.discussion.models import Thread
from broadsheet.discussion.policy import DiscussionPolicy


def article_policy(thread: Any, request: HttpRequest | None = None) -> DiscussionPolicy:
    """The publication's policy (publication_policy) with what the editor set on the
    article itself: its pre-moderation and its closing date (article_overrides)."""
    policy = publication_policy(request)
    mode, closes_at = article_overrides(str(getattr(thread, "key", "")), request)
    if not mode and closes_at is None:
        return policy
    return replace(policy, moderation_mode=mode, closes_at=closes_at)


def article_overrides(key: str, request: HttpRequest | None = None) -> tuple[str, datetime | None]:
    """(pre-moderation mode, closing date) the editor set on the live article of thread
    `key` ("article-<pk>"): ("", None) when none or not an article. Kept in the shared
    cache under the "site" scope's version, which publishing bumps: one query per
    change, none per post.

    Each process also keeps what it read, under the same key (the article and the
    version): a value stored under a version never changes, since any change of it
    comes with a new version, so the kept copy is never stale and a reading process
    asks the shared cache once per article and change, not once per request.
    """
    pk = parse_id(key[8:]) if key.startswith("article-") else None
    if pk is None:
        return "", None
    version = versions_for_request(request, ["site"])[0]
    cache_key = f"articles:discussion-overrides:{pk}:{version}"
    cached = _kept_overrides.get(cache_key)
    if cached is None:
        cached = cache.get(cache_key)
        if cached is None:
            row = (
                ArticlePage.objects.live()
                .filter(pk=pk)
                .values_list("comments_moderation", "comments_close_at")
                .first()
            )
            cached = (row[0], row[1].isoformat() if row[1] else "") if row else ("", "")
            cache.set(cache_key, cached, 24 * 3600)
        _kept_overrides.put(cache_key, cached)
    mode, closes = cached
    return mode, datetime.fromisoformat(closes) if closes else None


# Per process: (mode, closing date) by article and `site` version (article_overrides).
_kept_overrides: BoundedLRU[str, tuple[str, str]] = BoundedLRU(
    setting_bytes("BROADSHEET_ARTICLE_OVERRIDES_BYTES", 256 * 1024)
)


def publication_policy(request: HttpRequest | None = None) -> DiscussionPolicy:
    """Posting on/off, guests and default sort from PublicationSettings.

    Remembered per process under the version of the "site" scope, which every change of
    the settings bumps (broadsheet.articles.signals, also after commit), so the settings
    are read once per change instead of once per post, and a change is seen at once.
    The version is read before the settings: a change that lands in between is stored
    under the old version and read again on the next call.
    """
    global _remembered
    version = versions_for_request(request, ["site"])[0]
    remembered = _remembered
    if remembered is not None and remembered[0] == version:
        return remembered[1]
    publication = PublicationSettings.load(request_or_site=request)
    policy = DiscussionPolicy(
        enabled=publication.comments_enabled,
        allow_guests=publication.comments_allow_guests,
        default_sort=publication.comments_default_sort or "newest",
        reserved_names=(publication.name,),
    )
    _remembered = (version, policy)
    return policy


_remembered: tuple[str, DiscussionPolicy] | None = None


def thread_author_ids(thread_id: int) -> frozenset[int]:
    """The accounts of the byline of the article whose discussion is `thread_id` (the
    "Author" badge). Kept in the shared cache under the `site` scope's version, which
    publishing and editing an author bump: two queries once per change, none per page."""
    version = scope_versions().read(["site"])[0]
    cache_key = f"articles:thread-authors:{thread_id}:{version}"
    cached = cache.get(cache_key)
    if cached is not None:
        return frozenset(cached)
    key = Thread.objects.filter(pk=thread_id).values_list("key", flat=True).first() or ""
    ids: frozenset[int] = frozenset()
    if key.startswith("article-") and key[8:].isdigit():
        ids = frozenset(
            ArticleByline.objects.filter(
                page_id=int(key[8:]), author__user__isnull=False
            ).values_list("author__user_id", flat=True)
        )
    cache.set(cache_key, list(ids), 24 * 3600)
    return ids


# --- inline feedback ----------------------------------------------------------------------


def _plain(html: str) -> str:
    from django.utils.html import strip_tags

    return " ".join(unescape(strip_tags(html)).split())


def _block_text(block: Any) -> str:
    value = block.value
    kind = block.block_type
    if kind in ("paragraph",):
        return _plain(getattr(value, "source", str(value)))
    if kind == "feedback":
        return _plain(getattr(value["text"], "source", str(value["text"])))
    if kind in ("quote", "pull_quote"):
        return " ".join(str(value["text"]).split())
    if kind == "heading":
        return " ".join(str(value).split())
    if kind == "image":
        return " ".join(str(value.get("caption") or "").split())
    return ""


def anchor_texts(thread: Any) -> AnchorTexts:
    """The plain text of each body block of the live article of thread "article-<pk>"
    (feedback passages named as points, with their questions), for inline feedback.

    One query for the live revision id; the flattened body is cached per revision, so a
    published edit is seen at once and an unchanged article costs no more.
    """
    key = str(getattr(thread, "key", ""))
    pk = parse_id(key[8:]) if key.startswith("article-") else None
    if pk is None:
        return AnchorTexts()
    row = ArticlePage.objects.live().filter(pk=pk).values_list("live_revision_id").first()
    if row is None:
        return AnchorTexts()
    revision = str(row[0] or "")
    cache_key = f"articles:anchor-texts:{pk}:{revision}"
    cached = cache.get(cache_key)
    if cached is not None:
        texts, points = cached
        return AnchorTexts(texts, points=points, revision=revision)
    page = ArticlePage.objects.get(pk=pk)
    texts, points = {}, {}
    for block in page.body:
        if block.id:
            texts[block.id] = _block_text(block)
            if block.block_type == "feedback":
                points[block.id] = str(block.value["question"])
    cache.set(cache_key, (texts, points), 24 * 3600)
    return AnchorTexts(texts, points=points, revision=revision)
