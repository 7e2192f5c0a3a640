"""Settings of the accounts app, read at call time (defaults here, documented in
docs/settings.md)."""

from __future__ import annotations

from django.conf import settings

DELETE_MODES = ("anonymise", "remove")


def delete_comments() -> str:
    """BROADSHEET_ACCOUNTS_DELETE_COMMENTS: what happens to an account's comments when it
    is deleted: "anonymise" (default; they stay, shown as "[deleted user]") or "remove"
    (each is deleted through the discussion's own write path; a comment with replies
    stays as a "[deleted]" placeholder)."""
    mode = getattr(settings, "BROADSHEET_ACCOUNTS_DELETE_COMMENTS", "anonymise")
    if mode not in DELETE_MODES:
        raise ValueError(f"BROADSHEET_ACCOUNTS_DELETE_COMMENTS must be one of {DELETE_MODES}")
    return str(mode)


def avatar_size() -> int:
    """BROADSHEET_ACCOUNTS_AVATAR_SIZE: the side in pixels of the square JPEG an uploaded
    avatar is resized to (default 256)."""
    return int(getattr(settings, "BROADSHEET_ACCOUNTS_AVATAR_SIZE", 256))


def avatar_max_bytes() -> int:
    """BROADSHEET_ACCOUNTS_AVATAR_MAX_BYTES: the largest avatar upload accepted, in bytes
    (default 2 MB)."""
    return int(getattr(settings, "BROADSHEET_ACCOUNTS_AVATAR_MAX_BYTES", 2 * 1024 * 1024))


def my_comments_page_size() -> int:
    """BROADSHEET_ACCOUNTS_MY_COMMENTS_PAGE_SIZE: comments per page of "My comments"
    (default 20)."""
    return int(getattr(settings, "BROADSHEET_ACCOUNTS_MY_COMMENTS_PAGE_SIZE", 20))


EXPORT_PARTS = (
    "broadsheet.notifications.selectors.subscriptions_for_export",
    "broadsheet.moderation.selectors.reports_for_export",
    "broadsheet.articles.selectors.reactions_for_export",
)


def export_parts() -> tuple[str, ...]:
    """BROADSHEET_ACCOUNTS_EXPORT_PARTS: dotted paths of the callables that add their
    app's part to an account's data download (each takes the account and returns a dict
    of lists). The apps that keep readers' subscriptions, reports and reactions sit beside
    or above accounts, so accounts names them here rather than importing them."""
    return tuple(getattr(settings, "BROADSHEET_ACCOUNTS_EXPORT_PARTS", EXPORT_PARTS))
