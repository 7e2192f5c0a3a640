"""Background work of the embed: webhook deliveries (django_tasks)."""

from __future__ import annotations

from django_tasks import task

from broadsheet.embed.webhooks import actions


@task()
def deliver_webhook_task(delivery_id: int) -> str:
    """Attempt one webhook delivery; a failed attempt schedules the next with back-off."""
    return actions.do_attempt_delivery(delivery_id=delivery_id)


@task()
def send_due_webhooks_task() -> int:
    """Queue every webhook delivery that is due or was lost (every minute on
    BROADSHEET_SCHEDULE; the `send_due_webhooks` command does the same by hand)."""
    return actions.do_send_due_webhooks()
