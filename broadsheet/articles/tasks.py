"""Background tasks of the publication (Django's tasks framework)."""

from __future__ import annotations

from django_tasks import task

from broadsheet.articles.actions import do_publish_scheduled_pages


@task()
def publish_scheduled_pages_task() -> str:
    """Publish scheduled revisions that are due and unpublish expired pages (every few
    seconds on BROADSHEET_SCHEDULE)."""
    return do_publish_scheduled_pages()
