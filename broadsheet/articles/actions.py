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
from django.utils.translation import gettext as _
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
from broadsheet.discussion import votes
from broadsheet.realtime.publishing import publish_reactions


@dataclass(frozen=True)
class ReactionResult:
    up: int
    down: int
    mine: int

    @property
    def points(self) -> int:
        return self.up - self.down


def check_cast_reaction(*, article: ArticlePage, value: int, ip_hash: str) -> None:
    votes.check_vote_value(value)
    if not article.live:
        raise ActionError(_("This article is not published."))
    limit, window = settings.BROADSHEET_REACTION_RATE_LIMIT
    enforce("reaction", ip_hash, limit=limit, window=window, message=votes.TOO_FAST_MESSAGE)


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


@dataclass(slots=True)
class _ReactionVotes:
    """One voter's reaction to an article, and the article's tally (ORM: reactions are
    rare next to page views)."""

    article: ArticlePage
    voter_key: str
    ip_hash: str

    def locked_vote(self) -> tuple[object | None, int]:
        existing = (
            ArticleReaction.objects.select_for_update()
            .filter(article=self.article, voter_key=self.voter_key)
            .first()
        )
        return existing, existing.value if existing else 0

    def insert(self, value: int) -> None:
        ArticleReaction.objects.create(
            article=self.article, voter_key=self.voter_key, value=value, ip_hash=self.ip_hash
        )

    def update(self, handle: object, value: int) -> None:
        assert isinstance(handle, ArticleReaction)
        handle.value = value
        handle.save(update_fields=["value"])

    def delete(self, handle: object) -> None:
        assert isinstance(handle, ArticleReaction)
        handle.delete()

    def add(self, up: int, down: int) -> tuple[int, ...]:
        _apply_tally(self.article.pk, up, down)
        return self.totals()

    def totals(self) -> tuple[int, ...]:
        tally = (
            ArticleReactionTally.objects.filter(article_id=self.article.pk)
            .values_list("up", "down")
            .first()
        )
        return tally or (0, 0)


def do_cast_reaction(
    *, article: ArticlePage, voter_key: str, value: int, ip_hash: str = "", toggle: bool = False
) -> ReactionResult:
    """Set one voter's reaction to +1, -1 or 0 (none); with `toggle`, repeating removes it.
    The discussion's vote engine does the rest (votes.cast: the voter's row locked, the
    tally changed with F(), a race of two first votes retried)."""
    check_cast_reaction(article=article, value=value, ip_hash=ip_hash)
    done = votes.cast(_ReactionVotes(article, voter_key, ip_hash), value, toggle=toggle)
    up, down = done.totals
    if done.changed:
        transaction.on_commit(lambda: bump(f"article:{article.pk}"))
        publish_reactions(thread_key=article.thread_key, up=up, down=down)
    return ReactionResult(up=up, down=down, mine=done.value)


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
