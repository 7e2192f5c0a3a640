"""manage.py import_disqus EXPORT.xml [--dry-run] [--url-map FILE]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from broadsheet.importers.comments import import_discussions
from broadsheet.importers.disqus import SOURCE, read_export
from broadsheet.importers.matching import ThreadMatcher, load_url_map
from broadsheet.importers.report import ImportReport, Progress
from broadsheet.importers.runs import import_run
from broadsheet.importers.staging import Staging
from broadsheet.importers.xmlstream import MalformedExport


class Command(BaseCommand):
    help = "Import a Disqus XML export's threads and comments (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("export", help="The Disqus XML export file")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; write nothing"
        )
        parser.add_argument("--url-map", help="A file of OLD NEW address pairs, one per line")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            url_map = load_url_map(options["url_map"])
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from None
        progress = Progress(getattr(self.stderr, "_out", None))
        report = ImportReport(source=SOURCE, dry_run=options["dry_run"])
        with Staging() as staging:
            try:
                read_export(options["export"], staging, report, progress)
            except MalformedExport as error:
                raise CommandError(str(error)) from None
            except OSError as error:
                raise CommandError(f"Cannot read the export: {error}") from None
            with import_run(report=report, path=options["export"]) as run:
                import_discussions(
                    staging,
                    source=SOURCE,
                    matcher=ThreadMatcher(url_map),
                    report=report,
                    run=run,
                    progress=progress,
                    total=staging.comment_total,
                )
        self.stdout.write(report.render())
