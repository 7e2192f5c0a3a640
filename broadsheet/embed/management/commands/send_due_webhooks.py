"""Queue every webhook delivery that is due or whose attempt was lost."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from broadsheet.embed.webhooks.actions import do_send_due_webhooks


class Command(BaseCommand):
    help = (
        "Queue an attempt of every webhook delivery that is due: retries whose time has "
        "come and deliveries whose attempt was lost (a stopped or crashed task worker). "
        "run_schedule does this every minute."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        queued = do_send_due_webhooks()
        noun = "delivery" if queued == 1 else "deliveries"
        self.stdout.write(f"Queued {queued} webhook {noun}.")
