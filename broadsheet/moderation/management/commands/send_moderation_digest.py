"""Send moderators a digest of new reports and comments waiting for review."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from broadsheet.moderation.digest import send_moderation_digest


class Command(BaseCommand):
    help = "E-mail moderators the reports and held comments that arrived since the last digest."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_moderation_digest()
        self.stdout.write(f"Digest sent to {sent} moderator(s).")
