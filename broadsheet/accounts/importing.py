"""The write path that brings readers' accounts in from an export (import_site).

An account in an export is matched to one here before anything is made: the same
username with the same e-mail address, else a verified address here equal to one the
export marks verified (the same person, who signed up here too). Otherwise it is made
as it was (username, names, join date, addresses with their verified state, profile
name and bio), with no usable password: its reader sets one through "Forgot your
password?", and no export ever carries password hashes. Staff and administrator rights
never travel in a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction

from broadsheet.accounts.models import BIO_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH, Profile
from broadsheet.core.errors import ActionError


@dataclass(frozen=True)
class ImportedAddress:
    email: str
    verified: bool = False
    primary: bool = False


@dataclass(frozen=True)
class ImportedAccount:
    username: str
    email: str
    date_joined: datetime
    is_active: bool = True
    first_name: str = ""
    last_name: str = ""
    display_name: str = ""
    bio: str = ""
    addresses: tuple[ImportedAddress, ...] = ()


def check_import_account(*, account: ImportedAccount) -> None:
    field = get_user_model()._meta.get_field("username")
    if not account.username.strip():
        raise ActionError("An account needs a username.")
    if len(account.username) > (field.max_length or 150):
        raise ActionError(f"Username {account.username[:40]!r}… is too long.")


def _matching(account: ImportedAccount) -> Any | None:
    User = get_user_model()
    same = User.objects.filter(username=account.username).first()
    if same is not None and account.email and same.email.lower() == account.email.lower():
        return same
    verified = [a.email for a in account.addresses if a.verified]
    if verified:
        address = (
            EmailAddress.objects.filter(verified=True, email__in=verified)
            .select_related("user")
            .first()
        )
        if address is not None:
            return address.user
    return None


def _free_username(username: str) -> str:
    User = get_user_model()
    candidate, number = username, 1
    while User.objects.filter(username=candidate).exists():
        number += 1
        candidate = f"{username[:140]}-{number}"
    return candidate


def do_import_account(*, account: ImportedAccount) -> tuple[Any, bool]:
    """The account here for `account`, and whether it was made now."""
    check_import_account(account=account)
    with transaction.atomic():
        found = _matching(account)
        if found is not None:
            return found, False
        user = get_user_model()(
            username=_free_username(account.username),
            email=account.email,
            first_name=account.first_name[:150],
            last_name=account.last_name[:150],
            is_active=account.is_active,
            date_joined=account.date_joined,
        )
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=a.email, verified=a.verified, primary=a.primary)
            for a in account.addresses
            # An address verified by another account here stays theirs.
            if not EmailAddress.objects.filter(email__iexact=a.email, verified=True).exists()
        )
        if account.display_name or account.bio:
            Profile.objects.create(
                user=user,
                display_name=account.display_name[:DISPLAY_NAME_MAX_LENGTH],
                bio=account.bio[:BIO_MAX_LENGTH],
            )
    return user, True
