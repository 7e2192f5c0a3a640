"""Embedding sites, their webhook endpoints and the log of webhook deliveries.

Every row here is written by an action in ``embed/actions.py`` or
``embed/webhooks/actions.py`` (the Wagtail admin forms included: they save through the
snippet views, which only edit fields an admin types).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from broadsheet.embed.origins import OriginRule, parse_rules


def new_site_key() -> str:
    """A public site key: not a secret (it is in every host page), only an address."""
    return secrets.token_urlsafe(12)


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _validate_origins(value: str) -> None:
    try:
        rules = parse_rules(value)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    if not rules:
        raise ValidationError(_("Give at least one origin, e.g. https://example.org"))


class EmbeddingSite(models.Model):
    """Another site that shows Broadsheet discussions on its pages."""

    class ModerationMode(models.TextChoices):
        DEFAULT = "", _("As the publication (BROADSHEET_MODERATION_MODE)")
        NONE = "none", _("Publish what the rules pass")
        NEW_COMMENTERS = "new_commenters", _("Hold new commenters' first comments")
        ALL = "all", _("Hold every comment for a moderator")

    class Sort(models.TextChoices):
        NEWEST = "newest", _("Newest")
        OLDEST = "oldest", _("Oldest")
        TOP = "top", _("Most voted")

    name = models.CharField(_("name"), max_length=120)
    key = models.CharField(
        _("key"),
        max_length=40,
        unique=True,
        default=new_site_key,
        help_text=_("Public key for data-site in the snippet (not a secret)"),
    )
    origins = models.TextField(
        _("origins"),
        validators=[_validate_origins],
        help_text=_(
            "One per line: https://example.org, https://example.org/blog (pages under that "
            "path only), http://localhost:* (any port)"
        ),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Off: the embed shows nothing")
    )
    comments_enabled = models.BooleanField(
        _("comments enabled"), default=True, help_text=_("Off: read-only")
    )
    allow_guests = models.BooleanField(_("guests may comment"), default=True)
    default_sort = models.CharField(
        _("default order"), max_length=8, choices=Sort.choices, default=Sort.NEWEST
    )
    moderation_mode = models.CharField(
        _("pre-moderation"), max_length=16, choices=ModerationMode.choices, blank=True, default=""
    )
    allow_private_webhooks = models.BooleanField(
        _("allow private webhooks"),
        default=False,
        help_text=_("Let webhooks reach private and loopback addresses (a receiver on your LAN)"),
    )
    sso_secret = models.CharField(
        _("single sign-on secret"),
        max_length=200,
        blank=True,
        help_text=_(
            "Shared HS256 secret for single sign-on from the site's own accounts; empty: off"
        ),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("embedding site")
        verbose_name_plural = _("embedding sites")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(moderation_mode__in=["", "none", "new_commenters", "all"]),
                name="embed_site_moderation_mode_valid",
            ),
            models.CheckConstraint(
                condition=Q(default_sort__in=["newest", "oldest", "top"]),
                name="embed_site_default_sort_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def rules(self) -> list[OriginRule]:
        try:
            return parse_rules(self.origins)
        except ValueError:
            return []


class SsoIdentity(models.Model):
    """An account made for a person signed in on an embedding site (single sign-on).
    Never matched to an existing account by e-mail: a site vouches only for its own
    users."""

    site = models.ForeignKey(EmbeddingSite, on_delete=models.CASCADE, related_name="sso_identities")
    subject = models.CharField(max_length=200, help_text="The site's user id (the JWT's sub)")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="embed_sso_identity"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "subject"], name="embed_sso_subject_unique")
        ]

    def __str__(self) -> str:
        return f"{self.site}: {self.subject}"


class WebhookEndpoint(models.Model):
    """Where a site wants to hear about its discussions, and with which secret."""

    class Event(models.TextChoices):
        COMMENT_CREATED = "comment.created", _("A comment was published")
        COMMENT_REPLIED = "comment.replied", _("A reply was published")
        COMMENT_APPROVED = "comment.approved", _("A moderator approved a comment")
        COMMENT_REJECTED = "comment.rejected", _("A moderator rejected a comment")
        COMMENT_REPORTED = "comment.reported", _("A reader reported a comment")
        COMMENT_FEATURED = "comment.featured", _("A comment was featured")
        THREAD_CREATED = "thread.created", _("A page got its discussion")
        THREAD_CLOSED = "thread.closed", _("A discussion was closed")

    site = models.ForeignKey(
        EmbeddingSite,
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="webhooks",
    )
    url = models.URLField(_("address"), max_length=500)
    events = models.JSONField(
        _("events"),
        default=list,
        blank=True,
        help_text=_("Empty: every event"),
    )
    secret = models.CharField(_("secret"), max_length=80, default=new_webhook_secret)
    previous_secret = models.CharField(
        _("previous secret"),
        max_length=80,
        blank=True,
        help_text=_("Still signed with during a key rotation"),
    )
    previous_secret_until = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why it was disabled"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["site", "url"]

    def __str__(self) -> str:
        return f"{self.site}: {self.url}"

    def wants(self, event_type: str) -> bool:
        return not self.events or event_type in self.events

    def signing_secrets(self, now: object = None) -> list[str]:
        """The secrets each delivery is signed with: the current one, and the previous one
        until its rotation window ends."""
        current = timezone.now() if now is None else now
        keep_old = bool(self.previous_secret) and (
            self.previous_secret_until is None or self.previous_secret_until > current  # type: ignore[operator]
        )
        return [self.secret, self.previous_secret] if keep_old else [self.secret]


class WebhookDelivery(models.Model):
    """One event for one endpoint: its payload and the outcome of its last attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SUCCEEDED = "succeeded", _("Delivered")
        RETRYING = "retrying", _("Failed, will retry")
        FAILED = "failed", _("Failed, gave up")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(max_length=40, help_text="The payload's id (same on redelivery)")
    event_type = models.CharField(max_length=40)
    payload = models.TextField(help_text="The JSON body, exactly as signed")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    request_headers = models.JSONField(default=dict, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True, help_text="The first KB of the answer")
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "succeeded", "retrying", "failed"]),
                name="embed_delivery_status_valid",
            )
        ]
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="embed_delivery_log")]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint.url} ({self.status})"
