"""Reader profiles: the name and picture shown with an account's comments.

The account itself is Django's user (django-allauth handles sign-up, e-mail addresses,
passwords); a profile is created on first edit, so accounts without one simply show
their username and an identicon.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

DISPLAY_NAME_MAX_LENGTH = 60
BIO_MAX_LENGTH = 500


class Profile(models.Model):
    """What other readers see of an account: a display name, a short bio, an avatar."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(
        max_length=DISPLAY_NAME_MAX_LENGTH,
        blank=True,
        help_text="Shown instead of the username when set",
    )
    bio = models.CharField(max_length=BIO_MAX_LENGTH, blank=True)
    avatar = models.ImageField(
        upload_to="avatars/",
        blank=True,
        help_text="Re-encoded JPEG, square, metadata stripped (accounts.avatars)",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.display_name or f"Profile of user {self.user_id}"
