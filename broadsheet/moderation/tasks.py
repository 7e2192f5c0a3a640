"""Background tasks of moderation (Django's tasks framework)."""

from __future__ import annotations

from django_tasks import task

from broadsheet.moderation.digest import send_moderation_digest


@task()
def send_moderation_digest_task() -> int:
    """Send the moderators' digest (scheduled by the operator, e.g. hourly via cron and
    the `send_moderation_digest` command)."""
    return send_moderation_digest()
