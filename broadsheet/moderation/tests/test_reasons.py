"""Why a comment was held: stored in English (what the API, exports and old rows say),
shown in the moderator's language (moderation/reasons.py, issue 19)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import guest, post
from broadsheet.moderation import reasons
from broadsheet.moderation.actions import do_ban_commenter, do_report_comment
from broadsheet.moderation.commenters import Commenter
from broadsheet.moderation.models import AuditEntry
from broadsheet.moderation.reasons import reason_shown
from broadsheet.moderation.selectors import default_reason

QUEUE = "/admin/moderation/"


def shown(language: str, stored: str) -> str:
    with translation.override(language):
        return reason_shown(stored)


@pytest.mark.parametrize(
    ("stored", "spanish"),
    [
        ("new commenter", "persona que comenta por primera vez"),
        ("too many links (4)", "demasiados enlaces (4)"),
        ("suspect word: shut up", "palabra sospechosa: shut up"),
        ("flood: 5 or more comments in 60 s", "avalancha: 5 o más comentarios en 60 s"),
        (
            "spam score 7: 4 link(s); mostly capitals; guest",
            "puntuación de spam 7: 4 enlaces; casi todo en mayúsculas; invitado",
        ),
        ("reported 1 times", "denunciado 1 vez"),
        ("reported 2 times", "denunciado 2 veces"),
        ("author suspended", "autor: suspendido"),
        ("external moderation: rude [insult]", "moderación externa: rude [insult]"),
        (
            "rejected on review (reported: abusive or hateful, spam)",
            "rechazado tras revisión (denunciado: abusivo u odioso, spam)",
        ),
        (
            "approved on review (held: too many links (4))",
            "publicado tras revisión (retenido: demasiados enlaces (4))",
        ),
        # A moderator's own words, and wordings no phrase knows, stay as they were typed.
        ("Off-topic rant about parking", "Off-topic rant about parking"),
        ("new commenter!", "new commenter!"),
    ],
)
def test_stored_reasons_old_and_new_are_shown_in_the_language(stored: str, spanish: str) -> None:
    assert shown("es", stored) == spanish
    # In English too the counts take their plural forms ("reported 1 time", "4 links").
    english = {"reported 1 times": "reported 1 time"}.get(stored, stored)
    assert shown("en-gb", stored) == english.replace("link(s)", "links")


def test_arabic_takes_its_plural_forms() -> None:
    assert shown("ar", "reported 2 times") == "أُبلغ عنه مرتين"
    assert shown("ar", "reported 11 times") == "أُبلغ عنه 11 مرة"
    assert shown("ar", "too many links (4)") == "روابط كثيرة جدًا (4)"


def test_every_phrase_stores_what_it_shows() -> None:
    """Each sentence a writer formats is recognised again, and translated."""
    for phrase in reasons.REASONS.phrases:
        stored = phrase(**{name: "7" for name in phrase.fields})
        assert reasons.REASONS.knows(stored), stored
        assert shown("es", stored) != stored, stored


@pytest.mark.django_db
def test_what_is_stored_stays_english_whatever_the_moderator_reads(
    thread: Thread, reader_rosa: Actor, moderator_max: Actor, settings: Any
) -> None:
    """The rows keep one language: a Spanish-speaking moderator's decisions store the
    same English sentences (they used to store a sanction's label in the moderator's
    language)."""
    settings.BROADSHEET_MODERATION_REPORTS_TO_HOLD = 1
    comment = post(thread, guest("g2"), "Plain words.")
    other = post(thread, guest("g3"), "Other words.")
    with translation.override("es"):
        do_report_comment(comment=comment, actor=reader_rosa, reason="abuse")
        comment.refresh_from_db()
        assert comment.moderation_reason == "reported 1 times"
        assert (
            default_reason(comment, "reject") == "rejected on review (reported: abusive or hateful)"
        )
        do_ban_commenter(commenter=Commenter.of_comment(other), actor=moderator_max, comment=other)
    other.refresh_from_db()
    assert other.moderation_reason == "author banned"
    assert AuditEntry.objects.filter(comment=other, reason="author banned").exists()


@pytest.mark.django_db
def test_the_queue_shows_a_rules_reason_in_the_moderators_language(
    client: Client, max_user: Any, thread: Thread, reader_rosa: Actor
) -> None:
    post(thread, reader_rosa, "Oh shut up.")
    client.force_login(max_user)
    for language, reason, title in [
        ("es", "Motivo: palabra sospechosa: shut up", "Comentarios: Pendiente"),
        ("ar", "كلمة مشبوهة: shut up", ""),
    ]:
        html = client.get(QUEUE, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert reason in html, language
        assert title in html
        assert ": pending" not in html


@pytest.mark.django_db
def test_the_discussion_shows_moderators_a_held_comments_reason_in_their_language(
    client: Client, max_user: Any, thread: Thread, reader_rosa: Actor
) -> None:
    # The discussion engine shows it through its moderation protocol (reason_shown).
    post(thread, reader_rosa, "Oh shut up.")
    client.force_login(max_user)
    html = client.get(f"/discussion/t/{thread.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "palabra sospechosa: shut up" in html
    assert "suspect word: shut up" not in html
