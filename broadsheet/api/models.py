"""API tokens (docs/api.md). Rows are written by ``api/tokens.py`` only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A token for the REST API: personal (acts as its owner anywhere the owner may) or a
    site token (the same, limited to the threads of one embedding site). Only a digest
    of the token is stored; the token itself is shown once, when it is made."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Post, edit, delete and vote")
        MODERATE = "moderate", _("Moderate")

    name = models.CharField(max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="broadsheet_api_tokens",
        related_query_name="broadsheet_api_token",
    )
    # By app label: the API does not import the embed app (sibling entry points).
    site = models.ForeignKey(
        "embed.EmbeddingSite",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    scopes = models.JSONField(default=list)
    prefix = models.CharField(
        max_length=16, help_text="The token's first characters, to tell it apart"
    )
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
