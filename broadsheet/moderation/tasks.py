"""Background tasks of moderation (Django's tasks framework)."""

from __future__ import annotations

from django_tasks import task

from broadsheet.moderation.actions import do_auto_close_old_discussions
from broadsheet.moderation.digest import send_moderation_digest


@task()
def send_moderation_digest_task() -> int:
    """Send the moderators' digest (hourly on BROADSHEET_SCHEDULE; the
    `send_moderation_digest` command does the same by hand)."""
    return send_moderation_digest()


@task()
def close_old_discussions_task() -> int:
    """Close discussions older than BROADSHEET_MODERATION_AUTO_CLOSE_DAYS (run daily on
    BROADSHEET_SCHEDULE; the `close_old_discussions` command does the same by hand)."""
    return do_auto_close_old_discussions()
