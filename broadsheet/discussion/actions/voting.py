"""Voting on a comment: up, down or taken back."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from broadsheet.core.errors import ActionError, NotAllowed
from broadsheet.discussion import conf
from broadsheet.discussion.actions._shared import VOTE_VALUES, _after_commit, _check_rate
from broadsheet.discussion.compiled import (
    CompiledQueries,
    CompiledQuery,
    compile_query,
    sentinel_int,
    sentinel_str,
)
from broadsheet.discussion.events import VoteChanged
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, CommentVote


@dataclass(frozen=True)
class VoteResult:
    upvotes: int
    downvotes: int
    score: int
    mine: int


def check_cast_vote(*, comment: Comment, actor: Actor, value: int) -> None:
    if value not in VOTE_VALUES:
        raise ActionError("Choose Upvote or Downvote.", field="value")
    if comment.status != Comment.Status.APPROVED:
        raise ActionError("You can only vote on visible comments.")
    if actor.voter_key is None:
        raise ActionError("Your browser did not keep our cookie; please allow it to vote.")
    if actor.wrote(comment):
        raise NotAllowed("You cannot vote on your own comment.")
    _check_rate(
        "discussion-vote",
        actor.ip_hash,
        conf.vote_rate_limit(),
        "You are voting very fast. Please wait a minute and try again.",
    )


def do_cast_vote(*, comment: Comment, actor: Actor, value: int) -> VoteResult:
    """Set the actor's vote on a comment to +1, -1 or 0 (none): switching and undoing
    included. Locks the voter's vote row and changes the comment's counters with F(),
    so concurrent clicks never lose or double a vote; two first votes of one voter that
    race on the unique constraint are retried."""
    check_cast_vote(comment=comment, actor=actor, value=value)
    voter = actor.voter_key
    assert voter is not None
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _cast_vote(comment, voter, value, actor.ip_hash)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _cast_vote(comment: Comment, voter: str, value: int, ip_hash: str) -> VoteResult:
    # Values, not model instances, and no first(): its ORDER BY and a model per row cost
    # more than the statements themselves here (the ORM is most of a vote's time).
    # Compiled once (compiled.py): building this select cost more than running it.
    existing = list(_vote_queries.get("mine", _my_vote_query).rows([comment.pk, voter]))
    vote_pk, previous = tuple(existing[0]) if existing else (None, 0)
    if value == previous:
        pass
    elif value == 0:
        assert vote_pk is not None
        CommentVote.objects.filter(pk=vote_pk).delete()
    elif vote_pk is None:
        _insert_vote(comment_id=comment.pk, voter=voter, value=value, ip_hash=ip_hash)
    else:
        CommentVote.objects.filter(pk=vote_pk).update(value=value)
    up = int(value == 1) - int(previous == 1)
    down = int(value == -1) - int(previous == -1)
    if up or down:
        upvotes, downvotes, score = _add_votes(comment.pk, up=up, down=down)
    else:
        upvotes, downvotes, score = Comment.objects.values_list(
            "upvotes", "downvotes", "score"
        ).get(pk=comment.pk)
    comment.upvotes, comment.downvotes, comment.score = upvotes, downvotes, score
    if up or down:
        _after_commit(
            VoteChanged(
                thread_id=comment.thread_id,
                thread_key=comment.thread.key,
                comment_id=comment.pk,
                upvotes=upvotes,
                downvotes=downvotes,
                score=score,
            )
        )
    return VoteResult(upvotes=upvotes, downvotes=downvotes, score=score, mine=value)


_vote_queries = CompiledQueries(max_entries=8)


def _my_vote_query() -> CompiledQuery:
    """(pk, value) of one voter's vote on one comment, its row locked (PostgreSQL)."""
    rows = (
        CommentVote.objects.select_for_update()
        .filter(comment_id=sentinel_int(0), voter_key=sentinel_str(1))
        .values_list("pk", "value")
    )
    return compile_query(rows[:1], {sentinel_int(0): 0, sentinel_str(1): 1})


def _insert_vote(*, comment_id: int, voter: str, value: int, ip_hash: str) -> None:
    """The INSERT that CommentVote.objects.create() writes, without building a model
    and its save machinery (no signal listens to votes). A second first vote of the same
    voter still ends on the unique constraint as an IntegrityError (do_cast_vote retries)."""
    meta = CommentVote._meta
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(str(meta.get_field(name).column))  # type: ignore[union-attr]
        for name in ("comment", "voter_key", "value", "ip_hash", "created_at")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s)",
            [
                comment_id,
                voter,
                value,
                ip_hash,
                connection.ops.adapt_datetimefield_value(timezone.now()),
            ],
        )


def _add_votes(comment_id: int, *, up: int, down: int) -> tuple[int, int, int]:
    """Add to a comment's counters and return the new (upvotes, downvotes, score).

    One statement, the F() update the ORM would write with the new totals returned by
    the UPDATE itself (RETURNING: SQLite 3.35+, PostgreSQL), instead of an update and a
    select: this is the hot path of every vote.
    """
    table = connection.ops.quote_name(Comment._meta.db_table)
    pk = connection.ops.quote_name(Comment._meta.pk.column or "id")  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET upvotes = upvotes + %s, downvotes = downvotes + %s, "  # noqa: S608
            f"score = score + %s WHERE {pk} = %s RETURNING upvotes, downvotes, score",
            [up, down, up - down, comment_id],
        )
        upvotes, downvotes, score = cursor.fetchone()
    return int(upvotes), int(downvotes), int(score)
