"""manage.py import_isso against a database made with Isso's schema for these tests."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from broadsheet.articles.testing import make_article
from broadsheet.discussion.actions import IMPORTED_VOTER_PREFIX
from broadsheet.discussion.models import Comment, CommentVote, Thread
from broadsheet.discussion.testing import thread_inconsistencies

pytestmark = pytest.mark.django_db

# The tables as Isso creates them (isso/db/threads.py, isso/db/comments.py).
SCHEMA = """
CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
CREATE TABLE comments (
    tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
    created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR,
    text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,
    likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL,
    notification INTEGER NOT NULL DEFAULT 0);
CREATE TABLE preferences (key VARCHAR PRIMARY KEY, value VARCHAR);
"""


def isso_db(path: Path, article_path: str) -> Path:
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    db.executemany(
        "INSERT INTO threads VALUES (?, ?, ?)",
        [(1, article_path, "The river plan"), (2, "/about/", None)],
    )
    rows = [
        # tid, id, parent, created, modified, mode, addr, text, author, email, website, +, -
        (
            1,
            1,
            None,
            1_500_000_000.5,
            None,
            1,
            "198.51.100.0",
            "**Bold** start",
            "Rosa",
            "rosa@example.org",
            "https://rosa.example",
            5,
            2,
        ),
        (
            1,
            2,
            1,
            1_500_000_100.0,
            1_500_000_200.0,
            1,
            "203.0.113.0",
            "A reply",
            None,
            None,
            None,
            0,
            0,
        ),
        (
            1,
            3,
            1,
            1_500_000_300.0,
            None,
            2,
            "203.0.113.0",
            "Awaiting moderation",
            "Omar",
            None,
            None,
            0,
            0,
        ),
        (1, 4, None, 1_500_000_400.0, None, 4, "203.0.113.0", "", None, None, None, 0, 0),
        (
            1,
            5,
            4,
            1_500_000_500.0,
            None,
            1,
            "203.0.113.0",
            "Under a deleted one",
            "Lina",
            None,
            None,
            1,
            0,
        ),
        (
            1,
            6,
            None,
            1_500_000_600.0,
            None,
            3,
            "203.0.113.0",
            "Unknown mode",
            "X",
            None,
            None,
            0,
            0,
        ),
        (2, 7, None, 1_500_000_700.0, None, 1, "203.0.113.0", "About page", "Y", None, None, 0, 0),
    ]
    db.executemany(
        "INSERT INTO comments (tid, id, parent, created, modified, mode, remote_addr, text,"
        " author, email, website, likes, dislikes, voters) VALUES"
        " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, x'00')",
        rows,
    )
    db.commit()
    db.close()
    return path


def test_an_isso_database_lands_with_modes_votes_and_markdown(
    tmp_path: Path, run_command: Callable[..., str]
) -> None:
    article = make_article(title="Isso article")
    db = isso_db(tmp_path / "comments.db", article.get_url())
    output = run_command("import_isso", str(db))

    thread = Thread.objects.get(key=article.thread_key)
    first = Comment.objects.get(thread=thread, guest_name="Rosa")
    assert first.body_html == '<p dir="auto"><strong>Bold</strong> start</p>'
    assert (first.upvotes, first.downvotes, first.score) == (5, 2, 3)
    assert CommentVote.objects.filter(comment=first).count() == 7
    assert all(
        key.startswith(IMPORTED_VOTER_PREFIX)
        for key in CommentVote.objects.values_list("voter_key", flat=True)
    )
    assert first.guest_website == "https://rosa.example"
    assert first.created_at.timestamp() == 1_500_000_000.5
    reply = Comment.objects.get(thread=thread, body_source="A reply")
    assert reply.parent_id == first.pk and reply.guest_name == "Anonymous"
    assert reply.edited_at is not None
    assert Comment.objects.get(guest_name="Omar").status == Comment.Status.PENDING
    placeholder = Comment.objects.get(thread=thread, parent=None, status=Comment.Status.DELETED)
    assert Comment.objects.get(guest_name="Lina").parent_id == placeholder.pk
    assert "mode 3" in output
    assert Thread.objects.filter(key="/about/").exists()
    assert thread.comment_count == 3
    assert thread_inconsistencies(thread) == []

    before = list(Comment.objects.values_list("pk", "status", "reply_count").order_by("pk"))
    run_command("import_isso", str(db))
    assert list(Comment.objects.values_list("pk", "status", "reply_count").order_by("pk")) == before


def test_a_file_that_is_not_an_isso_database_is_refused(
    tmp_path: Path, run_command: Callable[..., str]
) -> None:
    bogus = tmp_path / "comments.db"
    bogus.write_text("not a database")
    with pytest.raises(CommandError):
        run_command("import_isso", str(bogus))
    assert not Comment.objects.exists()
