"""Each rule on its own: what it decides, and when it has no opinion."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from broadsheet.core.errors import ActionError, NotAllowed, RateLimited
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.oversight import is_closed
from broadsheet.discussion.testing import guest, make_user, member, post
from broadsheet.moderation.models import Sanction
from broadsheet.moderation.rules import (
    honeypot,
    links,
    mode,
    rates,
    sanctions,
    score,
    words,
)
from broadsheet.moderation.rules.base import Submission, Verdict

pytestmark = pytest.mark.django_db


def sub(thread: Thread, actor: Actor, body: str = "A fair point.", **extra: Any) -> Submission:
    return Submission(thread=thread, actor=actor, body=body, **extra)


# --- words ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "You idiot.",
        "YOU IDIOT",
        "what an 1d10t",
        "such an !d!ot".replace("!", "i"),
        "i.d.i.o.t",
        "i d i o t!",
        "i-d-i-o-t",
        "idiooooot",
        "iiidiot",
    ],
)
def test_banned_words_are_found_through_common_disguises(
    thread: Thread, reader_rosa: Actor, text: str
) -> None:
    decision = words.banned_words(sub(thread, reader_rosa, text))
    assert decision is not None
    assert decision.verdict == Verdict.REJECT
    assert decision.reason == "banned word: idiot"


@pytest.mark.parametrize("text", ["Idiotic? No: idiosyncratic.", "a b c d", "The idiom is odd."])
def test_banned_words_match_whole_words_only(thread: Thread, reader_rosa: Actor, text: str) -> None:
    assert words.banned_words(sub(thread, reader_rosa, text)) is None


def test_a_repeated_letter_match_never_shortens_the_listed_word() -> None:
    assert words._word_matches("asss", "ass")
    assert not words._word_matches("as", "ass")


def _plain_matches(text: str, listed: str) -> bool:
    """The matching rule as the module docstring states it, without the shortcuts."""
    found, target = words.normalise(text), words.normalise(listed)
    if not target:
        return False
    return any(
        all(
            words._word_matches(w, t)
            for w, t in zip(found[i : i + len(target)], target, strict=True)
        )
        for i in range(len(found) - len(target) + 1)
    )


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet="aiosd t.-1@$", max_size=40),
    listed=st.text(alphabet="aiosd t", min_size=1, max_size=12),
)
def test_word_matching_takes_shortcuts_but_finds_the_same(text: str, listed: str) -> None:
    assert words._matches(words.normalise(text), listed) == _plain_matches(text, listed)


def test_suspect_words_and_phrases_hold(thread: Thread, reader_rosa: Actor) -> None:
    decision = words.suspect_words(sub(thread, reader_rosa, "Oh SHUT   UP, you l1ar"))
    assert decision is not None and decision.verdict == Verdict.HOLD
    assert decision.reason in ("suspect word: shut up", "suspect word: liar")


def test_moderators_edit_the_lists(thread: Thread, reader_rosa: Actor) -> None:
    from broadsheet.moderation.models import ModerationWord

    assert words.banned_words(sub(thread, reader_rosa, "pineapple pizza")) is None
    ModerationWord.objects.create(word="pineapple", kind=ModerationWord.Kind.BANNED)
    assert words.banned_words(sub(thread, reader_rosa, "p1neapple pizza")) is not None


# --- links, honeypot, timing ---------------------------------------------------------


def test_too_many_links_hold(thread: Thread, reader_rosa: Actor, settings: Any) -> None:
    settings.BROADSHEET_MODERATION_MAX_LINKS = 2
    two = "see https://a.example and www.b.example"
    assert links.too_many_links(sub(thread, reader_rosa, two)) is None
    decision = links.too_many_links(sub(thread, reader_rosa, two + " http://c.example"))
    assert decision is not None and decision.reason == "too many links (3)"


def test_a_filled_honeypot_is_spam(thread: Thread, guest_gabriel: Actor) -> None:
    assert honeypot.honeypot(sub(thread, guest_gabriel, honeypot="")) is None
    decision = honeypot.honeypot(sub(thread, guest_gabriel, honeypot="http://spam.example"))
    assert decision is not None and decision.verdict == Verdict.SPAM


def test_a_form_sent_back_too_fast_is_held(
    thread: Thread, guest_gabriel: Actor, settings: Any
) -> None:
    settings.BROADSHEET_MODERATION_MIN_SUBMIT_SECONDS = 3
    now = time.time()
    fast = honeypot.too_fast(
        sub(thread, guest_gabriel, rendered_at=honeypot.sign_render_time(now - 1))
    )
    slow = honeypot.too_fast(
        sub(thread, guest_gabriel, rendered_at=honeypot.sign_render_time(now - 10))
    )
    forged = honeypot.too_fast(sub(thread, guest_gabriel, rendered_at="12345"))
    assert fast is not None and fast.verdict == Verdict.HOLD
    assert slow is None
    assert forged is not None and forged.verdict == Verdict.SPAM


def test_the_api_path_skips_the_timing_check(
    thread: Thread, guest_gabriel: Actor, settings: Any
) -> None:
    settings.BROADSHEET_MODERATION_MIN_SUBMIT_SECONDS = 3
    assert honeypot.too_fast(sub(thread, guest_gabriel, rendered_at=None)) is None


def test_the_timing_check_is_off_by_default(thread: Thread, guest_gabriel: Actor) -> None:
    stamp = honeypot.sign_render_time(time.time())
    assert honeypot.too_fast(sub(thread, guest_gabriel, rendered_at=stamp)) is None


# --- rates, duplicates, floods ---------------------------------------------------------


def test_accounts_are_rate_limited_whatever_their_ip(
    thread: Thread, rosa: Any, settings: Any
) -> None:
    settings.BROADSHEET_MODERATION_ACCOUNT_RATE_LIMIT = (2, 60)
    for ip in ("ip-1", "ip-2"):
        assert rates.account_rate(sub(thread, member(rosa, ip_hash=ip))) is None
    decision = rates.account_rate(sub(thread, member(rosa, ip_hash="ip-3")))
    assert decision is not None and isinstance(decision.refuse, RateLimited)


def test_the_same_text_again_is_refused_as_a_duplicate(thread: Thread, reader_rosa: Actor) -> None:
    rosa_at_home = member(reader_rosa.user, ip_hash="ip-rosa")
    post(thread, rosa_at_home, "Same words.")
    decision = rates.duplicate(sub(thread, rosa_at_home, "Same words."))
    assert decision is not None and isinstance(decision.refuse, ActionError)
    # From another IP and account it is someone agreeing.
    assert rates.duplicate(sub(thread, guest(ip_hash="elsewhere"), "Same words.")) is None


def test_only_the_very_same_recent_visible_text_is_a_duplicate(
    thread: Thread, reader_rosa: Actor, settings: Any
) -> None:
    settings.BROADSHEET_MODERATION_DUPLICATE_WINDOW = 600
    post(thread, reader_rosa, "Same words.")
    # Same length, other words: not a duplicate.
    assert rates.duplicate(sub(thread, reader_rosa, "Some words.")) is None
    deleted = post(thread, reader_rosa, "Taken back.")
    Comment.objects.filter(pk=deleted.pk).update(status=Comment.Status.DELETED)
    assert rates.duplicate(sub(thread, reader_rosa, "Taken back.")) is None
    old = post(thread, reader_rosa, "Said long ago.")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(seconds=601))
    assert rates.duplicate(sub(thread, reader_rosa, "Said long ago.")) is None


def test_a_guest_is_known_by_their_address_whatever_its_case(thread: Thread) -> None:
    post(thread, guest(ip_hash="ip-1"), "Hello.", email="Gabriel@Example.org")
    history = sub(thread, guest(ip_hash="ip-2"), guest_email=" gabriel@EXAMPLE.org ").history
    assert history == {Comment.Status.APPROVED: 1}


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="reads SQLite's query plans; PostgreSQL plans by statistics",
)
def test_the_look_ups_inside_the_posting_transaction_use_indexes(
    thread: Thread, reader_rosa: Actor
) -> None:
    """Duplicate, flood and trust run while SQLite's single write lock is held: a scan of
    every comment there would stall every writer of the site."""
    submission = sub(thread, member(reader_rosa.user, ip_hash="ip-1"), guest_email="a@b.org")
    guest_submission = sub(thread, guest(ip_hash="ip-1"), guest_email="a@b.org")
    with CaptureQueriesContext(connection) as captured:
        rates.duplicate(submission)
        rates.flood(submission)
        assert guest_submission.history == {}
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plans.append(" / ".join(row[-1] for row in cursor.fetchall()))
    assert len(plans) == 3
    assert "discussion_text_by_ip (ip_hash=? AND <expr>=? AND created_at>?)" in plans[0]
    assert "discussion_recent_by_ip (ip_hash=? AND created_at>?)" in plans[1]
    assert "discussion_guest_email" in plans[2]
    assert not any("SCAN discussion_comment" in plan for plan in plans), plans


def test_a_flood_from_one_ip_is_held(thread: Thread, settings: Any) -> None:
    settings.BROADSHEET_MODERATION_FLOOD_LIMIT = (3, 300)
    for n in range(3):
        post(thread, guest(ip_hash="flood-ip"), f"Comment {n}")
    decision = rates.flood(sub(thread, guest(ip_hash="flood-ip")))
    assert decision is not None and decision.verdict == Verdict.HOLD
    assert rates.flood(sub(thread, guest(ip_hash="other-ip"))) is None


def test_a_flood_look_up_reads_no_further_than_the_limit(thread: Thread, settings: Any) -> None:
    """It runs under the write lock: an attacker's thousands of comments must not make
    every later post count them all."""
    settings.BROADSHEET_MODERATION_FLOOD_LIMIT = (3, 300)
    settings.BROADSHEET_DISCUSSION_POST_RATE_LIMIT = (100, 60)
    for n in range(10):
        post(thread, guest(ip_hash="flood-ip"), f"Comment {n}")
    with CaptureQueriesContext(connection) as captured:
        decision = rates.flood(sub(thread, guest(ip_hash="flood-ip")))
    assert decision is not None and decision.reason == "flood: 3 or more comments in 300 s"
    [look_up] = captured.captured_queries
    assert look_up["sql"].rstrip().endswith("LIMIT 3"), look_up["sql"]


# --- mode and trust --------------------------------------------------------------------


def test_mode_none_and_all(thread: Thread, reader_rosa: Actor, settings: Any) -> None:
    settings.BROADSHEET_MODERATION_MODE = "none"
    assert mode.site_mode(sub(thread, reader_rosa)) is None
    settings.BROADSHEET_MODERATION_MODE = "all"
    decision = mode.site_mode(sub(thread, reader_rosa))
    assert decision is not None and decision.verdict == Verdict.HOLD


def test_new_commenters_are_premoderated_for_their_first_comments(
    thread: Thread, rosa: Any, settings: Any
) -> None:
    settings.BROADSHEET_MODERATION_MODE = "new_commenters"
    settings.BROADSHEET_MODERATION_NEW_COMMENTER_COMMENTS = 2
    actor = member(rosa)
    assert mode.site_mode(sub(thread, actor)) is not None
    Comment.objects.filter(pk=post(thread, actor, "one").pk).update(status=Comment.Status.APPROVED)
    assert mode.site_mode(sub(thread, actor)) is not None
    held = post(thread, actor, "two")
    assert held.status == Comment.Status.PENDING
    Comment.objects.filter(pk=held.pk).update(status=Comment.Status.APPROVED)
    assert mode.site_mode(sub(thread, actor)) is None


def test_trusted_commenters_skip_premoderation(thread: Thread, settings: Any) -> None:
    from django.contrib.auth.models import Group

    settings.BROADSHEET_MODERATION_MODE = "new_commenters"
    tess = make_user("tess")
    tess.groups.add(Group.objects.get_or_create(name="Trusted commenters")[0])
    assert mode.site_mode(sub(thread, member(tess))) is None


# --- score and the spam service --------------------------------------------------------


def test_local_score_adds_up_spam_signals(thread: Thread, guest_gabriel: Actor) -> None:
    body = "BUY NOW!!!!!! CLICK HERE https://x.example https://y.example"
    points, reasons = score.local_score(sub(thread, guest_gabriel, body))
    assert points >= 10
    assert "guest" in reasons
    assert any(r.startswith("spam phrases") for r in reasons)
    decision = score.spam_score(sub(thread, guest_gabriel, body))
    assert decision is not None and decision.verdict == Verdict.HOLD


def test_an_ordinary_comment_scores_low(thread: Thread, rosa: Any) -> None:
    rosa.date_joined = timezone.now() - timedelta(days=30)
    reader_rosa = member(rosa)
    points, _ = score.local_score(sub(thread, reader_rosa, "I think the council is right."))
    assert points == 0
    assert score.spam_score(sub(thread, reader_rosa, "I think the council is right.")) is None


def test_a_new_account_scores_a_point(thread: Thread, rosa: Any) -> None:
    _, reasons = score.local_score(sub(thread, member(rosa), "Hello"))
    assert "new account" in reasons
    rosa.date_joined = timezone.now() - timedelta(days=30)
    _, reasons = score.local_score(sub(thread, member(rosa), "Hello"))
    assert "new account" not in reasons


class _Akismet(http.server.BaseHTTPRequestHandler):
    answer = b"false"
    seen: list[bytes] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).seen.append(self.rfile.read(length))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(type(self).answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def akismet_server(settings: Any) -> Iterator[type[_Akismet]]:
    """An Akismet-compatible endpoint on 127.0.0.1 (no network)."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Akismet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.BROADSHEET_MODERATION_AKISMET_KEY = "test-key"
    settings.BROADSHEET_MODERATION_AKISMET_URL = (
        f"http://127.0.0.1:{server.server_port}/1.1/comment-check"
    )
    _Akismet.seen = []
    try:
        yield _Akismet
    finally:
        server.shutdown()
        server.server_close()


