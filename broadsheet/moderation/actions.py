"""The write paths of moderation: every moderation state change goes through one
``do_<verb>_<noun>`` here, after its ``check_<verb>_<noun>``.

Each runs in one transaction that also writes its audit row. What changes a comment or a
discussion goes through the discussion engine's own write paths (do_set_comment_status,
do_feature_comment, do_close_thread, ...), which authorise, keep the counters exact, write
the audit row (through this app's pipeline.MODERATION) and publish truthfully named
events after commit (CommentApproved, CommentHidden, CommentFeatured, ThreadClosed...);
this module never writes Comment or Thread columns itself. Locks: thread row → comment
row (taken by do_set_comment_status) → report and sanction rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from broadsheet.core.errors import ActionError, NotAllowed
from broadsheet.core.ratelimit import enforce
from broadsheet.discussion import actions as discussion_actions
from broadsheet.discussion.events import (
    CommenterNoticeRequested,
    CommentReported,
    publish_on_commit,
)
from broadsheet.discussion.identity import SYSTEM, Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.moderation import conf, reasons
from broadsheet.moderation.audit import record
from broadsheet.moderation.commenters import Commenter
from broadsheet.moderation.models import AuditEntry, CommenterNote, Report, Sanction

Status = Comment.Status
Action = AuditEntry.Action


def check_moderate_comment(*, comment: Comment | None = None, actor: Actor) -> None:
    if not actor.can_moderate:
        raise NotAllowed(_("Only moderators can do this."))


def _thread_key(comment: Comment) -> str:
    if "thread" in comment._state.fields_cache:
        return comment.thread.key
    return Thread.objects.values_list("key", flat=True).get(pk=comment.thread_id)


def _set_status(
    *, comment: Comment, actor: Actor, status: Status, action: Action, reason: str
) -> Comment:
    check_moderate_comment(comment=comment, actor=actor)
    with transaction.atomic():
        # A decision closes the open reports: the moderator has looked.
        _, updated = discussion_actions.do_set_comment_status(
            comment=comment,
            actor=actor,
            status=status,
            reason=reason or None,
            audit_action=action,
            reports_seen=True,
        )
        Report.objects.filter(comment=updated, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
    return updated


def _request_notice(
    *, comment: Comment, kind: str, reason: str, until: datetime | None = None
) -> None:
    """After commit, ask that the comment's author be told (CommenterNoticeRequested: the
    notifications app mails them). Inside the caller's transaction."""
    event = CommenterNoticeRequested(
        thread_id=comment.thread_id,
        thread_key=_thread_key(comment),
        comment_id=comment.pk,
        kind=kind,
        reason=reason,
        until=until,
    )
    publish_on_commit(event)


def do_approve_comment(*, comment: Comment, actor: Actor, reason: str = "") -> Comment:
    """Publish a held (or reported, or refused) comment; its reports are resolved."""
    return _set_status(
        comment=comment, actor=actor, status=Status.APPROVED, action=Action.APPROVE, reason=reason
    )


def do_reject_comment(
    *, comment: Comment, actor: Actor, reason: str = "", notify: bool = False
) -> Comment:
    """Take a comment off the page (its author still sees why on their own page). With
    `notify`, its author is e-mailed the reason after commit (CommenterNoticeRequested)."""
    with transaction.atomic():
        updated = _set_status(
            comment=comment,
            actor=actor,
            status=Status.REJECTED,
            action=Action.REJECT,
            reason=reason,
        )
        if notify:
            _request_notice(comment=updated, kind="rejected", reason=reason)
    return updated


def check_dismiss_reports(*, comment: Comment, actor: Actor) -> None:
    check_moderate_comment(comment=comment, actor=actor)
    if comment.report_count == 0:
        raise ActionError(_("This comment has no open reports."))


def do_dismiss_reports(*, comment: Comment, actor: Actor, reason: str = "") -> Comment:
    """The reports were unfounded: they are resolved and the comment stays published (or,
    held after reports, is published again; a rejected one stays rejected). Audited as
    "dismiss"; CommentApproved is published when it comes back on the page."""
    check_dismiss_reports(comment=comment, actor=actor)
    keep = comment.status in (Status.REJECTED, Status.SPAM)
    status = Status(comment.status) if keep else Status.APPROVED
    return _set_status(
        comment=comment,
        actor=actor,
        status=status,
        action=Action.DISMISS,
        reason=reason or reasons.REPORTS_DISMISSED(),
    )


