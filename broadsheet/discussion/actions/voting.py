"""Voting on a comment: up, down or taken back."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from broadsheet.core.errors import ActionError, NotAllowed
from broadsheet.discussion import conf
from broadsheet.discussion.actions._shared import VOTE_VALUES, _after_commit, _check_rate
from broadsheet.discussion.comment_writes import add_votes, insert_vote, locked_vote
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
    # Compiled reads and plain statements (comment_writes): building these with the ORM
    # cost more than running them, and they are most of a vote's time.
    vote_pk, previous = locked_vote(comment.pk, voter)
    if value == previous:
        pass
    elif value == 0:
        assert vote_pk is not None
        CommentVote.objects.filter(pk=vote_pk).delete()
    elif vote_pk is None:
        insert_vote(
            comment_id=comment.pk, voter_key=voter, value=value, ip_hash=ip_hash, now=timezone.now()
        )
    else:
        CommentVote.objects.filter(pk=vote_pk).update(value=value)
    up = int(value == 1) - int(previous == 1)
    down = int(value == -1) - int(previous == -1)
    if up or down:
        upvotes, downvotes, score = add_votes(comment.pk, up=up, down=down)
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
