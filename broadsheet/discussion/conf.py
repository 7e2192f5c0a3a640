"""Settings of the discussion engine, each with its default.

Every value is read at call time (``core.settings_read.setting``:
"BROADSHEET_DISCUSSION_<NAME>", else its default), so tests and operators can change them
without a restart of the module. The docstring of each accessor below is the
documentation copied into docs/settings.md.
"""

from __future__ import annotations

from typing import Any

from broadsheet.core.settings_read import settings_reader

PREFIX = "BROADSHEET_DISCUSSION_"

DEFAULTS: dict[str, Any] = {
    "EDIT_WINDOW": 900,
    "PAGE_SIZE": 20,
    "MAX_DEPTH": 4,
    "FOLD_LENGTH": 700,
    "REPLIES_PER_ROOT": 50,
    "BODY_MAX_LENGTH": 10_000,
    "NAME_MAX_LENGTH": 60,
    "POST_RATE_LIMIT": (5, 60),
    "VOTE_RATE_LIMIT": (60, 60),
    "POLICY": "broadsheet.discussion.policy.default_policy",
    "PEOPLE": "broadsheet.discussion.people.ACCOUNT_PEOPLE",
    "MODERATION": "broadsheet.discussion.oversight.NO_MODERATION",
    "ANCHOR_TEXT": None,
    "LIVE": None,
    "THREAD_AUTHORS": "broadsheet.discussion.badges.no_thread_authors",
}


_get = settings_reader(PREFIX, DEFAULTS)


def edit_window() -> int:
    """BROADSHEET_DISCUSSION_EDIT_WINDOW (seconds, default 900): how long after posting the
    author may still edit a comment. Deleting is allowed at any time."""
    return int(_get("EDIT_WINDOW"))


def page_size() -> int:
    """BROADSHEET_DISCUSSION_PAGE_SIZE (default 20): top-level comments per discussion page;
    each comes with its replies (up to BROADSHEET_DISCUSSION_REPLIES_PER_ROOT)."""
    return max(1, int(_get("PAGE_SIZE")))


def max_depth() -> int:
    """BROADSHEET_DISCUSSION_MAX_DEPTH (default 4): indentation levels shown. Deeper replies
    are stored as they are and render at the last level, still saying "Reply to <name>"."""
    return max(0, int(_get("MAX_DEPTH")))


def fold_length() -> int:
    """BROADSHEET_DISCUSSION_FOLD_LENGTH (characters, default 700): comments whose text is
    longer are folded behind "Read more »" (the whole text stays in the HTML)."""
    return int(_get("FOLD_LENGTH"))


def replies_per_root() -> int:
    """BROADSHEET_DISCUSSION_REPLIES_PER_ROOT (default 50): replies shown under one top-level
    comment on a discussion page; the rest are one "View all N replies" link away."""
    return max(1, int(_get("REPLIES_PER_ROOT")))


def body_max_length() -> int:
    """BROADSHEET_DISCUSSION_BODY_MAX_LENGTH (characters, default 10000): the longest comment
    (its Markdown source) a reader may post."""
    return int(_get("BODY_MAX_LENGTH"))


def name_max_length() -> int:
    """BROADSHEET_DISCUSSION_NAME_MAX_LENGTH (characters, default 60): the longest name a
    guest may give."""
    return int(_get("NAME_MAX_LENGTH"))


def post_rate_limit() -> tuple[int, int]:
    """BROADSHEET_DISCUSSION_POST_RATE_LIMIT ((count, seconds), default (5, 60)): comments
    one client IP (keyed hash) may post per window, across all threads."""
    limit, window = _get("POST_RATE_LIMIT")
    return int(limit), int(window)


def vote_rate_limit() -> tuple[int, int]:
    """BROADSHEET_DISCUSSION_VOTE_RATE_LIMIT ((count, seconds), default (60, 60)): comment
    votes one client IP (keyed hash) may cast per window."""
    limit, window = _get("VOTE_RATE_LIMIT")
    return int(limit), int(window)


def thread_authors() -> str:
    """BROADSHEET_DISCUSSION_THREAD_AUTHORS (dotted path, default
    "broadsheet.discussion.badges.no_thread_authors"): the host callable naming the accounts
    that wrote a thread's page, ``thread_authors(thread_id) -> set of user ids``; their
    comments there carry the "Author" badge. Called once per thread per page."""
    return str(_get("THREAD_AUTHORS"))


def policy_path() -> str:
    """BROADSHEET_DISCUSSION_POLICY (dotted path, default
    "broadsheet.discussion.policy.default_policy"): the callable that decides, per thread,
    whether posting is enabled, whether guests may post and the default sort. It is called as
    ``policy(thread, request=None)`` and returns a DiscussionPolicy (see policy.py)."""
    return str(_get("POLICY"))


def people_path() -> str:
    """BROADSHEET_DISCUSSION_PEOPLE (dotted path, default
    "broadsheet.discussion.people.ACCOUNT_PEOPLE": full name, else username, no pictures):
    the object that says how an account appears to other readers, with
    ``public_name(user) -> str`` and ``avatar_url(user) -> str | None`` (the
    ``people.People`` protocol). Pages, "Commenting as", the API and notification e-mails
    all ask it."""
    return str(_get("PEOPLE"))


def moderation_path() -> str:
    """BROADSHEET_DISCUSSION_MODERATION (dotted path, default
    "broadsheet.discussion.oversight.NO_MODERATION": publish everything, audit nothing,
    never close by age): the object implementing ``oversight.Moderation``, which decides a
    new comment's status, writes the audit row of every moderation change (closing,
    reopening, status changes, featuring) and says when a discussion closes by age."""
    return str(_get("MODERATION"))


def anchor_text() -> str | None:
    """BROADSHEET_DISCUSSION_ANCHOR_TEXT (dotted path, default None): the host callable that
    gives the current plain text of each anchorable passage of a thread's page, called as
    ``anchor_texts(thread) -> dict[block id, plain text]`` once per request (an
    ``anchors.AnchorTexts`` may also name the feedback points and the revision). None: no
    passages, so readers cannot anchor comments and nothing is ever outdated."""
    value = _get("ANCHOR_TEXT")
    return str(value) if value else None


def live_path() -> str | None:
    """BROADSHEET_DISCUSSION_LIVE (dotted path, default None): the callable that says whether
    a thread's section goes live, called as ``live(thread) -> dict[str, str]`` (the data
    attributes live updates need, e.g. the stream URL; empty for none). It must not depend
    on the reader: the section may be stored in the anonymous page cache. None: no live
    updates (the realtime app plugs in ``broadsheet.realtime.section.live_attributes``)."""
    value = _get("LIVE")
    return str(value) if value else None
