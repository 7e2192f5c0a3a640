"""Who wrote a comment, as moderation sees it: an account, or a guest known by the keyed
hash of their e-mail address (never the address itself) and of their IP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Upper
from django.utils import timezone

from broadsheet.core.hashing import Purpose, keyed_hash
from broadsheet.discussion.models import Comment
from broadsheet.moderation import conf, hot_queries
from broadsheet.moderation.models import Sanction

TRUSTED_GROUP = "Trusted commenters"


def email_hash(email: str) -> str:
    """A keyed hash of a normalised e-mail address (empty for no address)."""
    email = email.strip().lower()
    if not email:
        return ""
    return keyed_hash(Purpose.EMAIL, email)


@dataclass(frozen=True)
class Commenter:
    """An account (``user_id``) or a guest (``email_hash``), with the IP hash of the
    comment or request at hand (sanctions may target the IP too)."""

    user_id: int | None = None
    email_hash: str = ""
    ip_hash: str = ""
    # The guest's e-mail as typed, to find their earlier comments (never shown).
    email: str = ""

    @classmethod
    def of_comment(cls, comment: Comment) -> Commenter:
        if comment.author_id is not None:
            return cls(user_id=comment.author_id, ip_hash=comment.ip_hash)
        return cls(
            email_hash=email_hash(comment.guest_email),
            ip_hash=comment.ip_hash,
            email=comment.guest_email.strip().lower(),
        )

    @property
    def key(self) -> str:
        """ "u:<id>" or "g:<e-mail hash>": the commenter's page in the queue."""
        return f"u:{self.user_id}" if self.user_id is not None else f"g:{self.email_hash}"

    def comments(self) -> QuerySet[Comment]:
        if self.user_id is not None:
            return Comment.objects.filter(author_id=self.user_id)
        if self.email:
            # guest_email__iexact spelt as PostgreSQL spells it, UPPER() = UPPER(), on
            # both databases, so the discussion_guest_email index answers it (SQLite's
            # LIKE cannot use an index; its UPPER folds ASCII only, as its LIKE does).
            return Comment.objects.alias(email_upper=Upper("guest_email")).filter(
                author__isnull=True, email_upper=Upper(Value(self.email))
            )
        return Comment.objects.none()

    def history(self) -> dict[str, int]:
        """{status: number of comments}, one query (a compiled one: every comment posted
        asks it)."""
        if self.user_id is None and not self.email:
            return {}
        return hot_queries.status_counts(user_id=self.user_id, email=self.email)

    def sanction_filter(self) -> Q:
        target = Q(pk__in=[])
        if self.user_id is not None:
            target |= Q(user_id=self.user_id)
        if self.email_hash:
            target |= Q(email_hash=self.email_hash)
        if self.ip_hash:
            target |= Q(ip_hash=self.ip_hash)
        return target


def active_sanctions(commenter: Commenter, *, now: datetime | None = None) -> QuerySet[Sanction]:
    now = now or timezone.now()
    return Sanction.objects.filter(commenter.sanction_filter()).filter(
        Q(lifted_at__isnull=True), Q(until__isnull=True) | Q(until__gt=now)
    )


class SanctionTerm(NamedTuple):
    kind: str
    until: datetime | None


def active_sanction_terms(commenter: Commenter, *, now: datetime) -> list[SanctionTerm]:
    """What ``active_sanctions`` finds, as (kind, until): the posting path asks it for
    every comment, so its query is a compiled one."""
    if commenter.user_id is None and not commenter.email_hash and not commenter.ip_hash:
        return []
    terms = hot_queries.sanction_terms(
        user_id=commenter.user_id,
        email_hash=commenter.email_hash,
        ip_hash=commenter.ip_hash,
        now=now,
    )
    return [SanctionTerm(kind, until) for kind, until in terms]


def in_trusted_group(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.groups.filter(name=TRUSTED_GROUP).exists())


def trusted_by_history(history: dict[str, int]) -> bool:
    refused = history.get(Comment.Status.REJECTED, 0) + history.get(Comment.Status.SPAM, 0)
    return refused == 0 and history.get(Comment.Status.APPROVED, 0) >= conf.trust_after()


def trust_level(commenter: Commenter, *, user: Any = None) -> str:
    """ "trusted", "new" (no approved comment yet) or "regular"."""
    history = commenter.history()
    if in_trusted_group(user) or trusted_by_history(history):
        return "trusted"
    return "new" if not history.get(Comment.Status.APPROVED) else "regular"
