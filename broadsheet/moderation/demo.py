"""Demo content for the moderation queue: held, pending and reported comments waiting.

Called by the demo loader (broadsheet.articles.demo_discussions) after the discussions
are seeded; safe to re-run (does nothing once the queue has demo work in it).
"""

from __future__ import annotations

from broadsheet.discussion.actions import NewComment, do_post_comment, do_set_comment_status
from broadsheet.discussion.identity import SYSTEM, Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.moderation.actions import do_report_comment
from broadsheet.moderation.models import Report

HELD = [
    ("Dmitri", "Oh shut up, nobody in this town cares about the river."),
    (
        "Priya",
        "Visit www.cheap-flood-insurance.example and www.best-deals.example and "
        "www.deal-of-the-day.example and www.click-me.example today!",
    ),
]
NEW_COMMENTER = ("Tomás", "First time here. I grew up by that bridge; thank you for this piece.")


def _guest(n: int) -> Actor:
    return Actor(user=None, reader_id=f"demo-moderation-{n}", ip_hash="")


def seed_moderation_queue() -> str:
    if Report.objects.exists() or Comment.objects.filter(status=Comment.Status.PENDING).exists():
        return "Moderation queue: already seeded."
    threads = list(
        Thread.objects.filter(
            key__startswith="article-", comment_count__gt=2, is_closed=False
        ).order_by("-last_comment_at")[:3]
    )
    if not threads:
        return "Moderation queue: no discussions to seed."
    held = 0
    for n, (name, body) in enumerate(HELD):
        comment = do_post_comment(
            actor=_guest(n),
            new=NewComment(
                thread=threads[n % len(threads)],
                body=body,
                guest_name=name,
                guest_email=f"{name.lower()}@example.org",
            ),
        )
        held += comment.status == Comment.Status.PENDING
    name, body = NEW_COMMENTER
    newcomer = do_post_comment(
        actor=_guest(10),
        new=NewComment(
            thread=threads[0], body=body, guest_name=name, guest_email="tomas@example.org"
        ),
    )
    do_set_comment_status(
        comment=newcomer, actor=SYSTEM, status=Comment.Status.PENDING, reason="new commenter"
    )
    reported = 0
    targets = Comment.objects.filter(thread__in=threads, status=Comment.Status.APPROVED).order_by(
        "-created_at"
    )[:2]
    for i, target in enumerate(targets):
        # The first gets enough reports to be held; the second stays up with one report.
        for r in range(3 if i == 0 else 1):
            do_report_comment(
                comment=target,
                actor=_guest(100 + 10 * i + r),
                reason="abuse" if r else "off_topic",
                note="Demo report",
            )
            reported += 1
    return f"Moderation queue: {held + 1} comments waiting, {reported} reports."
