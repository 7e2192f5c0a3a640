"""The way moderation request code gets rows it will act on (404 otherwise)."""

from __future__ import annotations

from django.http import Http404

from broadsheet.discussion.access import access_comment as discussion_access_comment
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.moderation.models import Sanction


def access_reportable_comment(actor: Actor, comment_id: int) -> Comment:
    """A comment this reader can see (and so report)."""
    return discussion_access_comment(actor, comment_id)


def access_moderated_comment(actor: Actor, comment_id: int) -> Comment:
    if not actor.can_moderate:
        raise Http404("No such comment")
    comment = Comment.objects.select_related("thread", "author").filter(pk=comment_id).first()
    if comment is None:
        raise Http404("No such comment")
    return comment


def access_moderated_thread(actor: Actor, thread_id: int) -> Thread:
    thread = Thread.objects.filter(pk=thread_id).first() if actor.can_moderate else None
    if thread is None:
        raise Http404("No such discussion")
    return thread


def access_sanction(actor: Actor, sanction_id: int) -> Sanction:
    sanction = Sanction.objects.filter(pk=sanction_id).first() if actor.can_moderate else None
    if sanction is None:
        raise Http404("No such sanction")
    return sanction
