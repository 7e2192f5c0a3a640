"""How an account appears to other readers: its public name and its picture.

This is the discussion engine's ``people.People`` for Broadsheet (the setting
``BROADSHEET_DISCUSSION_PEOPLE`` names ``PROFILE_PEOPLE``). The engine calls it for every
comment it shows and every notification it mails; it joins the profile in with
``select_related("author__profile")`` so these cost no query of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models.fields.files import FieldFile

from broadsheet.accounts.models import Profile


def profile_of(user: Any) -> Profile | None:
    """The account's profile, or None when it never made one (no query when the profile
    was joined in by select_related)."""
    try:
        profile: Profile = user.profile
    except ObjectDoesNotExist:
        return None
    return profile


def public_name(user: Any) -> str:
    """The profile's display name, else the full name, else the username."""
    profile = profile_of(user)
    if profile is not None and profile.display_name.strip():
        return profile.display_name.strip()
    full = (user.get_full_name() or "").strip() if hasattr(user, "get_full_name") else ""
    return full or str(user.get_username())


def uploaded_avatar_url(user: Any) -> str | None:
    """The URL of the account's uploaded avatar, or None (the caller draws an identicon)."""
    profile = profile_of(user)
    if profile is None or not profile.avatar:
        return None
    return str(profile.avatar.url)


@dataclass(slots=True)
class ProfileRow:
    """What a comment shows of its author's profile, from a discussion page's row."""

    display_name: str
    avatar: FieldFile | None


@dataclass(slots=True)
class AuthorRow:
    """What a comment shows of its author's account, from a discussion page's row: the
    names public_name reads, the staff badge, the profile."""

    pk: int
    is_staff: bool
    username: str
    first_name: str
    last_name: str
    profile: ProfileRow | None

    @property
    def id(self) -> int:
        return self.pk

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_username(self) -> str:
        return self.username


_AVATAR = Profile._meta.get_field("avatar")


class ProfilePeople:
    """People as their profiles show them (``broadsheet.discussion.people.People``)."""

    related: tuple[str, ...] = ("profile",)
    row_fields: tuple[str, ...] = (
        "username",
        "first_name",
        "last_name",
        "profile__id",
        "profile__display_name",
        "profile__avatar",
    )

    def row_author(self, pk: int, is_staff: bool, values: Sequence[Any]) -> AuthorRow:
        username, first, last, profile_id, display_name, avatar = values
        profile = None
        if profile_id is not None:
            picture = _AVATAR.attr_class(None, _AVATAR, avatar) if avatar else None  # type: ignore[arg-type]
            profile = ProfileRow(display_name, picture)
        return AuthorRow(pk, is_staff, username, first, last, profile)

    def public_name(self, user: Any) -> str:
        return public_name(user)

    def avatar_url(self, user: Any) -> str | None:
        return uploaded_avatar_url(user)


PROFILE_PEOPLE = ProfilePeople()