def test_the_akismet_adapter_marks_what_the_service_calls_spam(
    thread: Thread, guest_gabriel: Actor, akismet_server: type[_Akismet]
) -> None:
    akismet_server.answer = b"true"
    decision = score.akismet(sub(thread, guest_gabriel, "cheap pills", guest_email="g@example.org"))
    assert decision is not None and decision.verdict == Verdict.SPAM
    sent = akismet_server.seen[0].decode()
    assert "api_key=test-key" in sent and "comment_content=cheap+pills" in sent
    akismet_server.answer = b"false"
    assert score.akismet(sub(thread, guest_gabriel, "a fine comment")) is None


def test_the_akismet_adapter_is_off_without_a_key_and_quiet_when_down(
    thread: Thread, guest_gabriel: Actor, settings: Any
) -> None:
    assert score.akismet(sub(thread, guest_gabriel)) is None
    settings.BROADSHEET_MODERATION_AKISMET_KEY = "k"
    settings.BROADSHEET_MODERATION_AKISMET_URL = "http://127.0.0.1:9/"  # nothing listens
    assert score.akismet(sub(thread, guest_gabriel)) is None


# --- sanctions and closing -------------------------------------------------------------


def test_sanctions_refuse_or_shadow(thread: Thread, rosa: Any) -> None:
    actor = member(rosa)
    assert sanctions.sanctioned(sub(thread, actor)) is None
    shadow = Sanction.objects.create(kind="shadow_ban", user=rosa)
    decision = sanctions.sanctioned(sub(thread, actor))
    assert decision is not None and decision.reason == "shadow-banned" and decision.refuse is None
    suspension = Sanction.objects.create(
        kind="suspension", user=rosa, until=timezone.now() + timedelta(days=2)
    )
    decision = sanctions.sanctioned(sub(thread, actor))
    assert decision is not None and isinstance(decision.refuse, NotAllowed)
    assert "suspended until" in decision.refuse.message
    Sanction.objects.create(kind="ban", user=rosa)
    decision = sanctions.sanctioned(sub(thread, actor))
    assert decision is not None and decision.refuse is not None
    assert "banned" in decision.refuse.message
    del shadow, suspension


