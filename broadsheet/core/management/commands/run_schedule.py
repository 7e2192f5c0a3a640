"""Enqueue the periodic jobs of BROADSHEET_SCHEDULE for the task worker, forever."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from broadsheet.core.schedule import run_schedule, scheduled_jobs


class Command(BaseCommand):
    help = (
        "Enqueue the periodic jobs (scheduled publishing, moderators' digest, auto-close) "
        "for `db_worker` at the intervals of BROADSHEET_SCHEDULE. Runs until stopped."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--for", dest="stop_after", type=float, default=None, help="Stop after N seconds."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for job in scheduled_jobs():
            self.stdout.write(f"every {job.every_seconds} s: {job.task_path}")
        total = run_schedule(stop_after=options["stop_after"])
        self.stdout.write(f"Enqueued {total} run(s).")
