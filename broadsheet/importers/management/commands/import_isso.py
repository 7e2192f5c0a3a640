"""manage.py import_isso comments.db [--dry-run] [--url-map FILE]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from broadsheet.importers.comments import import_discussions
from broadsheet.importers.isso import SOURCE, IssoDatabase, NotAnIssoDatabase
from broadsheet.importers.matching import ThreadMatcher, load_url_map
from broadsheet.importers.report import ImportReport, Progress
from broadsheet.importers.runs import import_run


class Command(BaseCommand):
    help = "Import the threads and comments of an Isso SQLite database (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("database", help="Isso's comments.db (opened read-only)")
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
        try:
            database = IssoDatabase(options["database"], report)
        except NotAnIssoDatabase as error:
            raise CommandError(str(error)) from None
        try:
            with import_run(report=report, path=options["database"]) as run:
                import_discussions(
                    database,
                    source=SOURCE,
                    matcher=ThreadMatcher(url_map),
                    report=report,
                    run=run,
                    progress=Progress(getattr(self.stderr, "_out", None)),
                    total=database.comment_total(),
                )
        finally:
            database.close()
        self.stdout.write(report.render())
