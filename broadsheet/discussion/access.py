"""The only way request code gets a thread or comment it will act on (404 otherwise)."""

from __future__ import annotations

from django.http import Http404

from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread

PUBLIC_STATUSES = (Comment.Status.APPROVED, Comment.Status.DELETED)


def access_thread(thread_id: int) -> Thread:
    thread = Thread.objects.filter(pk=thread_id).first()
    if thread is None:
        raise Http404("No such discussion")
    return thread


def access_thread_by_key(key: str) -> Thread:
    thread = Thread.objects.filter(key=key).first()
    if thread is None:
        raise Http404("No such discussion")
    return thread


def access_comment(actor: Actor, comment_id: int) -> Comment:
    """A comment the actor may see: approved or deleted ones (a placeholder) for everyone;
    held ones (pending, spam, rejected) only for moderators and their author."""
    comment = Comment.objects.select_related("thread", "author").filter(pk=comment_id).first()
    if comment is None:
        raise Http404("No such comment")
    if comment.status not in PUBLIC_STATUSES and not (actor.can_moderate or actor.wrote(comment)):
        raise Http404("No such comment")
    return comment
