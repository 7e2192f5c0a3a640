"""Voting on a comment: up, down or taken back, through the one vote engine (votes.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from broadsheet.core.errors import ActionError, NotAllowed
from broadsheet.discussion import conf, votes
from broadsheet.discussion.actions._shared import _after_commit, _check_rate
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
    votes.check_vote_value(value)
    if comment.status != Comment.Status.APPROVED:
        raise ActionError(_("You can only vote on visible comments."))
    if actor.voter_key is None:
        raise ActionError(_("Your browser did not keep our cookie; please allow it to vote."))
    if actor.wrote(comment):
        raise NotAllowed(_("You cannot vote on your own comment."))
    _check_rate("discussion-vote", actor.ip_hash, conf.vote_rate_limit(), votes.TOO_FAST_MESSAGE)


@dataclass(slots=True)
class _CommentVotes:
    """A voter's vote on a comment and the comment's counters: compiled reads and plain
    statements (comment_writes), as building these with the ORM cost more than running
    them, and they are most of a vote's time."""

    comment_id: int
    voter_key: str
    ip_hash: str

    def locked_vote(self) -> tuple[object | None, int]:
        return locked_vote(self.comment_id, self.voter_key)

    def insert(self, value: int) -> None:
        insert_vote(
            comment_id=self.comment_id,
            voter_key=self.voter_key,
            value=value,
            ip_hash=self.ip_hash,
            now=timezone.now(),
        )

    def update(self, handle: object, value: int) -> None:
        assert isinstance(handle, int)  # the vote's id (locked_vote)
        CommentVote.objects.filter(pk=handle).update(value=value)

    def delete(self, handle: object) -> None:
        assert isinstance(handle, int)
        CommentVote.objects.filter(pk=handle).delete()

    def add(self, up: int, down: int) -> tuple[int, ...]:
        return add_votes(self.comment_id, up=up, down=down)

    def totals(self) -> tuple[int, ...]:
        return tuple(
            Comment.objects.values_list("upvotes", "downvotes", "score").get(pk=self.comment_id)
        )


def do_cast_vote(*, comment: Comment, actor: Actor, value: int) -> VoteResult:
    """Set the actor's vote on a comment to +1, -1 or 0 (none): switching and undoing
    included (votes.cast: the voter's row locked, counters changed in one statement, a
    race of two first votes retried). VoteChanged is published in the vote's transaction
    (its recorders write with it; its listeners hear it after the commit)."""
    check_cast_vote(comment=comment, actor=actor, value=value)
    assert actor.voter_key is not None
    thread_key = comment.thread.key

    def changed(done: votes.Cast) -> None:
        upvotes, downvotes, score = done.totals
        _after_commit(
            VoteChanged(
                thread_id=comment.thread_id,
                thread_key=thread_key,
                comment_id=comment.pk,
                upvotes=upvotes,
                downvotes=downvotes,
                score=score,
            )
        )

    store = _CommentVotes(comment.pk, actor.voter_key, actor.ip_hash)
    done = votes.cast(store, value, on_change=changed)
    upvotes, downvotes, score = done.totals
    comment.upvotes, comment.downvotes, comment.score = upvotes, downvotes, score
    return VoteResult(upvotes=upvotes, downvotes=downvotes, score=score, mine=done.value)
