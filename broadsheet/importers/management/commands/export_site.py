"""manage.py export_site [--articles] [--format jsonl|disqus|wxr] OUT"""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from broadsheet.importers.export import disqus, wxr
from broadsheet.importers.export.writer import write_site

FORMATS = ("jsonl", "disqus", "wxr")


class Command(BaseCommand):
    help = (
        "Export the site's discussions (and with --articles its articles) as Broadsheet's "
        "JSON Lines, a Disqus XML export or a WordPress WXR file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="The file to write (- for standard output)")
        parser.add_argument(
            "--articles",
            action="store_true",
            help="Include the publication: images (references), authors, sections, articles",
        )
        parser.add_argument("--format", choices=FORMATS, default="jsonl", help="Default: jsonl")

    def _write(self, out: TextIO, options: dict[str, Any]) -> Counter[str]:
        if options["format"] == "disqus":
            return disqus.write_disqus(out)
        if options["format"] == "wxr":
            return wxr.write_wxr(out, articles=options["articles"])
        return write_site(out, articles=options["articles"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["format"] == "disqus" and options["articles"]:
            raise CommandError("A Disqus export holds discussions only: drop --articles.")
        if options["out"] == "-":
            # The stream under Django's wrapper: records are whole lines already.
            counts = self._write(getattr(self.stdout, "_out", sys.stdout), options)
            self.stderr.write(_summary(counts))
            return
        target = Path(options["out"])
        # Written beside the target and renamed at the end: a failed export never leaves
        # a file that looks whole.
        partial = target.with_name(target.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8") as out:
                counts = self._write(out, options)
            os.replace(partial, target)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {target}: {error}") from None
        self.stdout.write(f"Wrote {target}: {_summary(counts)}")


def _summary(counts: Counter[str]) -> str:
    return ", ".join(f"{number:,} {kind}" for kind, number in sorted(counts.items())) or "nothing"
