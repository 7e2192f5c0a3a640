"""The only way request code gets a thread or comment it will act on (404 otherwise)."""

from __future__ import annotations

from django.http import Http404

from broadsheet.core.text import is_clean_line
from broadsheet.discussion import comment_writes
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread

PUBLIC_STATUSES = (Comment.Status.APPROVED, Comment.Status.DELETED)
ACT_ON_FIELDS = comment_writes.ACT_ON_FIELDS


def access_thread(thread_id: int) -> Thread:
    thread = Thread.objects.filter(pk=thread_id).first()
    if thread is None:
        raise Http404("No such discussion")
    return thread


def access_thread_by_key(key: str) -> Thread:
    """The thread of a host's key. Every API request about a discussion starts here, so
    its query is a compiled one (comment_writes.thread_by_key)."""
    thread = comment_writes.thread_by_key(key) if is_clean_line(key) else None
    if thread is None:
        raise Http404("No such discussion")
    return thread


def _check_visible(actor: Actor, comment: Comment) -> None:
    if comment.status not in PUBLIC_STATUSES and not (actor.can_moderate or actor.wrote(comment)):
        raise Http404("No such comment")


def access_comment(actor: Actor, comment_id: int) -> Comment:
    """A comment the actor may see: approved or deleted ones (a placeholder) for everyone;
    held ones (pending, spam, rejected) only for moderators and their author."""
    comment = Comment.objects.select_related("thread", "author").filter(pk=comment_id).first()
    if comment is None:
        raise Http404("No such comment")
    _check_visible(actor, comment)
    return comment


def access_comment_to_act_on(actor: Actor, comment_id: int) -> Comment:
    """The comment a vote or a reply acts on, under the same rule as ``access_comment``
    (404 for what the actor may not see), in one lean query: only ACT_ON_FIELDS and the
    thread's key are read (other columns load on access). On the hot write paths the
    model query with select_related cost several times the values query, and building
    the values query cost more than running it, so it is compiled (comment_writes)."""
    comment = comment_writes.comment_to_act_on(comment_id)
    if comment is None:
        raise Http404("No such comment")
    _check_visible(actor, comment)
    return comment
