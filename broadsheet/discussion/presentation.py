"""What one reader sees of a page of comments: names, avatars, their own votes, which
buttons they get, and the nesting of replies.

Built per request from a selector's rows, with no query of its own except one for this
reader's votes on the page (and, on a per-root page, one for names of parents shown on
an earlier page). Nothing here is cached across readers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.utils.safestring import SafeString

from broadsheet.core.urls import reverse_kept
from broadsheet.discussion import conf, oversight
from broadsheet.discussion.actions import can_delete, can_edit
from broadsheet.discussion.anchors import AnchorView, anchor_view
from broadsheet.discussion.avatars import DIGEST_LENGTH, comment_identity, identity_digest
from broadsheet.discussion.badges import LABELS, Badges
from broadsheet.discussion.formatting import text_length
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment
from broadsheet.discussion.people import People, author_name, people
from broadsheet.discussion.selectors import UNPUBLISHED, Displayed, votes_by_voter

_LI = "<li>"
_OPEN = '<ol class="comment-replies">'
_CLOSE = "</ol></li>"
# SafeString() itself where a literal or our own markup is marked safe per comment:
# mark_safe's lazy-aware wrapper costs more than the rest of the step.
_NOTHING = SafeString("")


@dataclass(slots=True)
class CommentView:
    """One comment as this reader sees it."""

    id: int
    thread_id: int
    parent_id: int | None
    root_id: int
    depth: int
    level: int
    is_deleted: bool
    name: str
    is_guest: bool
    is_staff: bool
    website: str
    avatar: str
    created_at: datetime
    edited_at: datetime | None
    body_html: SafeString
    folded: bool
    upvotes: int
    downvotes: int
    score: int
    reply_count: int
    mine: int = 0
    can_edit: bool = False
    can_delete: bool = False
    can_vote: bool = False
    parent_name: str = ""
    highlighted: bool = False
    before: SafeString = _NOTHING
    passage: AnchorView | None = None  # the passage it is about (inline feedback)
    is_featured: bool = False  # an editor's pick (moderation)
    awaiting_moderation: bool = False  # held: only its author sees it, with this marker
    # Not published, shown to a moderator in its place with why: held ("pending", with
    # Approve / Reject), or "rejected" / "spam" (with Restore). Never shown to readers.
    review: bool = False
    review_status: str = ""
    review_reason: str = ""
    can_pick: bool = False  # a moderator may feature / unfeature it here, saying why
    badge: str = ""  # "author", "moderator", "staff", "guest" or "" (discussion.badges)

    @property
    def badge_label(self) -> str:
        return str(LABELS.get(self.badge, ""))

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

    @property
    def anchor(self) -> str:
        return f"comment-{self.id}"


@lru_cache(maxsize=4096)
def _digest(identity: str, hashing_key: str) -> str:
    """identity_digest, memoised: the same authors fill page after page. Keyed by the
    hashing key too, which the digest depends on."""
    return identity_digest(identity)


_DIGEST_PLACEHOLDER = "0" * DIGEST_LENGTH


@dataclass(frozen=True, slots=True)
class PageSettings:
    """What every comment of a page needs and is the same for all of them, worked out once
    per page instead of once per comment (a reverse() and two settings reads each)."""

    avatar_prefix: str
    avatar_suffix: str
    max_depth: int
    fold_length: int
    people: People
    hashing_key: str  # what avatar digests are keyed by: a settings read per page, not per comment

    @classmethod
    def current(cls) -> PageSettings:
        # The URL with a placeholder digest, split once per page around it.
        url = reverse_kept("discussion:avatar", digest=_DIGEST_PLACEHOLDER)
        prefix, _, suffix = url.rpartition(_DIGEST_PLACEHOLDER)
        return cls(
            prefix,
            suffix,
            conf.max_depth(),
            conf.fold_length(),
            people(),
            settings.BROADSHEET_HASHING_KEY,
        )

    def avatar_url(self, identity: str) -> str:
        digest = _digest(identity, self.hashing_key)
        return f"{self.avatar_prefix}{digest}{self.avatar_suffix}"


def view_of(
    comment: Displayed,
    *,
    actor: Actor,
    mine: int = 0,
    highlighted_id: int | None = None,
    accepting: bool = True,
    page: PageSettings | None = None,
    badges: Badges | None = None,
    markup: bool = True,
) -> CommentView:
    """One comment as `actor` sees it. Without `markup` (an answer that shows no markup,
    the JSON listing) the fold and the badge are not worked out: `folded` is False and
    `badge` is "" whatever the comment."""
    page = page or PageSettings.current()
    if markup and badges is None:
        badges = Badges()
    deleted = comment.status == Comment.Status.DELETED
    identity = comment_identity(
        author_id=comment.author_id, guest_name=comment.guest_name, guest_email=comment.guest_email
    )
    body = comment.body_html
    author = comment.author if comment.author_id is not None else None
    held = comment.status == Comment.Status.PENDING
    review = comment.status in UNPUBLISHED and actor.can_moderate
    return CommentView(
        id=comment.pk,
        thread_id=comment.thread_id,
        parent_id=comment.parent_id,
        root_id=comment.root_id or comment.pk,
        depth=comment.depth,
        level=0 if comment.parent_id is None else max(1, min(comment.depth, page.max_depth)),
        is_deleted=deleted,
        name=author_name(comment),
        is_guest=comment.author_id is None,
        is_staff=bool(author is not None and author.is_staff),
        website=comment.guest_website if comment.author_id is None and not deleted else "",
        avatar=(page.people.avatar_url(author) if author is not None else None)
        or page.avatar_url(identity),
        created_at=comment.created_at,
        edited_at=comment.edited_at,
        body_html=SafeString(body),
        # The text is never longer than its markup (tags dropped, entities shortened):
        # a short body folds without being parsed.
        folded=markup
        and not deleted
        and len(body) > page.fold_length
        and text_length(body) > page.fold_length,
        upvotes=comment.upvotes,
        downvotes=comment.downvotes,
        score=comment.score,
        reply_count=comment.reply_count,
        mine=mine,
        # actions' checks read only fields that a CommentRow has, by the same names.
        can_edit=not deleted and can_edit(comment, actor),  # type: ignore[arg-type]
        can_delete=not deleted and can_delete(comment, actor),  # type: ignore[arg-type]
        can_vote=not deleted and not actor.wrote(comment),
        highlighted=comment.pk == highlighted_id,
        passage=None if deleted else anchor_view(comment),
        is_featured=comment.is_featured and not deleted,
        # Shadow-banned comments look published to their author (moderation.rules.sanctions).
        awaiting_moderation=held and not review and comment.moderation_reason != "shadow-banned",
        review=review,
        review_status=str(comment.status) if review else "",
        review_reason=oversight.moderation().reason_shown(comment.moderation_reason)
        if review and comment.moderation_reason
        else "",
        can_pick=actor.can_moderate and comment.status == Comment.Status.APPROVED,
        badge="" if deleted or badges is None else badges.of(comment),
    )


def _nest(replies: list[CommentView]) -> SafeString:
    """Set each reply's `before` markup so a flat loop renders nested lists; returns the
    markup that closes the last one. Levels only ever grow by one between neighbours."""
    previous = 0
    for reply in replies:
        if previous == 0:
            before = _LI
        elif reply.level > previous:
            before = _OPEN + _LI
        else:
            before = "</li>" + _CLOSE * (previous - reply.level) + _LI
        reply.before = SafeString(before)
        previous = reply.level
    return SafeString(("</li>" + _CLOSE * (previous - 1)) if previous else "")


@dataclass
class CommentGroup:
    """A top-level comment and the replies shown under it."""

    root: CommentView
    replies: list[CommentView]
    after: SafeString
    more: bool = False


def build_groups(
    roots: Sequence[Displayed],
    replies: Mapping[int, Sequence[Displayed]],
    *,
    actor: Actor,
    more: set[int] | None = None,
    highlighted_id: int | None = None,
    known_names: dict[int, str] | None = None,
    markup: bool = True,
) -> list[CommentGroup]:
    """Views of a page's comments, nested, with this reader's votes (one query).

    Without `markup` (the JSON listing): what only markup shows is left out, the fold,
    the badges (whose team look-up is then not made) and the nesting markup (`before`,
    `after` empty); every other field is the same."""
    every = [*roots, *(reply for group in replies.values() for reply in group)]
    votes = votes_by_voter(
        actor.voter_key, [c.pk for c in every if c.status == Comment.Status.APPROVED]
    )
    names: dict[int, str] = dict(known_names or {})
    names.update({c.pk: author_name(c) for c in every})
    page = PageSettings.current()
    badges = Badges() if markup else None
    groups = []
    for root in roots:
        root_view = view_of(
            root,
            actor=actor,
            mine=votes.get(root.pk, 0),
            highlighted_id=highlighted_id,
            page=page,
            badges=badges,
            markup=markup,
        )
        reply_views = []
        for reply in replies.get(root.pk, []):
            view = view_of(
                reply,
                actor=actor,
                mine=votes.get(reply.pk, 0),
                highlighted_id=highlighted_id,
                page=page,
                badges=badges,
                markup=markup,
            )
            view.parent_name = names.get(reply.parent_id or 0, "")
            reply_views.append(view)
        after = _nest(reply_views) if markup else _NOTHING
        groups.append(
            CommentGroup(
                root=root_view, replies=reply_views, after=after, more=root.pk in (more or set())
            )
        )
    return groups


def query_string(**params: object) -> str:
    """'?a=1&b=2' from the non-empty params ('' when none)."""
    kept = {key: value for key, value in params.items() if value not in (None, "", 0, False)}
    return f"?{urlencode(kept)}" if kept else ""
