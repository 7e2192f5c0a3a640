"""Close discussions older than BROADSHEET_MODERATION_AUTO_CLOSE_DAYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from broadsheet.moderation.actions import do_auto_close_old_discussions


class Command(BaseCommand):
    help = "Close discussions older than BROADSHEET_MODERATION_AUTO_CLOSE_DAYS (0: never)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count them.")

    def handle(self, *args: Any, **options: Any) -> None:
        closed = do_auto_close_old_discussions(dry_run=options["dry_run"])
        verb = "Would close" if options["dry_run"] else "Closed"
        self.stdout.write(f"{verb} {closed} discussion(s).")
