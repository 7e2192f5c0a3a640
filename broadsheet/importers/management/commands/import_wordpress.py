"""manage.py import_wordpress EXPORT.xml [--media-dir DIR] [--dry-run] [--url-map FILE]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from broadsheet.importers.matching import ThreadMatcher, load_url_map
from broadsheet.importers.report import ImportReport, Progress
from broadsheet.importers.runs import import_run
from broadsheet.importers.wordpress import SOURCE, WordPressImport, first_pass
from broadsheet.importers.xmlstream import MalformedExport


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR): posts, authors, sections, tags, images, "
        "comments and redirects from every old address (safe to run again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("export", help="The WXR file from Tools → Export")
        parser.add_argument("--media-dir", help="The site's copy of wp-content/uploads")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; write nothing"
        )
        parser.add_argument("--url-map", help="A file of OLD NEW address pairs, one per line")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            url_map = load_url_map(options["url_map"])
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from None
        report = ImportReport(source=SOURCE, dry_run=options["dry_run"])
        progress = Progress(getattr(self.stderr, "_out", None))
        try:
            site = first_pass(options["export"], report)
        except MalformedExport as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"Cannot read the export: {error}") from None
        with import_run(report=report, path=options["export"]) as run:
            WordPressImport(
                path=options["export"],
                site=site,
                report=report,
                run=run,
                media_dir=options["media_dir"],
                matcher=ThreadMatcher(url_map),
                progress=progress,
            ).run_import()
        self.stdout.write(report.render())
