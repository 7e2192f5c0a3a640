"""How the discussion engine reaches moderation: the pipeline that decides a new comment's
status, the audit log that records every moderation change, and the age at which a
discussion closes by itself.

The engine does not import the moderation app (it sits below it: docs/architecture.md);
the object named by ``BROADSHEET_DISCUSSION_MODERATION`` implements :class:`Moderation`
(Broadsheet plugs in ``broadsheet.moderation.pipeline.MODERATION``). The default,
:data:`NO_MODERATION`, publishes everything, records nothing and never closes by age.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from django.utils import timezone
from django.utils.module_loading import import_string

from broadsheet.discussion import conf

if TYPE_CHECKING:
    from broadsheet.discussion.identity import Actor
    from broadsheet.discussion.models import Comment, Thread


@dataclass(frozen=True)
class NewSubmission:
    """A comment about to be stored, as the pipeline sees it. ``honeypot`` and
    ``rendered_at`` come from the HTML form's anti-bot fields (None: not checked)."""

    thread: Thread
    actor: Actor
    body: str
    guest_email: str = ""
    honeypot: str | None = None
    rendered_at: str | None = None


@dataclass(frozen=True)
class Ruling:
    """What the pipeline decided for a new comment: its status and why ("" when simply
    approved)."""

    status: str
    reason: str = ""


@dataclass(frozen=True)
class Change:
    """One moderation change for the audit log. ``action`` is one of the audit log's verbs
    ("close", "reopen", "approve", "reject", "spam", "hold", "auto_hold", "feature",
    "unfeature"); ``actor`` is the person, or the system actor for automatic changes."""

    action: str
    actor: Actor
    thread_id: int
    comment: Comment | None = None
    reason: str = ""
    before: str = ""
    after: str = ""


class Moderation(Protocol):
    def prepare(self, submission: NewSubmission) -> Any:
        """Before the posting transaction: ask what needs no write lock (a spam service,
        sanctions). Returns what ``decide`` takes."""
        ...

    def decide(self, prepared: Any, *, thread: Thread) -> Ruling:
        """Under the thread's lock: the new comment's status and reason. Refusing the
        comment outright raises an ActionError (nothing is stored)."""
        ...

    def record(self, change: Change) -> None:
        """Write the audit row of `change`, inside the transaction that made it."""
        ...

    def closing_age(self) -> timedelta | None:
        """Discussions older than this take no new comments (None: never by age)."""
        ...

    def reason_shown(self, stored: str) -> str:
        """A ruling's stored reason in the active language, for the moderators' view of a
        held comment (reasons are stored in English)."""
        ...


class NoModeration:
    """Everything published, nothing recorded, no closing by age."""

    def prepare(self, submission: NewSubmission) -> Any:
        return submission

    def decide(self, prepared: Any, *, thread: Thread) -> Ruling:
        return Ruling("approved")

    def record(self, change: Change) -> None:
        return None

    def closing_age(self) -> timedelta | None:
        return None

    def reason_shown(self, stored: str) -> str:
        return stored


NO_MODERATION = NoModeration()


@lru_cache(maxsize=4)
def _load(path: str) -> Moderation:
    moderation: Moderation = import_string(path)
    return moderation


def moderation() -> Moderation:
    """The configured implementation (imported once per dotted path)."""
    return _load(conf.moderation_path())


def closed_by_age(thread: Thread, now: datetime | None = None) -> bool:
    """True when `thread` is older than the moderation's closing age."""
    age = moderation().closing_age()
    return age is not None and thread.created_at <= (now or timezone.now()) - age


def is_closed(thread: Thread, now: datetime | None = None) -> bool:
    """The one answer to "does this discussion take new comments?" for pages and posting:
    closed by a moderator, or past its closing age (whether or not the auto-close job has
    written it down yet)."""
    return bool(thread.is_closed) or closed_by_age(thread, now)
