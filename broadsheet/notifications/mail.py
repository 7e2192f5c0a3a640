"""The e-mails: a confirmation request and a digest of new comments. Each has a plain-text
and an HTML part; digests carry RFC 8058 one-click unsubscribe headers. Excerpts are the
comments' sanitised text; no reader's address ever appears except the recipient's own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from broadsheet.core.languages import publication_language
from broadsheet.discussion.formatting import plain_text
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.people import author_name
from broadsheet.notifications import conf
from broadsheet.notifications.models import PendingItem, Subscription
from broadsheet.notifications.tokens import confirm_token, manage_token, unsubscribe_token

EXCERPT_LENGTH = 300


def absolute(path: str) -> str:
    """A URL readers can open from their mailbox (SITE_URL + path)."""
    if path.startswith(("https://", "http://")):
        return path
    return f"{settings.SITE_URL}{path}"


@dataclass(frozen=True)
class MailItem:
    author: str
    excerpt: str
    url: str
    reason: str
    thread_title: str


def _item(item: PendingItem) -> MailItem:
    comment = item.comment
    return MailItem(
        author=author_name(comment),
        excerpt=Truncator(plain_text(comment.body_html)).chars(EXCERPT_LENGTH),
        url=absolute(reverse("discussion:permalink", args=[comment.pk])),
        reason=item.reason,
        thread_title=_title(comment.thread),
    )


def _title(thread: Thread) -> str:
    return thread.title or thread.key


def unsubscribe_url(sub: Subscription) -> str:
    token = unsubscribe_token(sub.pk, sub.email)
    return absolute(reverse("notifications:unsubscribe", args=[token]))


def manage_url(email: str) -> str:
    return absolute(reverse("notifications:mine-token", args=[manage_token(email)]))


def _subject(sub: Subscription, items: Sequence[MailItem]) -> str:
    first = items[0]
    if len(items) == 1:
        names = {"name": first.author, "title": first.thread_title}
        if first.reason == PendingItem.Reason.REPLY:
            return _("%(name)s replied to your comment on “%(title)s”") % names
        if first.reason == PendingItem.Reason.MENTION:
            return _("%(name)s mentioned you on “%(title)s”") % names
        return _("New comment on “%(title)s”") % names
    count = len(items)
    if sub.thread is not None:
        return ngettext(
            "%(count)d new comment on “%(title)s”", "%(count)d new comments on “%(title)s”", count
        ) % {"count": count, "title": _title(sub.thread)}
    return ngettext(
        "%(count)d new comment mentions you", "%(count)d new comments mention you", count
    ) % {"count": count}


def _why(sub: Subscription) -> str:
    if sub.kind == Subscription.Kind.MENTIONS:
        return _("you allow e-mails when someone mentions your username")
    title = _title(sub.thread) if sub.thread else ""
    if sub.kind == Subscription.Kind.REPLIES:
        return _("you asked to hear of replies to your comments on “%(title)s”") % {"title": title}
    return _("you subscribed to new comments on “%(title)s”") % {"title": title}


def digest_message(sub: Subscription, items: Sequence[PendingItem]) -> EmailMultiAlternatives:
    # Sent by a task, with no reader's request: in the publication's language.
    with translation.override(publication_language()):
        return _digest_message(sub, items)


def _digest_message(sub: Subscription, items: Sequence[PendingItem]) -> EmailMultiAlternatives:
    mail_items = [_item(item) for item in items]
    unsubscribe = unsubscribe_url(sub)
    mailto = f"mailto:{conf.unsubscribe_mailto()}?subject=unsubscribe"
    context = {
        "items": mail_items,
        "count": len(mail_items),
        "thread_url": absolute(sub.thread.host_url) if sub.thread else "",
        "thread_title": _title(sub.thread) if sub.thread else "",
        "why": _why(sub),
        "unsubscribe_url": unsubscribe,
        "manage_url": manage_url(sub.email),
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=_subject(sub, mail_items),
        body=render_to_string("notifications/mail/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[sub.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>, <{mailto}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string("notifications/mail/digest.html", context), "text/html"
    )
    return message


@dataclass(frozen=True)
class AskedFor:
    """One subscription waiting for its address to be confirmed, as the mail names it."""

    kind: str  # "new follow-up comments" / "new replies to my comments"
    title: str
    url: str


def _asked_for(email: str) -> list[AskedFor]:
    pending = (
        Subscription.objects.filter(email=email, status=Subscription.Status.PENDING)
        .select_related("thread")
        .order_by("created_at", "pk")
    )
    return [
        AskedFor(
            kind=sub.get_kind_display().lower(),
            title=_title(sub.thread),
            url=absolute(f"{sub.thread.host_url}#discussion"),
        )
        for sub in pending
        if sub.thread is not None
    ]


def confirmation_message(email: str) -> EmailMultiAlternatives:
    with translation.override(publication_language()):
        return _confirmation_message(email)


def _confirmation_message(email: str) -> EmailMultiAlternatives:
    """The double opt-in mail: it names every discussion the address is waiting to
    follow, so the reader knows what they are confirming."""
    asked = _asked_for(email)
    context = {
        "confirm_url": absolute(reverse("notifications:confirm", args=[confirm_token(email)])),
        "manage_url": manage_url(email),
        "site_url": settings.SITE_URL,
        "asked": asked,
    }
    subject = _("Please confirm your e-mail notifications")
    if len(asked) == 1:
        subject = _("Please confirm: e-mails about “%(title)s”") % {"title": asked[0].title}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("notifications/mail/confirm.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(
        render_to_string("notifications/mail/confirm.html", context), "text/html"
    )
    return message


NOTICE_SUBJECTS = {
    "rejected": gettext_lazy("Your comment on “%(title)s” was not published"),
    "banned": gettext_lazy("You can no longer comment on %(site)s"),
    "suspended": gettext_lazy("You cannot comment on %(site)s for now"),
}


def commenter_notice_message(
    *, comment_id: int, kind: str, reason: str, until: str = ""
) -> EmailMultiAlternatives | None:
    """The e-mail telling a comment's author a moderator's decision: the comment rejected
    (with the reason), or its author banned or suspended (with the reason and the end).
    To the account's address, or the one the guest gave; None when there is none. In the
    publication's language, as the other mails."""
    with translation.override(publication_language()):
        return _commenter_notice_message(
            comment_id=comment_id, kind=kind, reason=reason, until=until
        )


def _commenter_notice_message(
    *, comment_id: int, kind: str, reason: str, until: str
) -> EmailMultiAlternatives | None:
    comment = Comment.objects.select_related("thread", "author").filter(pk=comment_id).first()
    if comment is None or kind not in NOTICE_SUBJECTS:
        return None
    address = comment.author.email if comment.author is not None else comment.guest_email
    if not address:
        return None
    context = {
        "kind": kind,
        "reason": reason,
        "until": parse_datetime(until) if until else None,
        "name": author_name(comment),
        "thread_title": _title(comment.thread),
        "thread_url": absolute(comment.thread.host_url),
        "excerpt": Truncator(plain_text(comment.body_html)).chars(EXCERPT_LENGTH),
        "site_url": settings.SITE_URL,
    }
    subject = str(NOTICE_SUBJECTS[kind]) % {
        "title": context["thread_title"],
        "site": settings.SITE_URL.split("//")[-1],
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("notifications/mail/commenter_notice.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(
        render_to_string("notifications/mail/commenter_notice.html", context), "text/html"
    )
    return message