def test_an_expired_suspension_no_longer_counts(thread: Thread, rosa: Any) -> None:
    Sanction.objects.create(
        kind="suspension", user=rosa, until=timezone.now() - timedelta(minutes=1)
    )
    assert sanctions.sanctioned(sub(thread, member(rosa))) is None


def test_guests_are_sanctioned_by_email_or_ip(thread: Thread) -> None:
    from broadsheet.moderation.commenters import email_hash

    Sanction.objects.create(kind="ban", email_hash=email_hash("Troll@Example.org"))
    decision = sanctions.sanctioned(
        sub(thread, guest(ip_hash="x"), guest_email="troll@example.org")
    )
    assert decision is not None and decision.refuse is not None
    Sanction.objects.create(kind="ban", ip_hash="bad-ip")
    assert sanctions.sanctioned(sub(thread, guest(ip_hash="bad-ip"), guest_email="new@example.org"))


def test_old_discussions_auto_close(
    client: Any, thread: Thread, reader_rosa: Actor, settings: Any
) -> None:
    """Past BROADSHEET_MODERATION_AUTO_CLOSE_DAYS a discussion is closed for posting and
    on its page at once, before close_old_discussions writes it down."""
    assert not is_closed(thread)  # 0 = never
    settings.BROADSHEET_MODERATION_AUTO_CLOSE_DAYS = 7
    assert not is_closed(thread)
    Thread.objects.filter(pk=thread.pk).update(created_at=timezone.now() - timedelta(days=8))
    thread.refresh_from_db()
    assert is_closed(thread) and not thread.is_closed
    with pytest.raises(NotAllowed, match="Comments are closed"):
        post(thread, reader_rosa)
    html = client.get(f"/discussion/t/{thread.pk}/").content.decode()
    assert "Comments are closed" in html and 'name="body"' not in html


def test_the_spam_service_is_asked_once_and_never_inside_the_posting_transaction(
    thread: Thread, guest_gabriel: Actor, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A network call inside the transaction would hold SQLite's one write lock (every
    writer of the site) for as long as the service takes to answer."""
    settings.BROADSHEET_MODERATION_AKISMET_KEY = "key"
    # The test itself runs in a transaction: count the atomic blocks opened beyond it.
    outside = len(connection.savepoint_ids)
    asked_at_depth: list[int] = []

    def fake_check(**kwargs: Any) -> bool:
        asked_at_depth.append(len(connection.savepoint_ids) - outside)
        return True

    monkeypatch.setattr(score, "akismet_check", fake_check)
    comment = post(thread, guest_gabriel, "cheap pills")
    assert asked_at_depth == [0]
    assert (comment.status, comment.moderation_reason) == (Comment.Status.SPAM, "spam service")
