"""Registering, closing and reopening a discussion."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from broadsheet.core.errors import ActionError, NotAllowed
from broadsheet.discussion.actions._shared import _after_commit
from broadsheet.discussion.comment_writes import insert_thread, thread_by_key
from broadsheet.discussion.events import ThreadClosed, ThreadReopened
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Thread
from broadsheet.discussion.oversight import Change, moderation


def check_register_thread(*, key: str, title: str, url: str) -> None:
    if not key or not key.strip():
        raise ActionError(_("A thread needs a key."), field="key")
    if len(key) > Thread._meta.get_field("key").max_length:  # type: ignore[operator]
        raise ActionError(_("The thread key is too long."), field="key")
    if len(url) > Thread._meta.get_field("url").max_length:  # type: ignore[operator]
        raise ActionError(_("The thread URL is too long."), field="url")
    # Links and redirects lead there: a local path or a web address, nothing else.
    local = url.startswith("/") and not url.startswith("//")
    if url and not local and not url.startswith(("https://", "http://")):
        raise ActionError(_("The thread URL must be a path or an http(s) address."), field="url")


def do_register_thread(*, key: str, title: str, url: str) -> Thread:
    """The thread with `key`, created on first use; title and URL follow the host's.

    The common case (the thread exists and nothing changed) is one SELECT and no
    transaction: hosts call this on every page view. A race between two first views
    ends on the unique key, and the loser reads the winner's row. The read is the
    compiled one and the INSERT a prepared statement (comment_writes): an import
    registers thousands of threads, and the ORM's building of both cost more than the
    database's work.
    """
    check_register_thread(key=key, title=title, url=url)
    title = title[: Thread._meta.get_field("title").max_length]  # type: ignore[misc]
    thread = thread_by_key(key)
    if thread is None:
        thread = Thread(key=key, title=title, url=url)
        try:
            with transaction.atomic():
                insert_thread(thread)
                return thread
        except IntegrityError:
            thread = Thread.objects.get(key=key)
    if (thread.title, thread.url) != (title, url):
        Thread.objects.filter(pk=thread.pk).update(title=title, url=url)
        thread.title, thread.url = title, url
    return thread


def check_moderate_thread(*, thread: Thread, actor: Actor) -> None:
    """Closing and reopening are for moderators (and the system actor's auto-close)."""
    if not actor.can_moderate:
        raise NotAllowed(_("Only moderators can open or close a discussion."))


def _set_closed(*, thread: Thread, actor: Actor, closed: bool, reason: str) -> Thread:
    """The one write of a thread's closed state. Changes nothing (no audit row, no event)
    when the thread is already in that state."""
    check_moderate_thread(thread=thread, actor=actor)
    with transaction.atomic():
        changed = Thread.objects.filter(pk=thread.pk, is_closed=not closed).update(is_closed=closed)
        thread.is_closed = closed
        if changed:
            moderation().record(
                Change(
                    action="close" if closed else "reopen",
                    actor=actor,
                    thread_id=thread.pk,
                    reason=reason,
                )
            )
            event = ThreadClosed if closed else ThreadReopened
            _after_commit(event(thread_id=thread.pk, thread_key=thread.key, reason=reason))
    return thread


def do_close_thread(*, thread: Thread, actor: Actor, reason: str = "") -> Thread:
    """Stop new comments (votes, edits and deletions still work). Called by moderators on
    the discussion page, by the moderation queue, and by auto-close with the system actor.
    Audited; publishes ThreadClosed after commit."""
    return _set_closed(thread=thread, actor=actor, closed=True, reason=reason)


def do_reopen_thread(*, thread: Thread, actor: Actor, reason: str = "") -> Thread:
    """Take new comments again. Audited; publishes ThreadReopened after commit. (A thread
    past the moderation's closing age stays closed to posting: oversight.is_closed.)"""
    return _set_closed(thread=thread, actor=actor, closed=False, reason=reason)