def do_mark_spam(*, comment: Comment, actor: Actor, reason: str = "") -> Comment:
    return _set_status(
        comment=comment, actor=actor, status=Status.SPAM, action=Action.SPAM, reason=reason
    )


# --- reports ---------------------------------------------------------------------------


def check_report_comment(*, comment: Comment, actor: Actor, reason: str) -> None:
    if reason not in Report.Reason.values:
        raise ActionError(_("Please choose why you report this comment."), field="reason")
    if comment.status != Status.APPROVED:
        raise ActionError(_("This comment is no longer shown."))
    if actor.voter_key is None:
        raise ActionError(_("Your browser did not keep our cookie; please allow it to report."))
    if actor.wrote(comment):
        raise NotAllowed(_("You cannot report your own comment."))
    limit, window = conf.report_rate_limit()
    message = _("You have sent many reports. Please wait a while; moderators are on it.")
    enforce("moderation-report", actor.voter_key, limit=limit, window=window, message=message)
    if actor.ip_hash:
        enforce("moderation-report-ip", actor.ip_hash, limit=limit, window=window, message=message)


def do_report_comment(*, comment: Comment, actor: Actor, reason: str, note: str = "") -> Report:
    """Record one reader's report (one per reader per comment). The report that reaches
    BROADSHEET_MODERATION_REPORTS_TO_HOLD takes the comment off the page for review."""
    check_report_comment(comment=comment, actor=actor, reason=reason)
    voter = actor.voter_key
    assert voter is not None
    try:
        with transaction.atomic():
            report = Report.objects.create(
                comment=comment,
                reporter_key=voter,
                reason=reason,
                note=note.strip()[:500],
                ip_hash=actor.ip_hash,
            )
            count = discussion_actions.do_count_report(comment=comment)
            record(
                action=Action.REPORT,
                actor=actor.user,
                comment=comment,
                reason=f"{reason}: {note}"[:300],
                after=comment.status,
            )
            event = CommentReported(
                thread_id=comment.thread_id,
                thread_key=_thread_key(comment),
                comment_id=comment.pk,
                report_count=count,
            )
            publish_on_commit(event)
            if count >= conf.reports_to_hold() and comment.status == Status.APPROVED:
                discussion_actions.do_set_comment_status(
                    comment=comment,
                    actor=SYSTEM,
                    status=Status.PENDING,
                    reason=reasons.REPORTED(count=count),
                    audit_action=Action.AUTO_HOLD,
                )
                comment.status = Status.PENDING
    except IntegrityError:
        raise ActionError(_("You already reported this comment. Thank you.")) from None
    return report


# --- sanctions -------------------------------------------------------------------------


def check_sanction_commenter(*, commenter: Commenter, actor: Actor) -> None:
    if not actor.can_moderate:
        raise NotAllowed(_("Only moderators can do this."))
    if commenter.user_id is None and not (commenter.email_hash or commenter.ip_hash):
        raise ActionError(_("This commenter cannot be identified."))
    if commenter.user_id is not None and commenter.user_id == actor.user_id:
        raise ActionError(_("You cannot sanction yourself."))


def _sanction(
    *,
    kind: Sanction.Kind,
    action: Action,
    commenter: Commenter,
    actor: Actor,
    reason: str,
    until: datetime | None = None,
    comment: Comment | None = None,
    notify: bool = False,
) -> Sanction:
    check_sanction_commenter(commenter=commenter, actor=actor)
    with transaction.atomic():
        sanction = Sanction.objects.create(
            kind=kind,
            user_id=commenter.user_id,
            email_hash=commenter.email_hash if commenter.user_id is None else "",
            ip_hash=commenter.ip_hash if commenter.user_id is None else "",
            until=until,
            reason=reason[:300],
            created_by=actor.user,
        )
        # The comment that led to it is kept on the row: the audit log names the
        # commenter by it (a guest's page goes through one of their comments).
        record(
            action=action, actor=actor.user, comment=comment, target=commenter.key, reason=reason
        )
        if comment is not None and comment.status not in (Status.REJECTED, Status.DELETED):
            _set_status(
                comment=comment,
                actor=actor,
                status=Status.REJECTED,
                action=Action.REJECT,
                reason=reason or reasons.AUTHOR_SANCTIONED(sanction=reasons.SANCTION_WORDS[kind]),
            )
        if notify and comment is not None and kind != Sanction.Kind.SHADOW_BAN:
            # Never for a shadow-ban: it works only while its author does not know.
            label = "banned" if kind == Sanction.Kind.BAN else "suspended"
            _request_notice(comment=comment, kind=label, reason=reason, until=until)
    return sanction


