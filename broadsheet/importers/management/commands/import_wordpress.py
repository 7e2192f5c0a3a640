"""manage.py import_wordpress EXPORT.xml [--media-dir DIR] [--fetch-images] [--dry-run]
[--url-map FILE]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from broadsheet.importers.matching import load_url_map
from broadsheet.importers.pipeline import ExportRefused, run_import
from broadsheet.importers.report import Progress
from broadsheet.importers.wordpress import SOURCE


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR): posts, authors, sections, tags, images, "
        "comments and redirects from every old address (safe to run again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("export", help="The WXR file from Tools → Export")
        parser.add_argument("--media-dir", help="The site's copy of wp-content/uploads")
        parser.add_argument(
            "--fetch-images",
            action="store_true",
            help="Ask the old site for pictures missing from --media-dir (public addresses only)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; write nothing"
        )
        parser.add_argument("--url-map", help="A file of OLD NEW address pairs, one per line")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            url_map = load_url_map(options["url_map"])
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from None
        try:
            report = run_import(
                SOURCE,
                options["export"],
                dry_run=options["dry_run"],
                progress=Progress(getattr(self.stderr, "_out", None)),
                url_map=url_map,
                media_dir=options["media_dir"],
                fetch_images=options["fetch_images"],
            )
        except ExportRefused as error:
            raise CommandError(str(error)) from None
        self.stdout.write(report.render())
