"""The write paths of the accounts app: profiles and account deletion.

Sign-up, e-mail confirmation, sign-in and passwords are django-allauth's own flows.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from broadsheet.accounts import conf
from broadsheet.accounts.avatars import process_avatar
from broadsheet.accounts.models import BIO_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH, Profile
from broadsheet.core.errors import ActionError, NotAllowed
from broadsheet.core.pagecache import bump
from broadsheet.discussion.actions import do_delete_comment
from broadsheet.discussion.cache import thread_scope
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.selectors import comments_by_author, thread_keys_of_author


def _forget_pages_showing(user_id: int) -> None:
    """Cached pages show the account's name and picture next to its comments."""
    keys = thread_keys_of_author(user_id)
    if keys:
        bump(*(thread_scope(key) for key in keys))


def check_update_profile(*, user: Any, display_name: str, bio: str) -> None:
    if not user.is_authenticated:
        raise NotAllowed(_("Please sign in to edit your profile."))
    if len(display_name.strip()) > DISPLAY_NAME_MAX_LENGTH:
        raise ActionError(
            _("Please use a name of at most %(limit)d characters.")
            % {"limit": DISPLAY_NAME_MAX_LENGTH},
            field="display_name",
        )
    if len(bio) > BIO_MAX_LENGTH:
        raise ActionError(
            _("Your bio is %(length)d characters long; the limit is %(limit)d.")
            % {"length": len(bio), "limit": BIO_MAX_LENGTH},
            field="bio",
        )


def do_update_profile(
    *,
    user: Any,
    display_name: str,
    bio: str,
    avatar: bytes | None = None,
    remove_avatar: bool = False,
) -> Profile:
    """Save the account's profile (created on first use). A new avatar is processed
    (accounts.avatars: square, resized, re-encoded without metadata) before the
    transaction; the replaced file is deleted after commit, and cached pages showing the
    account's comments are invalidated then."""
    check_update_profile(user=user, display_name=display_name, bio=bio)
    picture = process_avatar(avatar) if avatar else None
    with transaction.atomic():
        profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
        old_avatar = profile.avatar.name if profile.avatar else ""
        profile.display_name = display_name.strip()
        profile.bio = bio.strip()
        if picture is not None:
            profile.avatar.save(picture.name or "avatar.jpg", picture, save=False)
        elif remove_avatar:
            profile.avatar = ""  # type: ignore[assignment]
        profile.save(update_fields=["display_name", "bio", "avatar", "updated_at"])
        if old_avatar and old_avatar != profile.avatar.name:
            transaction.on_commit(lambda: default_storage.delete(old_avatar))
        transaction.on_commit(lambda: _forget_pages_showing(user.pk))
    return profile


def check_delete_account(*, user: Any, password: str) -> None:
    if not user.is_authenticated:
        raise NotAllowed(_("Please sign in first."))
    if not password or not user.check_password(password):
        raise ActionError(_("That password is not right."), field="password")
    if user.is_superuser:
        raise NotAllowed(_("An administrator's account is deleted by another administrator."))


def do_delete_account(*, user: Any, password: str, mode: str | None = None) -> None:
    """Delete an account after checking its password.

    Its comments are kept as "[deleted user]" (mode "anonymise": the author link is
    cleared by the foreign key's SET NULL when the user row goes) or deleted one by one
    through the discussion's own write path (mode "remove": counters, placeholders and
    events as if the author deleted each). Mode defaults to
    BROADSHEET_ACCOUNTS_DELETE_COMMENTS. Profile, avatar, e-mail addresses and sessions
    go with the account; comment votes stay in the tallies, tied to no one. Locks: the
    user row, then each comment's thread and row (do_delete_comment's order).
    """
    check_delete_account(user=user, password=password)
    mode = mode or conf.delete_comments()
    if mode not in conf.DELETE_MODES:
        raise ValueError(f"unknown mode {mode!r}")
    actor = Actor(user=user)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        keys = thread_keys_of_author(user.pk)
        if mode == "remove":
            for comment in list(comments_by_author(user.pk)):
                do_delete_comment(comment=comment, actor=actor)
        profile = Profile.objects.filter(user=user).first()
        avatar = profile.avatar.name if profile and profile.avatar else ""
        user.delete()
        if avatar:
            transaction.on_commit(lambda: default_storage.delete(avatar))
        if keys:
            transaction.on_commit(lambda: bump(*(thread_scope(key) for key in keys)))
