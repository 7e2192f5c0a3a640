"""Subscriptions to a discussion, the comments waiting to be sent, and each e-mail sent.

- ``Subscription``: one address following one discussion for one kind of news
  (every new comment, or replies to my comments), or an account's @mentions anywhere.
  Guests' subscriptions stay ``pending`` until the address is confirmed (double opt-in).
- ``PendingItem``: one comment waiting to go to one subscription, in one ``Delivery``.
- ``Delivery``: one e-mail to one subscription. At most one is ``scheduled`` per
  subscription at a time (a DB constraint), so comments arriving meanwhile join it and go
  out together as a digest; ``attempts`` and ``last_error`` record the retries.
- ``MentionPreference``: whether an account wants an e-mail when @mentioned (no row: yes).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from broadsheet.core.models import TimeStampedModel


class Subscription(TimeStampedModel):
    class Kind(models.TextChoices):
        THREAD = "thread", _("New follow-up comments")
        REPLIES = "replies", _("New replies to my comments")
        MENTIONS = "mentions", _("Mentions of my username")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the address to be confirmed")
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    email = models.EmailField(help_text="Lower-cased; never shown to other readers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification_subscriptions",
    )
    thread = models.ForeignKey(
        "discussion.Thread",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        help_text="Empty for mentions, which follow the account everywhere",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    next_send_at = models.DateTimeField(
        null=True, blank=True, help_text="The earliest the next e-mail may go (digest window)"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["thread", "replies", "mentions"]),
                name="notifications_subscription_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "active", "cancelled"]),
                name="notifications_subscription_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind="mentions", thread__isnull=True, user__isnull=False)
                | (~Q(kind="mentions") & Q(thread__isnull=False)),
                name="notifications_subscription_shape",
            ),
            models.UniqueConstraint(
                fields=["email", "thread", "kind"],
                condition=Q(thread__isnull=False),
                name="notifications_one_per_address_thread_kind",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(kind="mentions"),
                name="notifications_one_mentions_per_user",
            ),
        ]
        indexes = [
            models.Index(fields=["thread", "status"], name="notifications_sub_thread"),
            models.Index(fields=["email", "status"], name="notifications_sub_email"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.status}) #{self.pk}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Given up")

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    scheduled_for = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "sending", "sent", "failed"]),
                name="notifications_delivery_status_valid",
            ),
            models.UniqueConstraint(
                fields=["subscription"],
                condition=Q(status="scheduled"),
                name="notifications_one_open_delivery",
            ),
        ]
        indexes = [models.Index(fields=["status", "scheduled_for"], name="notifications_due")]

    def __str__(self) -> str:
        return f"Delivery {self.pk} ({self.status}) of subscription {self.subscription_id}"


class PendingItem(models.Model):
    class Reason(models.TextChoices):
        COMMENT = "comment", _("New comment")
        REPLY = "reply", _("Reply to your comment")
        MENTION = "mention", _("Mention")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="items")
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="items")
    comment = models.ForeignKey("discussion.Comment", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "comment"], name="notifications_item_once"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=["comment", "reply", "mention"]),
                name="notifications_item_reason_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.comment_id} for subscription {self.subscription_id}"


class MentionPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mention_preference"
    )
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Mentions {'on' if self.enabled else 'off'} for user {self.user_id}"
