"""Registering, closing and reopening a discussion."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from broadsheet.core.errors import ActionError, NotAllowed
from broadsheet.discussion.actions._shared import _after_commit
from broadsheet.discussion.events import ThreadClosed, ThreadReopened
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Thread


def check_register_thread(*, key: str, title: str, url: str) -> None:
    if not key or not key.strip():
        raise ActionError("A thread needs a key.", field="key")
    if len(key) > Thread._meta.get_field("key").max_length:  # type: ignore[operator]
        raise ActionError("The thread key is too long.", field="key")
    if len(url) > Thread._meta.get_field("url").max_length:  # type: ignore[operator]
        raise ActionError("The thread URL is too long.", field="url")
    # Links and redirects lead there: a local path or a web address, nothing else.
    local = url.startswith("/") and not url.startswith("//")
    if url and not local and not url.startswith(("https://", "http://")):
        raise ActionError("The thread URL must be a path or an http(s) address.", field="url")


def do_register_thread(*, key: str, title: str, url: str) -> Thread:
    """The thread with `key`, created on first use; title and URL follow the host's.

    The common case (the thread exists and nothing changed) is one SELECT and no
    transaction: hosts call this on every page view. A race between two first views
    ends on the unique key, and the loser reads the winner's row.
    """
    check_register_thread(key=key, title=title, url=url)
    title = title[: Thread._meta.get_field("title").max_length]  # type: ignore[misc]
    thread = Thread.objects.filter(key=key).first()
    if thread is None:
        try:
            with transaction.atomic():
                return Thread.objects.create(key=key, title=title, url=url)
        except IntegrityError:
            thread = Thread.objects.get(key=key)
    if (thread.title, thread.url) != (title, url):
        Thread.objects.filter(pk=thread.pk).update(title=title, url=url)
        thread.title, thread.url = title, url
    return thread


def check_moderate_thread(*, thread: Thread, actor: Actor) -> None:
    if not actor.can_moderate:
        raise NotAllowed("Only moderators can open or close a discussion.")


def do_close_thread(*, thread: Thread, actor: Actor) -> Thread:
    """Stop new comments (votes, edits and deletions still work)."""
    check_moderate_thread(thread=thread, actor=actor)
    with transaction.atomic():
        Thread.objects.filter(pk=thread.pk).update(is_closed=True)
        thread.is_closed = True
        _after_commit(ThreadClosed(thread_id=thread.pk, thread_key=thread.key))
    return thread


def do_reopen_thread(*, thread: Thread, actor: Actor) -> Thread:
    check_moderate_thread(thread=thread, actor=actor)
    with transaction.atomic():
        Thread.objects.filter(pk=thread.pk).update(is_closed=False)
        thread.is_closed = False
        _after_commit(ThreadReopened(thread_id=thread.pk, thread_key=thread.key))
    return thread
