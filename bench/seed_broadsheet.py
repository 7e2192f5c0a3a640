"""Seed Broadsheet's bench database (run by bench/run.py with Broadsheet's venv).

Usage: python bench/seed_broadsheet.py SIZE [SIZE...]
Environment: DJANGO_SETTINGS_MODULE=bench.bench_settings, BROADSHEET_VAR_DIR=<bench var>.

Migrates, creates one published article per size with ``make_article``, registers its
thread ("article-<page pk>") and posts the planned comments, in order, through
``do_post_comment``: Broadsheet's one write path. Then counts the SQL queries of each
article page (anonymous reader, second view) and prints one JSON document.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.plan import discussion  # noqa: E402
from broadsheet.articles.testing import make_article  # noqa: E402
from broadsheet.discussion import actions  # noqa: E402
from broadsheet.discussion.identity import Actor  # noqa: E402
from broadsheet.discussion.models import Comment  # noqa: E402
from broadsheet.discussion.testing import thread_inconsistencies  # noqa: E402


def seed(size: int) -> dict[str, object]:
    article = make_article(title=f"A discussion of {size} comments")
    url = article.get_url() or article.url or "/"
    thread = actions.do_register_thread(key=f"article-{article.pk}", title=article.title, url=url)
    guest = Actor()  # a trusted loader: no client address, so no rate limit applies
    posted: list[Comment] = []
    started = time.perf_counter()
    held = 0
    for item in discussion(size):
        parent = posted[item.parent] if item.parent is not None else None
        if parent is not None and parent.status != Comment.Status.APPROVED:
            # The moderation pipeline held the parent (it runs here as in production);
            # nobody can reply to a comment they cannot see, so this one starts a thread.
            parent = None
        comment = actions.do_post_comment(
            actor=guest,
            new=actions.NewComment(
                thread=thread,
                body=item.body,
                parent=parent,
                guest_name=item.author,
                guest_email=item.email,
            ),
        )
        held += comment.status != Comment.Status.APPROVED
        posted.append(comment)
    seconds = time.perf_counter() - started
    problems = thread_inconsistencies(thread)
    return {
        "size": size,
        "article_url": url,
        "thread_key": thread.key,
        "comment_ids": [comment.pk for comment in posted],
        "seed_seconds": round(seconds, 2),
        "held_by_moderation": held,
        "inconsistencies": problems[:5],
    }


def queries_per_page(url: str) -> int:
    client = Client(HTTP_HOST="127.0.0.1")
    client.get(url)  # warm per-process caches (navigation, settings)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def main(sizes: list[int]) -> None:
    call_command("migrate", verbosity=0, interactive=False)
    seeded = [seed(size) for size in sizes]
    for item in seeded:
        item["queries_per_article_page"] = queries_per_page(str(item["article_url"]))
    json.dump({"threads": seeded}, sys.stdout)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]])
