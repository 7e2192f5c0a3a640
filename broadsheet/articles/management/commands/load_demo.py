from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from broadsheet.articles import demo
from broadsheet.articles.demo_discussions import load_demo_discussions


class Command(BaseCommand):
    help = "Load the demo publication and accounts (idempotent: re-runs add only what is missing)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = demo.load_publication()
        self.stdout.write(
            f"Demo publication: {created['sections']} sections, {created['authors']} authors, "
            f"{created['articles']} articles added."
        )
        self.stdout.write(load_demo_discussions())
        accounts = demo.ensure_demo_accounts()
        self.stdout.write(f"Demo accounts (also in {demo.demo_accounts_path()}):")
        for role, account in accounts.items():
            self.stdout.write(f"  {role:<18} {account['username']:<12} {account['password']}")
