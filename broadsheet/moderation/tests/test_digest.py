"""The moderators' digest goes out by real SMTP, with what waits for them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import guest, post
from broadsheet.moderation import actions
from broadsheet.moderation.tasks import send_moderation_digest_task

pytestmark = pytest.mark.django_db


def test_moderators_get_a_digest_of_reports_and_held_comments(
    smtp: Any, thread: Thread, reader_rosa: Actor, max_user: Any
) -> None:
    post(thread, reader_rosa, "Oh shut up.")
    contested = post(thread, reader_rosa, "Contested.")
    actions.do_report_comment(comment=contested, actor=guest(), reason="abuse", note="rude")
    call_command("send_moderation_digest")
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "max@example.org"
    assert message["Subject"] == "Moderation: 1 waiting, 1 new report(s)"
    text = message.get_content()
    assert "Oh shut up." in text and "suspect word: shut up" in text
    assert f"Abusive or hateful on comment {contested.pk}" in text and "rude" in text
    assert "rosa@example.org" not in text


def test_nothing_new_sends_nothing(
    smtp: Any, thread: Thread, reader_rosa: Actor, max_user: Any
) -> None:
    post(thread, reader_rosa, "Oh shut up.")
    send_moderation_digest_task.enqueue()
    assert len(smtp.messages) == 1
    send_moderation_digest_task.enqueue()  # since the last digest: nothing new
    assert len(smtp.messages) == 1
