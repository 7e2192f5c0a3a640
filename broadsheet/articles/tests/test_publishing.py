"""When an article counts as first published, and the schedule that publishes it."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.articles.actions import do_publish_scheduled_pages
from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article
from broadsheet.core.schedule import Job, enqueue_due, scheduled_jobs

pytestmark = pytest.mark.django_db


def test_an_article_is_first_published_when_it_goes_live_not_when_drafted(
    client: Client, site_structure: Any
) -> None:
    draft = make_article(title="Drafted on Monday", publish=False)
    time.sleep(1.1)
    before_publishing = timezone.now()
    draft.get_latest_revision().publish()

    article = ArticlePage.objects.get(pk=draft.pk)
    assert article.first_published_at is not None
    assert article.first_published_at >= before_publishing
    html = client.get(article.url).content.decode()
    assert f'"datePublished": "{article.first_published_at.isoformat()}' in html
    feed = client.get("/feed/rss/").content.decode()
    assert "Drafted on Monday" in feed


def test_a_scheduled_article_is_dated_at_its_go_live_time(site_structure: Any) -> None:
    draft = make_article(title="Scheduled for the morning", publish=False)
    draft.go_live_at = timezone.now() + timedelta(seconds=1)
    draft.save_revision().publish()
    assert not ArticlePage.objects.get(pk=draft.pk).live
    do_publish_scheduled_pages()
    assert not ArticlePage.objects.get(pk=draft.pk).live, "published before its time"

    time.sleep(1.5)
    do_publish_scheduled_pages()
    article = ArticlePage.objects.get(pk=draft.pk)
    assert article.live
    assert article.first_published_at == draft.go_live_at


def test_a_republished_article_keeps_its_first_publication(site_structure: Any) -> None:
    article = make_article(title="Corrected later", days_ago=3)
    first = article.first_published_at
    article.dek = "A corrected standfirst."
    article.save_revision().publish()
    assert ArticlePage.objects.get(pk=article.pk).first_published_at == first


def test_each_periodic_run_is_enqueued_once_among_schedulers(settings: Any) -> None:
    settings.BROADSHEET_SCHEDULE = {
        "broadsheet.articles.tasks.publish_scheduled_pages_task": 10,
        "broadsheet.moderation.tasks.close_old_discussions_task": 0,
    }
    jobs = scheduled_jobs()
    assert jobs == [Job("broadsheet.articles.tasks.publish_scheduled_pages_task", 10)]
    now = 1_000_000.0
    assert enqueue_due(jobs, now) == ["publish_scheduled_pages_task"]
    assert enqueue_due(jobs, now + 5) == []  # another scheduler, same interval
    assert enqueue_due(jobs, now + 10) == ["publish_scheduled_pages_task"]


def test_every_scheduled_job_names_a_task(settings: Any) -> None:
    from django.utils.module_loading import import_string

    for job in scheduled_jobs():
        assert hasattr(import_string(job.task_path), "enqueue"), job.task_path
