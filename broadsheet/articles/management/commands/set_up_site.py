"""Day one in production: name the publication and put its Wagtail Site on SITE_URL."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from broadsheet.articles.actions import do_set_up_site


class Command(BaseCommand):
    help = (
        "Name the publication and point the Wagtail Site at SITE_URL (host and port), "
        "so the admin's links and previews use the public address. Safe to re-run."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--name", default="", help="The publication's name (masthead).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            site = do_set_up_site(name=options["name"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Site: {site.root_url} · publication: {site.site_name}")
