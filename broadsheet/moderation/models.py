"""Moderation data: word lists, sanctions, reader reports and the audit log.

Comments themselves live in the discussion app (their status, moderation_reason,
report_count and is_featured columns); this app only adds what moderation needs
beside them. Every row here is written by an action in ``moderation/actions.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ModerationWord(models.Model):
    """A word moderators refuse (banned) or want to look at first (suspect)."""

    class Kind(models.TextChoices):
        BANNED = "banned", _("Banned (reject)")
        SUSPECT = "suspect", _("Suspect (hold for review)")

    word = models.CharField(_("word"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("moderation word")
        verbose_name_plural = _("moderation words")
        ordering = ["kind", "word"]
        constraints = [
            models.UniqueConstraint(fields=["word", "kind"], name="moderation_word_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["banned", "suspect"]), name="moderation_word_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.word} ({self.get_kind_display()})"


class Sanction(models.Model):
    """A ban, suspension or shadow-ban of a commenter: an account, or a guest known by the
    hash of their e-mail address and/or IP. Lifting sets ``lifted_at``; rows are kept."""

    class Kind(models.TextChoices):
        BAN = "ban", _("Banned")
        SUSPENSION = "suspension", _("Suspended")
        SHADOW_BAN = "shadow_ban", _("Shadow-banned")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="moderation_sanctions",
    )
    email_hash = models.CharField(max_length=32, blank=True, db_index=True)
    ip_hash = models.CharField(max_length=32, blank=True, db_index=True)
    until = models.DateTimeField(null=True, blank=True, help_text=_("Suspensions end then"))
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["ban", "suspension", "shadow_ban"]),
                name="moderation_sanction_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(email_hash="") | ~Q(ip_hash=""),
                name="moderation_sanction_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(kind="suspension") | Q(until__isnull=False),
                name="moderation_suspension_has_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.user_id or self.email_hash or self.ip_hash}"


class Report(models.Model):
    """One reader's report of one comment."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        ABUSE = "abuse", _("Abusive or hateful")
        OFF_TOPIC = "off_topic", _("Off-topic")
        OTHER = "other", _("Something else")

    comment = models.ForeignKey(
        "discussion.Comment", on_delete=models.CASCADE, related_name="reports"
    )
    reporter_key = models.CharField(max_length=64, help_text="u:<user id> or r:<reader id>")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    ip_hash = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter_key"], name="moderation_one_report_per_reader"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=["spam", "abuse", "off_topic", "other"]),
                name="moderation_report_reason_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} report on comment {self.comment_id}"


class CommenterNote(models.Model):
    """A moderator's note about a commenter (account, or guest e-mail hash)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email_hash = models.CharField(max_length=32, blank=True, db_index=True)
    text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Note on {self.user_id or self.email_hash}"


class AuditEntry(models.Model):
    """One moderation decision: who, what, when, why, status before and after."""

    class Action(models.TextChoices):
        HOLD = "hold", _("Held by a rule")
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        SPAM = "spam", _("Marked spam")
        FEATURE = "feature", _("Featured")
        UNFEATURE = "unfeature", _("Unfeatured")
        REPORT = "report", _("Reported")
        DISMISS = "dismiss", _("Reports dismissed")
        AUTO_HOLD = "auto_hold", _("Held after reports")
        BAN = "ban", _("Banned")
        SUSPEND = "suspend", _("Suspended")
        SHADOW_BAN = "shadow_ban", _("Shadow-banned")
        LIFT = "lift", _("Sanction lifted")
        CLOSE = "close", _("Discussion closed")
        REOPEN = "reopen", _("Discussion reopened")
        NOTE = "note", _("Note added")

    action = models.CharField(max_length=12, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when the pipeline decided"),
    )
    comment = models.ForeignKey(
        "discussion.Comment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    thread = models.ForeignKey(
        "discussion.Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.CharField(max_length=120, blank=True, help_text=_("The commenter concerned"))
    reason = models.CharField(max_length=300, blank=True)
    status_before = models.CharField(max_length=10, blank=True)
    status_after = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    action__in=[
                        "hold",
                        "approve",
                        "reject",
                        "spam",
                        "feature",
                        "unfeature",
                        "report",
                        "dismiss",
                        "auto_hold",
                        "ban",
                        "suspend",
                        "shadow_ban",
                        "lift",
                        "close",
                        "reopen",
                        "note",
                    ]
                ),
                name="moderation_audit_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.created_at:%Y-%m-%d %H:%M}"
