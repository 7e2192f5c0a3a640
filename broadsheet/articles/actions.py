"""The write paths of the articles app."""

from __future__ import annotations

from dataclasses import dataclass
from io import StringIO
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from wagtail.models import Page, Revision, Site

from broadsheet.articles.models import (
    ArticlePage,
    ArticleReaction,
    ArticleReactionTally,
    PublicationSettings,
)
from broadsheet.core.errors import ActionError
from broadsheet.core.pagecache import bump
from broadsheet.core.ratelimit import enforce

VALID_REACTIONS = (-1, 0, 1)


@dataclass(frozen=True)
class ReactionResult:
    up: int
    down: int
    mine: int

    @property
    def points(self) -> int:
        return self.up - self.down


def check_cast_reaction(*, article: ArticlePage, value: int, ip_hash: str) -> None:
    if value not in VALID_REACTIONS:
        raise ActionError("Choose Upvote or Downvote.", field="value")
    if not article.live:
        raise ActionError("This article is not published.")
    limit, window = settings.BROADSHEET_REACTION_RATE_LIMIT
    enforce(
        "reaction",
        ip_hash,
        limit=limit,
        window=window,
        message="You are voting very fast. Please wait a minute and try again.",
    )


def _apply_tally(article_id: int, up: int, down: int) -> None:
    if up == 0 and down == 0:
        return
    updated = ArticleReactionTally.objects.filter(article_id=article_id).update(
        up=F("up") + up, down=F("down") + down
    )
    if updated:
        return
    try:
        with transaction.atomic():
            ArticleReactionTally.objects.create(
                article_id=article_id, up=max(up, 0), down=max(down, 0)
            )
    except IntegrityError:
        # Another request created the row first; add our change to theirs.
        ArticleReactionTally.objects.filter(article_id=article_id).update(
            up=F("up") + up, down=F("down") + down
        )


def do_cast_reaction(
    *, article: ArticlePage, voter_key: str, value: int, ip_hash: str = "", toggle: bool = False
) -> ReactionResult:
    """Set one voter's reaction to +1, -1 or 0 (none); with `toggle`, repeating removes it.

    Locks the voter's reaction row (select_for_update; on SQLite the IMMEDIATE
    transaction serialises writers) and changes the tally with F() expressions, so
    concurrent clicks never lose or double a vote.
    """
    check_cast_reaction(article=article, value=value, ip_hash=ip_hash)
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _cast_reaction(article, voter_key, value, ip_hash, toggle)
        except IntegrityError:
            # Two first votes of the same voter raced on the unique constraint.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _cast_reaction(
    article: ArticlePage, voter_key: str, value: int, ip_hash: str, toggle: bool
) -> ReactionResult:
    existing = (
        ArticleReaction.objects.select_for_update()
        .filter(article=article, voter_key=voter_key)
        .first()
    )
    previous = existing.value if existing else 0
    if toggle and previous == value:
        value = 0
    if value == previous:
        pass
    elif value == 0:
        assert existing is not None
        existing.delete()
    elif existing is None:
        ArticleReaction.objects.create(
            article=article, voter_key=voter_key, value=value, ip_hash=ip_hash
        )
    else:
        existing.value = value
        existing.save(update_fields=["value"])
    up_delta = (value == 1) - (previous == 1)
    down_delta = (value == -1) - (previous == -1)
    _apply_tally(article.pk, up_delta, down_delta)
    tally = (
        ArticleReactionTally.objects.filter(article_id=article.pk).values_list("up", "down").first()
    )
    up, down = tally or (0, 0)
    if value != previous:
        transaction.on_commit(lambda: bump(f"article:{article.pk}"))
    return ReactionResult(up=up, down=down, mine=value)


def do_publish_scheduled_pages() -> str:
    """Publish what is scheduled and due, and unpublish what has expired: Wagtail's
    `publish_scheduled`, after giving each page going live for the first time its
    scheduled go-live time as "First published" (Wagtail would stamp the moment the
    schedule happened to run, seconds or minutes later). Returns the command's report."""
    now = timezone.now()
    due = Revision.page_revisions.filter(approved_go_live_at__lte=now).values_list(
        "object_id", "approved_go_live_at"
    )
    with transaction.atomic():
        for page_id, go_live_at in due:
            Page.objects.filter(pk=int(page_id), first_published_at__isnull=True).update(
                first_published_at=go_live_at
            )
    out = StringIO()
    call_command("publish_scheduled", stdout=out)
    return out.getvalue()


def do_set_up_site(*, name: str = "") -> Site:
    """Point the default Wagtail Site at SITE_URL and, given a `name`, name the
    publication (masthead, feeds, e-mails) and the Site after it."""
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"SITE_URL must be an http(s) address, not {settings.SITE_URL!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    with transaction.atomic():
        site = Site.objects.filter(is_default_site=True).select_for_update().first()
        if site is None:
            raise ValueError("No default Site: run `manage.py migrate` first.")
        publication = PublicationSettings.load()
        if name.strip():
            publication.name = name.strip()[:120]
            publication.save(update_fields=["name"])
        site.hostname = parts.hostname
        site.port = port
        site.site_name = publication.name
        site.save(update_fields=["hostname", "port", "site_name"])
    return site
