"""Reads of moderation: the queue tabs, a commenter's page, the audit log, the digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from broadsheet.core.ids import parse_id
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.people import author_joins, author_name, people, public_name
from broadsheet.moderation import reasons
from broadsheet.moderation.commenters import Commenter, active_sanctions, trust_level
from broadsheet.moderation.models import AuditEntry, CommenterNote, Report, Sanction
from broadsheet.moderation.rules.sanctions import SHADOW_REASON

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

QUEUE_SIZE = 50

# tab: (label, translated when the queue shows it; filter)
TABS: dict[str, tuple[StrOrPromise, Q]] = {
    "pending": (gettext_lazy("Pending"), Q(status=Comment.Status.PENDING)),
    "reported": (
        gettext_lazy("Reported"),
        Q(report_count__gt=0) & ~Q(status=Comment.Status.DELETED),
    ),
    "held": (
        gettext_lazy("Held by a rule"),
        Q(status=Comment.Status.PENDING)
        & ~Q(moderation_reason="")
        & ~Q(moderation_reason__startswith="reported"),
    ),
    "approved": (gettext_lazy("Approved"), Q(status=Comment.Status.APPROVED)),
    "rejected": (gettext_lazy("Rejected"), Q(status=Comment.Status.REJECTED)),
    "spam": (gettext_lazy("Spam"), Q(status=Comment.Status.SPAM)),
}


def parse_tab(value: str | None) -> str:
    return value if value in TABS else "pending"


def _cards() -> QuerySet[Comment]:
    """Comments as queue cards show them: thread, author (with what their public name
    needs) and parent joined, open reports prefetched (their reasons and notes)."""
    open_reports = Report.objects.filter(resolved_at__isnull=True).order_by("created_at", "pk")
    return Comment.objects.select_related("thread", "parent", *author_joins()).prefetch_related(
        Prefetch("reports", queryset=open_reports, to_attr="open_reports")
    )


def name_matches(name: str, prefix: str = "") -> Q:
    """Accounts whose username, first or last name or public name (the people's name
    columns, such as a profile's display name) contain `name`; `prefix` is the path to
    the account ("author__")."""
    columns = {"username", "first_name", "last_name"}
    columns.update(f for f in people().row_fields if f.endswith("name"))
    match = Q(pk__in=[])
    for column in sorted(columns):
        match |= Q(**{f"{prefix}{column}__icontains": name})
    return match


def queue_comments(
    *,
    tab: str,
    thread_id: int | None = None,
    author: str = "",
    key_prefix: str = "",
    article: str = "",
    limit: int = QUEUE_SIZE,
) -> list[Comment]:
    """One tab of the queue, newest first, with thread, author and parent joined and open
    reports prefetched: 2 queries. `key_prefix` keeps threads whose key starts with it
    (an embedding site's: "site:3:"); `article` keeps discussions whose title contains
    it; `author` commenters whose name (account or guest) contains it."""
    rows = _cards().filter(TABS[parse_tab(tab)][1]).order_by("-created_at", "-pk")
    if thread_id:
        rows = rows.filter(thread_id=thread_id)
    if key_prefix:
        rows = rows.filter(thread__key__startswith=key_prefix)
    if article:
        rows = rows.filter(thread__title__icontains=article)
    if author:
        rows = rows.filter(name_matches(author, "author__") | Q(guest_name__icontains=author))
    return _named(list(rows[:limit]))


def _named(comments: list[Comment]) -> list[Comment]:
    """Each comment with `display_name`: its author as readers see them, "(guest)" after
    a guest's name."""
    for comment in comments:
        name = author_name(comment)
        guest = comment.author_id is None and comment.guest_name
        comment.display_name = _guest(name) if guest else name  # type: ignore[attr-defined]
    return comments


def _guest(name: str) -> str:
    return _("%(name)s (guest)") % {"name": name}


def queue_cards(ids: list[int]) -> list[Comment]:
    """The given comments as queue cards (after an action, to show them in place), in
    the order given: 2 queries."""
    found = {c.pk: c for c in _cards().filter(pk__in=ids)}
    return _named([found[pk] for pk in ids if pk in found])


def thread_title(thread_id: int | None) -> str:
    """The title (or key) of a discussion, for the queue's "only this discussion" filter."""
    if not thread_id:
        return ""
    thread = Thread.objects.filter(pk=thread_id).only("title", "key").first()
    return str(thread) if thread is not None else ""


def default_reason(comment: Comment, verb: str) -> str:
    """What the audit log records when a moderator acts without typing a reason: the
    decision and what it answered (the open reports, or why a rule held it)."""
    reports = getattr(comment, "open_reports", None)
    if reports is None and comment.report_count:
        reports = list(comment.reports.filter(resolved_at__isnull=True))
    held = comment.status == Comment.Status.PENDING and comment.moderation_reason
    return reasons.default_reason(
        verb,
        report_reasons=[report.reason for report in reports or []],
        report_count=comment.report_count,
        held=comment.moderation_reason if held else "",
    )


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
        name = str(user) if user is not None else _("Account %(id)s") % {"id": commenter.user_id}
    comments = list(commenter.comments().select_related("thread").order_by("-created_at")[:limit])
    if commenter.user_id is None:
        name = _guest(comments[0].guest_name) if comments else _("Guest")
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
    *, action: str = "", actor_id: int | None = None, actor_name: str = "", limit: int = 200
) -> list[AuditEntry]:
    rows = AuditEntry.objects.select_related(
        *author_joins("actor"), "comment", *author_joins("comment__author"), "thread"
    )
    if action:
        rows = rows.filter(action=action)
    if actor_id:
        rows = rows.filter(actor_id=actor_id)
    if actor_name:
        rows = rows.filter(name_matches(actor_name, "actor__"))
    return list(rows[:limit])


@dataclass
class Named:
    """A person or a page as the audit log shows it: a name and where it leads."""

    name: str
    url: str = ""


@dataclass
class AuditRow:
    """One audit entry with names and links instead of keys and hashes."""

    entry: AuditEntry
    actor: Named
    commenter: Named | None
    comment_url: str
    thread: Named | None


def _commenter_of_comment(comment: Comment) -> Named:
    name = author_name(comment)
    if comment.author_id is None and comment.guest_name:
        name = _guest(name)
    return Named(name, reverse("moderation_admin:commenter", args=[page_key(comment)]))


def audit_rows(entries: list[AuditEntry]) -> list[AuditRow]:
    """The audit log's rows, every person named (public names; guests by the name they
    gave, through one of their comments) and linked to their page: 1 query for the
    accounts named by key."""
    user_ids = {parse_id(e.target[2:]) for e in entries if e.target.startswith("u:")}
    users = {
        u.pk: u
        for u in get_user_model()
        .objects.select_related(*people().related)
        .filter(pk__in=[pk for pk in user_ids if pk is not None])
    }
    rows = []
    for entry in entries:
        if entry.actor is not None:
            actor = Named(public_name(entry.actor))
        else:
            by_reader = entry.action == AuditEntry.Action.REPORT
            actor = Named(_("a reader") if by_reader else _("the rules"))
        if entry.actor is not None:
            actor.url = reverse("moderation_admin:commenter", args=[f"u:{entry.actor_id}"])
        commenter: Named | None = None
        target_id = parse_id(entry.target[2:]) if entry.target.startswith("u:") else None
        if target_id is not None:
            user = users.get(target_id)
            name = (
                public_name(user)
                if user is not None
                else _("deleted account %(id)s") % {"id": target_id}
            )
            url = reverse("moderation_admin:commenter", args=[f"u:{target_id}"])
            commenter = Named(name, url)
        elif entry.comment is not None:
            commenter = _commenter_of_comment(entry.comment)
        elif entry.target:
            commenter = Named(_("a guest"))
        comment_url = ""
        if entry.comment_id is not None:
            comment_url = reverse("discussion:permalink", args=[entry.comment_id])
        thread = Named(str(entry.thread), entry.thread.host_url) if entry.thread else None
        rows.append(AuditRow(entry, actor, commenter, comment_url, thread))
    return rows


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
