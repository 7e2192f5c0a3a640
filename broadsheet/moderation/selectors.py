"""Reads of moderation: the queue tabs, a commenter's page, the audit log, the digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from broadsheet.core.ids import parse_id
from broadsheet.discussion.models import Comment
from broadsheet.moderation.commenters import Commenter, active_sanctions, trust_level
from broadsheet.moderation.models import AuditEntry, CommenterNote, Report, Sanction
from broadsheet.moderation.rules.sanctions import SHADOW_REASON

QUEUE_SIZE = 50

# tab: (label, filter)
TABS: dict[str, tuple[str, Q]] = {
    "pending": ("Pending", Q(status=Comment.Status.PENDING)),
    "reported": ("Reported", Q(report_count__gt=0) & ~Q(status=Comment.Status.DELETED)),
    "held": (
        "Held by a rule",
        Q(status=Comment.Status.PENDING)
        & ~Q(moderation_reason="")
        & ~Q(moderation_reason__startswith="reported"),
    ),
    "approved": ("Approved", Q(status=Comment.Status.APPROVED)),
    "rejected": ("Rejected", Q(status=Comment.Status.REJECTED)),
    "spam": ("Spam", Q(status=Comment.Status.SPAM)),
}


def parse_tab(value: str | None) -> str:
    return value if value in TABS else "pending"


def queue_comments(
    *,
    tab: str,
    thread_id: int | None = None,
    author: str = "",
    key_prefix: str = "",
    limit: int = QUEUE_SIZE,
) -> list[Comment]:
    """One tab of the queue, newest first, with thread, author and parent joined: 1 query.
    `key_prefix` keeps threads whose key starts with it (an embedding site's: "site:3:")."""
    rows = (
        Comment.objects.filter(TABS[parse_tab(tab)][1])
        .select_related("thread", "author", "parent")
        .order_by("-created_at", "-pk")
    )
    if thread_id:
        rows = rows.filter(thread_id=thread_id)
    if key_prefix:
        rows = rows.filter(thread__key__startswith=key_prefix)
    if author:
        rows = rows.filter(Q(author__username__icontains=author) | Q(guest_name__icontains=author))
    return list(rows[:limit])


def queue_counts() -> dict[str, int]:
    """Pending and reported totals for the tab labels (2 queries)."""
    return {
        "pending": Comment.objects.filter(TABS["pending"][1]).count(),
        "reported": Comment.objects.filter(TABS["reported"][1]).count(),
    }


def commenter_from_key(key: str) -> Commenter | None:
    """ "u:<user id>" (an account) or "c:<comment id>" (the guest who wrote that comment)
    back to a Commenter; None when malformed or unknown. Guests' pages go through one of
    their comments so that no e-mail address or hash appears in a URL."""
    kind, _, value = key.partition(":")
    pk = parse_id(value)
    if pk is None:
        return None
    if kind == "u":
        return Commenter(user_id=pk)
    if kind == "c":
        comment = Comment.objects.filter(pk=pk).first()
        return Commenter.of_comment(comment) if comment is not None else None
    return None


def page_key(comment: Comment) -> str:
    """The key of the commenter page of `comment`'s author."""
    return f"u:{comment.author_id}" if comment.author_id else f"c:{comment.pk}"


@dataclass
class CommenterPage:
    commenter: Commenter
    name: str
    user: Any
    comments: list[Comment]
    history: dict[str, int]
    trust: str
    sanctions: list[Sanction]
    notes: list[CommenterNote]


def commenter_page(commenter: Commenter, *, limit: int = 50) -> CommenterPage:
    """A commenter's history, trust, sanctions and notes (6 queries)."""
    user = None
    if commenter.user_id is not None:
        user = get_user_model().objects.filter(pk=commenter.user_id).first()
        name = str(user) if user is not None else f"Account {commenter.user_id}"
    comments = list(commenter.comments().select_related("thread").order_by("-created_at")[:limit])
    if commenter.user_id is None:
        name = f"{comments[0].guest_name} (guest)" if comments else "Guest"
    notes = CommenterNote.objects.filter(
        Q(user_id=commenter.user_id) if commenter.user_id else Q(email_hash=commenter.email_hash)
    )
    return CommenterPage(
        commenter=commenter,
        name=name,
        user=user,
        comments=comments,
        history=commenter.history(),
        trust=trust_level(commenter, user=user),
        sanctions=list(active_sanctions(commenter)),
        notes=list(notes.select_related("created_by").order_by("-created_at")),
    )


def audit_entries(
    *, action: str = "", actor_id: int | None = None, limit: int = 200
) -> list[AuditEntry]:
    rows = AuditEntry.objects.select_related("actor", "comment", "thread")
    if action:
        rows = rows.filter(action=action)
    if actor_id:
        rows = rows.filter(actor_id=actor_id)
    return list(rows[:limit])


@dataclass
class Digest:
    pending: list[Comment]
    reports: list[Report]

    @property
    def is_empty(self) -> bool:
        return not self.pending and not self.reports


def digest_since(since: datetime) -> Digest:
    """What moderators should look at: comments held and reports made since `since`."""
    pending = (
        Comment.objects.filter(status=Comment.Status.PENDING, created_at__gte=since)
        .exclude(moderation_reason=SHADOW_REASON)
        .select_related("thread")
        .order_by("created_at")
    )
    reports = (
        Report.objects.filter(created_at__gte=since, resolved_at__isnull=True)
        .select_related("comment__thread")
        .order_by("created_at")
    )
    return Digest(pending=list(pending[:100]), reports=list(reports[:100]))


def moderator_addresses() -> list[str]:
    """Active moderators (the permission, directly or through a group) with an address."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    perm = Q(user_permissions__codename="moderate_comment") | Q(
        groups__permissions__codename="moderate_comment"
    )
    return sorted(set(users.filter(perm | Q(is_superuser=True)).values_list("email", flat=True)))


def reports_for_export(user: Any) -> dict[str, list[dict[str, Any]]]:
    """The reports the account made, for its data download (accounts' GDPR export).
    One query; the reported comment by id and address, not its text (another reader's)."""
    rows = Report.objects.filter(reporter_key=f"u:{user.pk}").order_by("created_at", "pk")
    return {
        "reports": [
            {
                "comment_id": report.comment_id,
                "comment_url": reverse(
                    "discussion:permalink", kwargs={"comment_id": report.comment_id}
                ),
                "reason": report.reason,
                "note": report.note,
                "created_at": report.created_at.isoformat(),
                "resolved_at": report.resolved_at.isoformat() if report.resolved_at else None,
            }
            for report in rows
        ]
    }
