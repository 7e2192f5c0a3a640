"""How a person appears to other readers: their public name and their picture.

The discussion engine does not know what an account's profile holds; the object named by
``BROADSHEET_DISCUSSION_PEOPLE`` does (Broadsheet plugs in
``broadsheet.accounts.identity.PROFILE_PEOPLE``: the profile's chosen display name). Every
place that shows a person to someone else (comment pages, "Commenting as", the API and the
notification e-mails) asks :func:`public_name`, so there is one rule for a public name and
a reader who chose a display name never has their real name or username shown or mailed to
other readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from django.utils.module_loading import import_string

from broadsheet.discussion import conf
from broadsheet.discussion.models import Comment

DELETED_LABEL = "[deleted]"
DELETED_USER_LABEL = "[deleted user]"
ANONYMOUS_LABEL = "Anonymous"


class People(Protocol):
    """What the engine asks of the host about an account (``user`` is the account, or any
    object with the same attributes, joined in by the selectors)."""

    #: The account's relations the two methods read, for ``select_related`` (so showing
    #: a page of names costs no query per person).
    related: tuple[str, ...]

    #: The account's columns (``values()`` paths from the account) that ``row_author``
    #: reads: a discussion page reads them with each comment instead of building model
    #: instances.
    row_fields: tuple[str, ...]

    def row_author(self, pk: int, is_staff: bool, values: Sequence[Any]) -> Any:
        """A light stand-in for the account from the ``row_fields`` values (in that order):
        ``pk``, ``is_staff`` and whatever ``public_name`` and ``avatar_url`` read."""
        ...

    def public_name(self, user: Any) -> str:
        """The name other readers see."""
        ...

    def avatar_url(self, user: Any) -> str | None:
        """The URL of the picture the person chose, or None (an identicon is drawn)."""
        ...


class AccountPeople:
    """The engine's default, for hosts without profiles: the account's full name, else its
    username; no uploaded pictures."""

    related: tuple[str, ...] = ()
    row_fields: tuple[str, ...] = ("username", "first_name", "last_name")

    def row_author(self, pk: int, is_staff: bool, values: Sequence[Any]) -> Any:
        username, first, last = values
        return AccountRow(pk, is_staff, username, first, last)

    def public_name(self, user: Any) -> str:
        full = (user.get_full_name() or "").strip() if hasattr(user, "get_full_name") else ""
        return full or str(user.get_username())

    def avatar_url(self, user: Any) -> str | None:
        return None


@dataclass(slots=True)
class AccountRow:
    """What AccountPeople reads of an account, from a discussion page's row."""

    pk: int
    is_staff: bool
    username: str
    first_name: str
    last_name: str

    @property
    def id(self) -> int:
        return self.pk

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_username(self) -> str:
        return self.username


ACCOUNT_PEOPLE = AccountPeople()


@lru_cache(maxsize=4)
def _load(path: str) -> People:
    people: People = import_string(path)
    return people


def people() -> People:
    """The configured implementation (imported once per dotted path)."""
    return _load(conf.people_path())


def author_joins(prefix: str = "author") -> list[str]:
    """``select_related`` paths that load a comment's author with what its public name and
    picture need (``prefix`` is the path to the account)."""
    return [prefix, *(f"{prefix}__{name}" for name in people().related)]


def public_name(user: Any) -> str:
    """The one rule for the name an account is shown under to other readers."""
    return people().public_name(user)


def avatar_url(user: Any) -> str | None:
    """The account's chosen picture, or None."""
    return people().avatar_url(user)


def author_name(comment: Any) -> str:
    """The byline of a comment (a Comment or a selector's row): "[deleted]" for a deleted
    comment, the account's public name, "[deleted user]" for an account deleted since, and
    otherwise the name the guest gave."""
    if comment.status == Comment.Status.DELETED:
        return DELETED_LABEL
    if comment.author_id is not None and comment.author is not None:
        return public_name(comment.author)
    if not comment.guest_name and not comment.guest_email:
        # An account's comment kept after the account was deleted (accounts app).
        return DELETED_USER_LABEL
    return str(comment.guest_name) or ANONYMOUS_LABEL
