"""Register the demo's embedding site (pages on http://127.0.0.1 and http://localhost,
any port), print its snippet and write var/demo-embed.json. Safe to run again."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from broadsheet.embed.actions import do_register_site
from broadsheet.embed.models import EmbeddingSite
from broadsheet.embed.snippets import script_snippet

DEMO_NAME = "Demo embedding site"
DEMO_ORIGINS = ["http://127.0.0.1:*", "http://localhost:*"]


class Command(BaseCommand):
    help = "Register the demo embedding site and write var/demo-embed.json with its snippet."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", default=str(settings.VAR_DIR / "demo-embed.json"))

    def handle(self, *args: Any, **options: Any) -> None:
        site = EmbeddingSite.objects.filter(name=DEMO_NAME).first()
        if site is None:
            site = do_register_site(name=DEMO_NAME, origin_lines=DEMO_ORIGINS)
        snippet = script_snippet(site)
        with open(options["output"], "w", encoding="utf-8") as out:
            json.dump({"site_key": site.key, "snippet": snippet}, out, indent=2)
        self.stdout.write(
            "Embed the demo's discussions in any page on http://127.0.0.1 or "
            f"http://localhost (any port) with:\n\n{snippet}\n\n(also in {options['output']})"
        )
