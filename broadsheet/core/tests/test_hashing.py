"""One keyed hash: stored pseudonyms survive a rotation of SECRET_KEY."""

from __future__ import annotations

import pytest

from broadsheet.core.clients import ip_hash
from broadsheet.core.hashing import Purpose, keyed_hash
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment
from broadsheet.discussion.selectors import comments_for_thread
from broadsheet.discussion.sorting import Sort
from broadsheet.discussion.testing import make_thread, post
from broadsheet.moderation.commenters import Commenter, active_sanctions, email_hash
from broadsheet.moderation.models import Sanction


def test_a_purpose_label_separates_digests_of_the_same_value() -> None:
    digests = {keyed_hash(purpose, "same value") for purpose in Purpose}
    assert len(digests) == len(Purpose)


@pytest.mark.django_db
def test_rotating_the_secret_key_keeps_guests_and_bans(settings) -> None:
    thread = make_thread()
    guest = Actor(reader_id="reader-1")
    held = post(thread, guest, "Held for moderation, shown to its author.")
    Comment.objects.filter(pk=held.pk).update(status=Comment.Status.PENDING)
    Sanction.objects.create(kind=Sanction.Kind.BAN, email_hash=email_hash("ban@example.org"))
    Sanction.objects.create(kind=Sanction.Kind.BAN, ip_hash=ip_hash("203.0.113.9"))

    settings.SECRET_KEY = "rotated-" + "y" * 50
    settings.SECRET_KEY_FALLBACKS = []

    same_guest = Actor(reader_id="reader-1")
    page = comments_for_thread(thread, sort=Sort.OLDEST, viewer=same_guest)
    assert [c.pk for c in page.roots] == [held.pk]  # still recognised as its author
    assert active_sanctions(Commenter(email_hash=email_hash("ban@example.org"))).exists()
    assert active_sanctions(Commenter(ip_hash=ip_hash("203.0.113.9"))).exists()