def do_ban_commenter(
    *,
    commenter: Commenter,
    actor: Actor,
    reason: str = "",
    comment: Comment | None = None,
    notify: bool = False,
) -> Sanction:
    """Ban for good (until lifted); with `comment`, that comment is rejected too, and with
    `notify` its author is e-mailed the ban and its reason after commit."""
    return _sanction(
        kind=Sanction.Kind.BAN,
        action=Action.BAN,
        commenter=commenter,
        actor=actor,
        reason=reason,
        comment=comment,
        notify=notify,
    )


def do_suspend_commenter(
    *,
    commenter: Commenter,
    actor: Actor,
    until: datetime,
    reason: str = "",
    comment: Comment | None = None,
    notify: bool = False,
) -> Sanction:
    """Suspend until `until`; with `comment`, that comment is rejected too, and with
    `notify` its author is e-mailed the suspension, its end and its reason after commit."""
    if until <= timezone.now():
        raise ActionError(_("A suspension must end in the future."), field="until")
    return _sanction(
        kind=Sanction.Kind.SUSPENSION,
        action=Action.SUSPEND,
        commenter=commenter,
        actor=actor,
        reason=reason,
        until=until,
        comment=comment,
        notify=notify,
    )


def do_shadow_ban_commenter(*, commenter: Commenter, actor: Actor, reason: str = "") -> Sanction:
    """Their new comments are accepted but held where only they see them."""
    return _sanction(
        kind=Sanction.Kind.SHADOW_BAN,
        action=Action.SHADOW_BAN,
        commenter=commenter,
        actor=actor,
        reason=reason,
    )


def do_lift_sanction(*, sanction: Sanction, actor: Actor, reason: str = "") -> Sanction:
    if not actor.can_moderate:
        raise NotAllowed(_("Only moderators can do this."))
    with transaction.atomic():
        locked = Sanction.objects.select_for_update().get(pk=sanction.pk)
        if locked.lifted_at is not None:
            raise ActionError(_("This sanction was already lifted."))
        locked.lifted_at = timezone.now()
        locked.save(update_fields=["lifted_at"])
        target = f"u:{locked.user_id}" if locked.user_id else f"g:{locked.email_hash}"
        record(action=Action.LIFT, actor=actor.user, target=target, reason=reason or locked.kind)
    return locked


def do_add_commenter_note(*, commenter: Commenter, actor: Actor, text: str) -> CommenterNote:
    if not actor.can_moderate:
        raise NotAllowed(_("Only moderators can do this."))
    if not text.strip():
        raise ActionError(_("Please write a note."), field="text")
    with transaction.atomic():
        note = CommenterNote.objects.create(
            user_id=commenter.user_id,
            email_hash=commenter.email_hash if commenter.user_id is None else "",
            text=text.strip(),
            created_by=actor.user,
        )
        record(action=Action.NOTE, actor=actor.user, target=commenter.key, reason=text[:300])
    return note


# --- discussions -----------------------------------------------------------------------


def do_auto_close_old_discussions(*, dry_run: bool = False) -> int:
    """Close every open discussion older than BROADSHEET_MODERATION_AUTO_CLOSE_DAYS with
    the discussion's do_close_thread, as the system actor (audited without a moderator,
    ThreadClosed published). Pages and posting already treat such a discussion as closed
    (discussion.oversight.is_closed); this writes it down. Returns how many were (or would
    be) closed."""
    days = conf.auto_close_days()
    if days <= 0:
        return 0
    cutoff = timezone.now() - timedelta(days=days)
    old = Thread.objects.filter(is_closed=False, created_at__lt=cutoff)
    if dry_run:
        return old.count()
    closed = 0
    for thread in old.iterator():
        discussion_actions.do_close_thread(
            thread=thread, actor=SYSTEM, reason=f"auto-close after {days} days"
        )
        closed += 1
    return closed
