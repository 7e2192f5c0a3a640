"""Threads, comments and comment votes.

A thread is the discussion of one page (an article here, any URL for embeds). Comments
form trees: ``parent`` is the comment replied to, ``root`` the top-level comment of the
tree (NULL for top-level comments themselves) and ``path`` a materialised ordering key,
so a page of trees is two indexed queries at any thread size. Counters (``comment_count``,
``reply_count``, votes, ``score``) change only through the actions, with F() expressions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Paths are fixed-width base-36 segments of comment ids: ordering a tree's rows by path
# gives depth-first order with siblings oldest first. Seven characters cover 78 billion
# ids; 36 segments fill the column, after which replies continue at the same level.
PATH_SEGMENT = 7
PATH_MAX_SEGMENTS = 36
PATH_MAX_LENGTH = PATH_SEGMENT * PATH_MAX_SEGMENTS
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def path_segment(comment_id: int) -> str:
    """The fixed-width base-36 segment of one comment id."""
    if comment_id < 0:
        raise ValueError("comment ids are positive")
    digits = []
    value = comment_id
    while value:
        value, remainder = divmod(value, 36)
        digits.append(_DIGITS[remainder])
    segment = "".join(reversed(digits)) or "0"
    if len(segment) > PATH_SEGMENT:
        raise ValueError(f"comment id {comment_id} does not fit a path segment")
    return segment.rjust(PATH_SEGMENT, "0")


def path_ids(path: str) -> list[int]:
    """The comment ids a path is made of, root first."""
    return [int(path[i : i + PATH_SEGMENT], 36) for i in range(0, len(path), PATH_SEGMENT)]


class Thread(models.Model):
    """The discussion of one page, registered by its host with a stable key."""

    key = models.CharField(
        max_length=500, unique=True, help_text='e.g. "article-<page id>", or a page URL for embeds'
    )
    title = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=2000, blank=True, help_text="Where the discussion is shown")
    is_closed = models.BooleanField(default=False)
    comment_count = models.PositiveIntegerField(
        default=0, help_text="Visible (approved) comments, replies included"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_comment_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["last_comment_at"], name="discussion_thread_last")]

    def __str__(self) -> str:
        return self.title or self.key

    def get_absolute_url(self) -> str:
        return reverse("discussion:thread", kwargs={"thread_id": self.pk})

    @property
    def host_url(self) -> str:
        """The page that shows this discussion (the standalone page when none is known)."""
        return self.url or self.get_absolute_url()


class Comment(models.Model):
    class Status(models.TextChoices):
        APPROVED = "approved", _("Approved")
        PENDING = "pending", _("Pending review")
        SPAM = "spam", _("Spam")
        REJECTED = "rejected", _("Rejected")
        DELETED = "deleted", _("Deleted")

    # The composite indexes below start with thread and root, so their own indexes would
    # only cost writes.
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    root = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="descendants",
        db_index=False,
        help_text="The top-level comment of this tree; empty for top-level comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="discussion_comments",
    )
    guest_name = models.CharField(max_length=120, blank=True)
    guest_email = models.EmailField(blank=True, help_text="Never shown, never in API output")
    guest_website = models.URLField(max_length=300, blank=True)
    guest_reader_id = models.CharField(
        max_length=32, blank=True, help_text="Keyed hash of the guest's reader cookie id"
    )
    body_source = models.TextField(blank=True, help_text="Markdown as written")
    body_html = models.TextField(blank=True, help_text="Sanitised HTML, rendered at write time")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPROVED)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    depth = models.PositiveSmallIntegerField(default=0)
    path = models.CharField(max_length=PATH_MAX_LENGTH, blank=True)
    reply_count = models.PositiveIntegerField(default=0, help_text="Visible (approved) descendants")
    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)
    score = models.IntegerField(default=0)
    ip_hash = models.CharField(max_length=32, blank=True)

    # Moderation: editor's picks, why a comment was held or refused, open reports.
    is_featured = models.BooleanField(default=False)
    featured_at = models.DateTimeField(null=True, blank=True)
    moderation_reason = models.CharField(
        max_length=200, blank=True, help_text="Why the pipeline or a moderator held or refused it"
    )
    report_count = models.PositiveIntegerField(default=0, help_text="Open reader reports")

    # Inline feedback: the passage of the host page the comment is about, if any. The host
    # gives a stable block id; the quote and offsets are kept as they were when posted, so
    # the comment stays meaningful after the text changes.
    class AnchorKind(models.TextChoices):
        NONE = "", _("Whole page")
        POINT = "point", _("Feedback point chosen by the editor")
        QUOTE = "quote", _("Sentence quoted by the reader")

    anchor_kind = models.CharField(max_length=5, choices=AnchorKind.choices, blank=True, default="")
    anchor_block_id = models.CharField(max_length=64, blank=True, default="")
    anchor_quote = models.TextField(blank=True, default="")
    anchor_start = models.PositiveIntegerField(null=True, blank=True)
    anchor_end = models.PositiveIntegerField(null=True, blank=True)
    anchor_revision = models.CharField(
        max_length=64, blank=True, default="", help_text="The host's revision id when posted"
    )

    class Meta:
        permissions = [("moderate_comment", "Can moderate reader comments")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["approved", "pending", "spam", "rejected", "deleted"]),
                name="discussion_comment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, root__isnull=True, depth=0)
                | Q(parent__isnull=False, root__isnull=False, depth__gt=0),
                name="discussion_comment_tree_shape",
            ),
            models.CheckConstraint(
                condition=Q(score=models.F("upvotes") - models.F("downvotes")),
                name="discussion_comment_score_is_up_minus_down",
            ),
            models.CheckConstraint(
                condition=Q(anchor_kind__in=["", "point", "quote"]),
                name="discussion_comment_anchor_kind_valid",
            ),
        ]
        indexes = [
            # A page of top-level comments: newest/oldest, and Most voted. Each ends with
            # the id, the sort's own tie-breaker (sorting.ORDERINGS), so the index hands
            # rows over in the page's exact order and a page stops after LIMIT rows.
            # Without it PostgreSQL sorts every top-level comment of the thread whenever
            # its statistics are missing or stale (autovacuum off, a bulk import).
            models.Index(
                fields=["thread", "created_at", "id"],
                condition=Q(parent__isnull=True),
                name="discussion_roots_by_date",
            ),
            models.Index(
                fields=["thread", "-score", "-created_at", "-id"],
                condition=Q(parent__isnull=True),
                name="discussion_roots_by_score",
            ),
            # All replies of a page's top-level comments, in tree order.
            models.Index(fields=["root", "path"], name="discussion_tree_order"),
            # Recent activity per thread ("most discussed this week").
            models.Index(fields=["thread", "created_at"], name="discussion_thread_activity"),
            # The comments on one passage, and the featured ones of a thread.
            models.Index(
                fields=["thread", "anchor_block_id", "created_at"],
                condition=~Q(anchor_kind=""),
                name="discussion_anchored",
            ),
            models.Index(
                fields=["thread", "-featured_at"],
                condition=Q(is_featured=True),
                name="discussion_featured",
            ),
            # Moderation asks these inside the posting transaction, which holds SQLite's
            # one write lock: without them each was a scan of every comment of the site.
            # Recent comments from one address (flood); recent texts of one length from
            # one address (duplicate: a flood of other texts is not read); a guest's
            # earlier comments by address, as iexact compares it (trust).
            models.Index(fields=["ip_hash", "created_at"], name="discussion_recent_by_ip"),
            models.Index(
                F("ip_hash"), Length("body_source"), F("created_at"), name="discussion_text_by_ip"
            ),
            models.Index(Upper("guest_email"), name="discussion_guest_email"),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.thread_id}"

    def get_absolute_url(self) -> str:
        return reverse("discussion:permalink", kwargs={"comment_id": self.pk})

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def tree_root_id(self) -> int:
        return self.root_id or self.pk


class CommentVote(models.Model):
    """One voter's +1 or -1 on one comment (no row means no vote)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    voter_key = models.CharField(max_length=64, help_text="u:<user id> or r:<reader cookie id>")
    value = models.SmallIntegerField()
    ip_hash = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "voter_key"], name="discussion_one_vote_per_voter"
            ),
            models.CheckConstraint(
                condition=Q(value__in=[-1, 1]), name="discussion_vote_is_up_or_down"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter_key} {self.value:+d} on comment {self.comment_id}"
