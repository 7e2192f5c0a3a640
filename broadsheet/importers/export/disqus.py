"""The site's discussions as a Disqus XML export (``export_site --format disqus``).

Written as Disqus's own export is (Admin → Community → Export): one ``<category>``,
then every ``<thread>`` (``<id>`` the thread's key, which is what an embed passes as
``disqus_identifier``; ``<link>`` its absolute address), then every ``<post>`` in id
order, each naming its thread and parent by ``dsq:id``. Disqus's format knows three
states, so the mapping is: approved → a post; spam → ``isSpam``; deleted, rejected and
held (pending) → ``isDeleted`` (kept out of view at the peer, text kept except for
deleted ones). Broadsheet keeps no IP addresses, only keyed hashes, so every post says
``0.0.0.0``; votes are not part of Disqus's export.
"""

from __future__ import annotations

from collections import Counter
from typing import TextIO
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model

from broadsheet.accounts.models import Profile
from broadsheet.discussion.models import Comment, Thread
from broadsheet.importers.export.xml import absolute, cdata, el, escape, quoteattr, utc

HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<disqus xmlns="http://disqus.com" '
    'xmlns:dsq="http://disqus.com/disqus-internals" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://disqus.com/api/schemas/1.0/disqus.xsd '
    'http://disqus.com/api/schemas/1.0/disqus-internals.xsd">\n'
)
NO_ADDRESS = "0.0.0.0"  # noqa: S104  # nosec B104 - a placeholder written to a file, never bound


def forum() -> str:
    host = urlsplit(settings.SITE_URL).hostname or "broadsheet"
    return host.removeprefix("www.").split(".")[0] or "broadsheet"


def _names() -> dict[int, tuple[str, str, str]]:
    """Account id -> (name shown, username, e-mail), for authors of comments."""
    authors = Comment.objects.filter(author__isnull=False).values("author_id").distinct()
    users = get_user_model().objects.filter(pk__in=authors)
    shown = dict(
        Profile.objects.filter(user__in=users)
        .exclude(display_name="")
        .values_list("user_id", "display_name")
    )
    return {
        user.pk: (shown.get(user.pk) or user.get_username(), user.get_username(), user.email)
        for user in users.iterator()
    }


def _author(name: str, email: str, username: str, *, anonymous: bool) -> str:
    return (
        "<author>"
        + el("email", email)
        + el("name", name or "Anonymous")
        + el("isAnonymous", "true" if anonymous else "false")
        + (el("username", username) if username else "")
        + "</author>"
    )


def write_disqus(out: TextIO) -> Counter[str]:
    counts: Counter[str] = Counter()
    shortname = escape(forum())
    out.write(HEAD)
    out.write(
        f'<category dsq:id="1"><forum>{shortname}</forum><title>General</title>'
        "<isDefault>true</isDefault></category>\n"
    )
    for thread in Thread.objects.order_by("pk").iterator(chunk_size=1000):
        out.write(
            f'<thread dsq:id="{thread.pk}">'
            + el("id", thread.key)
            + f'<forum>{shortname}</forum><category dsq:id="1"/>'
            + el("link", absolute(thread.host_url))
            + el("title", thread.title or thread.key)
            + "<message></message>"
            + el("createdAt", utc(thread.created_at))
            + _author("", "", "", anonymous=True)
            + el("ipAddress", NO_ADDRESS)
            + el("isClosed", "true" if thread.is_closed else "false")
            + "<isDeleted>false</isDeleted></thread>\n"
        )
        counts["threads"] += 1
    names = _names()
    for comment in Comment.objects.order_by("pk").iterator(chunk_size=2000):
        status = comment.status
        hidden = status in (Comment.Status.DELETED, Comment.Status.REJECTED, Comment.Status.PENDING)
        if comment.author_id is not None and comment.author_id in names:
            name, username, email = names[comment.author_id]
            author = _author(name, email, username, anonymous=False)
        else:
            author = _author(comment.guest_name, comment.guest_email, "", anonymous=True)
        body = "" if status == Comment.Status.DELETED else comment.body_html
        parent = (
            f"<parent dsq:id={quoteattr(str(comment.parent_id))}/>" if comment.parent_id else ""
        )
        out.write(
            f'<post dsq:id="{comment.pk}"><id/>'
            + el("message", cdata(body), raw=True)
            + el("createdAt", utc(comment.created_at))
            + el("isDeleted", "true" if hidden else "false")
            + el("isSpam", "true" if status == Comment.Status.SPAM else "false")
            + author
            + el("ipAddress", NO_ADDRESS)
            + f'<thread dsq:id="{comment.thread_id}"/>'
            + parent
            + "</post>\n"
        )
        counts["posts"] += 1
    out.write("</disqus>\n")
    return counts
