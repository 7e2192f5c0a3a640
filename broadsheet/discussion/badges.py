"""Who a commenter is, shown beside the name: Author, Moderator, Staff or Guest; and the
names a guest may not take (the publication's, role words, staff accounts' names).

The engine does not know who wrote a thread's page: the host answers through the callable
named by BROADSHEET_DISCUSSION_THREAD_AUTHORS, ``thread_authors(thread_id) -> frozenset of
user ids`` (articles map an article's byline to accounts). Who moderates or is staff is
read from the accounts once a minute into the shared cache, so a discussion page costs no
query for it.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from broadsheet.discussion import conf
from broadsheet.discussion.people import public_name

AUTHOR = "author"
MODERATOR = "moderator"
STAFF = "staff"
GUEST = "guest"
LABELS = {
    AUTHOR: _("Author"),
    MODERATOR: _("Moderator"),
    STAFF: _("Staff"),
    GUEST: _("Guest"),
}

# Words that would make a guest look like the publication speaking.
ROLE_WORDS = frozenset(
    (
        "admin",
        "administrator",
        "moderator",
        "moderators",
        "moderation",
        "staff",
        "editor",
        "editors",
        "webmaster",
        "official",
        "broadsheet",
    )
)
_ACCOUNTS_KEY = "discussion:badges:accounts"
_ACCOUNTS_SECONDS = 60


def normal_name(name: str) -> str:
    """Lower case, letters and digits only, single spaces: "The  Editor!" -> "the editor"."""
    return " ".join(re.findall(r"\w+", name.casefold())).replace("_", " ").strip()


def known_accounts() -> tuple[frozenset[int], frozenset[int], frozenset[str]]:
    """(moderators' user ids, staff user ids, normalised names of both), cached a minute."""
    cached = cache.get(_ACCOUNTS_KEY)
    if cached is not None:
        return cached
    label, codename = "discussion", "moderate_comment"
    user_model = get_user_model()
    by_group = user_model.objects.filter(
        pk=OuterRef("pk"),
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=label,
    )
    by_grant = user_model.objects.filter(
        pk=OuterRef("pk"),
        user_permissions__codename=codename,
        user_permissions__content_type__app_label=label,
    )
    # One query: the team is a few dozen accounts at most.
    rows = list(
        user_model.objects.filter(is_active=True)
        .annotate(moderates=Q(is_superuser=True) | Exists(by_group) | Exists(by_grant))
        .filter(Q(is_staff=True) | Q(moderates=True))
    )
    moderators = frozenset(u.pk for u in rows if u.moderates)
    staff = frozenset(u.pk for u in rows if u.is_staff)
    names = frozenset(
        normal
        for u in rows
        for normal in (normal_name(public_name(u)), normal_name(u.get_username()))
        if normal
    )
    answer = (moderators, staff, names)
    cache.set(_ACCOUNTS_KEY, answer, _ACCOUNTS_SECONDS)
    return answer


def forget_known_accounts() -> None:
    cache.delete(_ACCOUNTS_KEY)


def no_thread_authors(thread_id: int) -> frozenset[int]:
    return frozenset()


def thread_author_ids(thread_id: int) -> frozenset[int]:
    return frozenset(import_string(conf.thread_authors())(thread_id))


class Badges:
    """The badges of one page of comments: accounts read once, a thread's authors once,
    each when a comment with an account first needs them (a guest's comment needs
    neither)."""

    def __init__(self) -> None:
        self._authors: dict[int, frozenset[int]] = {}

    @cached_property
    def _team(self) -> tuple[frozenset[int], frozenset[int]]:
        moderators, staff, _ = known_accounts()
        return moderators, staff

    def of(self, comment: Any) -> str:
        if comment.author_id is None:
            return GUEST if comment.guest_name or comment.guest_email else ""
        thread_id = comment.thread_id
        if thread_id not in self._authors:
            self._authors[thread_id] = thread_author_ids(thread_id)
        if comment.author_id in self._authors[thread_id]:
            return AUTHOR
        moderators, staff = self._team
        if comment.author_id in moderators:
            return MODERATOR
        if comment.author_id in staff:
            return STAFF
        return ""


def reserved_name_problem(name: str, *, reserved: tuple[str, ...] = ()) -> str | None:
    """Why a guest may not comment under `name`, or None."""
    normal = normal_name(name)
    if not normal:
        return None
    if normal in {normal_name(r) for r in reserved if r}:
        return "That is the publication's name. Please choose a name of your own."
    if ROLE_WORDS & set(normal.split()):
        return "Names that suggest a role here (moderator, admin, staff…) are kept for the team."
    if normal in known_accounts()[2]:
        return "That name belongs to a member of the team. Please choose another."
    return None
