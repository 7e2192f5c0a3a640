"""Reads of the notifications app."""

from __future__ import annotations

import re
from typing import Any

from allauth.account.models import EmailAddress
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from broadsheet.discussion.formatting import plain_text
from broadsheet.notifications import hot_queries
from broadsheet.notifications.models import MentionPreference, Subscription

# @username, not inside a word or an e-mail address; Django usernames may hold . + - _
MENTION = re.compile(r"(?<![\w.@+-])@([\w.+-]{1,150})")
MAX_MENTIONS = 10


def normalise_email(email: str) -> str:
    return email.strip().lower()


def verified_email(user: Any) -> str | None:
    """The account's verified address (the primary one first), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    address = (
        EmailAddress.objects.filter(user=user, verified=True)
        .order_by("-primary", "id")
        .values_list("email", flat=True)
        .first()
    )
    return normalise_email(address) if address else None


def verified_emails(user: Any) -> list[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return [
        normalise_email(email)
        for email in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    ]


def subscriptions_for_reader(
    *, user: Any = None, email: str | None = None
) -> QuerySet[Subscription]:
    """The live (pending or active) subscriptions of an account (its own rows and those of
    its verified addresses) or of one address (guests, through a signed link)."""
    condition = Q(pk__in=[])
    if user is not None and getattr(user, "is_authenticated", False):
        condition |= Q(user=user) | Q(email__in=verified_emails(user))
    if email:
        condition |= Q(email=normalise_email(email))
    return (
        Subscription.objects.filter(condition)
        .exclude(status=Subscription.Status.CANCELLED)
        .select_related("thread")
        .order_by("-created_at")
    )


def subscriptions_to_thread(
    *, thread: Any, user: Any = None, email: str | None = None
) -> list[Subscription]:
    """This reader's live subscriptions to one discussion (an account's own rows and those
    of its verified addresses, or one confirmed address): one query, none for a reader we
    know nothing about."""
    condition = Q(pk__in=[])
    if user is not None and getattr(user, "is_authenticated", False):
        verified = (
            EmailAddress.objects.filter(user=user, verified=True)
            .annotate(lowered=Lower("email"))
            .values("lowered")
        )
        condition |= Q(user=user) | Q(email__in=verified)
    if email:
        condition |= Q(email=normalise_email(email))
    if condition == Q(pk__in=[]):
        return []
    return list(
        Subscription.objects.filter(condition, thread=thread)
        .exclude(status=Subscription.Status.CANCELLED)
        .order_by("kind", "created_at")
    )


def mentions_enabled(user: Any) -> bool:
    """An account is e-mailed when mentioned unless it switched that off (no row: on)."""
    row = MentionPreference.objects.filter(user=user).values_list("enabled", flat=True).first()
    return True if row is None else bool(row)


def mentioned_usernames(text: str) -> list[str]:
    """Lower-cased usernames mentioned as @name in `text`, each once, at most MAX_MENTIONS."""
    found: list[str] = []
    for match in MENTION.finditer(text):
        name = match.group(1).rstrip(".-+").lower()
        if name and name not in found:
            found.append(name)
        if len(found) >= MAX_MENTIONS:
            break
    return found


def comment_may_concern_someone(*, comment_id: int, thread_id: int) -> bool:
    """False only when the fan-out of this comment would find nobody to write to: its
    discussion has no active subscription (followers and "replies" subscriptions are all
    per discussion) and its text mentions no username. Then no task is worth enqueuing:
    most comments on most sites, and each task is a row written under the database's
    write lock and a worker woken.

    The mentions are found exactly as ``recipients_of`` finds them.
    """
    # Asked after every comment posted: both queries are compiled ones.
    if hot_queries.thread_is_followed(thread_id):
        return True
    body_html = hot_queries.comment_body_html(comment_id)
    return body_html is not None and bool(mentioned_usernames(plain_text(body_html)))


def subscriptions_for_export(user: Any) -> dict[str, list[dict[str, Any]]]:
    """The account's subscriptions for its data download (accounts' GDPR export): its
    own, and those a guest made with one of its addresses. One query."""
    addresses = EmailAddress.objects.filter(user=user).values("email")
    rows = (
        Subscription.objects.filter(Q(user=user) | Q(email__in=addresses))
        .select_related("thread")
        .order_by("created_at", "pk")
    )
    return {
        "subscriptions": [
            {
                "kind": sub.kind,
                "status": sub.status,
                "email": sub.email,
                "thread": (
                    {"title": sub.thread.title, "url": sub.thread.host_url} if sub.thread else None
                ),
                "created_at": sub.created_at.isoformat(),
                "confirmed_at": sub.confirmed_at.isoformat() if sub.confirmed_at else None,
                "cancelled_at": sub.cancelled_at.isoformat() if sub.cancelled_at else None,
            }
            for sub in rows
        ]
    }
