"""The only way request code gets a thread or comment it will act on (404 otherwise)."""

from __future__ import annotations

from django.http import Http404

from broadsheet.core.text import TextError, clean_text
from broadsheet.discussion.compiled import (
    CompiledQueries,
    CompiledQuery,
    compile_query,
    sentinel_int,
    sentinel_str,
)
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread

PUBLIC_STATUSES = (Comment.Status.APPROVED, Comment.Status.DELETED)

# What the write paths (voting, replying) read of the comment they act on; the other
# columns of the instance are deferred and load on first access, like .only().
ACT_ON_FIELDS = (
    "id",
    "thread_id",
    "parent_id",
    "root_id",
    "author_id",
    "guest_reader_id",
    "status",
    "depth",
    "path",
)


def access_thread(thread_id: int) -> Thread:
    thread = Thread.objects.filter(pk=thread_id).first()
    if thread is None:
        raise Http404("No such discussion")
    return thread


def access_thread_by_key(key: str) -> Thread:
    """The thread of a host's key. Every API request about a discussion starts here, so
    the query is compiled once and the instance built from its row (Model.from_db, as
    the ORM does)."""
    try:
        clean_text(key, single_line=True)
    except TextError:
        # No stored key holds a NUL or another refused character (PostgreSQL would
        # refuse the query itself): no such discussion.
        raise Http404("No such discussion") from None
    query = _compiled.get("thread-by-key", _thread_by_key_query)
    row = next(iter(query.rows([key])), None)
    if row is None:
        raise Http404("No such discussion")
    return Thread.from_db(query.alias, THREAD_FIELDS, tuple(row))


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
    model query with select_related cost four times the values query, and building the
    values query cost more than running it, so it is compiled once (compiled.py)."""
    query = _compiled.get("act-on", _act_on_query)
    row = next(iter(query.rows([comment_id])), None)
    if row is None:
        raise Http404("No such comment")
    comment = Comment.from_db(query.alias, ACT_ON_FIELDS, tuple(row[:-1]))
    comment.thread = Thread.from_db(query.alias, ("id", "key"), (row[1], row[-1]))
    _check_visible(actor, comment)
    return comment


_compiled = CompiledQueries(max_entries=8)


THREAD_FIELDS = tuple(field.attname for field in Thread._meta.concrete_fields)


def _thread_by_key_query() -> CompiledQuery:
    # The key is unique: a slice, not first(), whose ORDER BY would only cost time.
    rows = Thread.objects.filter(key=sentinel_str(0)).values_list(*THREAD_FIELDS)
    return compile_query(rows[:1], {sentinel_str(0): 0})


def _act_on_query() -> CompiledQuery:
    rows = Comment.objects.filter(pk=sentinel_int(0)).values_list(*ACT_ON_FIELDS, "thread__key")
    return compile_query(rows[:1], {sentinel_int(0): 0})
