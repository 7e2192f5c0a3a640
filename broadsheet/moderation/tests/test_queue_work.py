"""A moderation queue a professional runs all day (issue 14): why a comment was reported,
dismissing reports, sanctions and closing only after a duration and a reason, actions
answered in place for htmx, filters by name, an audit log of names, notices by e-mail,
and held comments in context on the discussion's own page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.users.models import UserProfile

from broadsheet.core.errors import ActionError
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import guest, make_user, member, post
from broadsheet.moderation import actions
from broadsheet.moderation.commenters import Commenter
from broadsheet.moderation.models import AuditEntry, Report, Sanction

pytestmark = pytest.mark.django_db

QUEUE = "/admin/moderation/"
ACT = "/admin/moderation/act/"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def max_client(client: Client, max_user: Any) -> Client:
    client.force_login(max_user)
    return client


def reported(thread: Thread, *notes: tuple[str, str]) -> Comment:
    comment = post(thread, member(make_user(name="Ola Berg")), "Everyone who disagrees is a fool.")
    for reason, note in notes:
        actions.do_report_comment(comment=comment, actor=guest(), reason=reason, note=note)
    comment.refresh_from_db()
    return comment


# --- the card ----------------------------------------------------------------------------


def test_the_card_says_why_a_comment_was_reported(max_client: Client, thread: Thread) -> None:
    reported(thread, ("abuse", "Name-calling in the second line."), ("spam", ""))
    html = max_client.get(QUEUE + "?tab=reported").content.decode()
    assert "Abusive or hateful</strong>: “Name-calling in the second line.”" in html
    assert "<strong>Spam</strong>" in html


def test_the_in_context_link_is_the_comments_permalink(
    max_client: Client, thread: Thread, reader_rosa: Actor
) -> None:
    held = post(thread, reader_rosa, "Oh shut up.")
    html = max_client.get(QUEUE).content.decode()
    # The permalink finds the right page (and shows held comments to moderators); a bare
    # #comment-<id> on the discussion's first page did neither.
    assert f'href="/discussion/c/{held.pk}/" class="mod-item__context"' in html
    assert f"#comment-{held.pk}" not in html


def test_cards_name_people_and_label_checkboxes_for_screen_readers_only(
    max_client: Client, thread: Thread, reader_rosa: Actor
) -> None:
    post(thread, reader_rosa, "Oh shut up.")
    html = max_client.get(QUEUE).content.decode()
    assert ">Rosa Lindqvist</a>" in html  # the public name, not the username "rosa"
    assert '<span class="visually-hidden">Select the comment by Rosa Lindqvist' in html
    # That it is hidden on screen is a browser test's (tests/browser/test_moderation_queue.py).


# --- dismissing reports -----------------------------------------------------------------


def test_dismissing_reports_keeps_the_comment_and_resolves_them(
    max_client: Client, thread: Thread, max_user: Any
) -> None:
    comment = reported(thread, ("abuse", "rude"))
    max_client.post(f"{ACT}?comment={comment.pk}", {"action": "dismiss", "next": QUEUE})
    comment.refresh_from_db()
    assert (comment.status, comment.report_count) == ("approved", 0)
    assert not Report.objects.filter(resolved_at__isnull=True).exists()
    entry = AuditEntry.objects.get(action="dismiss")
    assert entry.actor_id == max_user.pk
    assert entry.reason == "reports dismissed (reported: abusive or hateful)"


def test_dismissing_reports_brings_back_a_comment_held_after_reports(
    thread: Thread, moderator_max: Actor, settings: Any
) -> None:
    settings.BROADSHEET_MODERATION_REPORTS_TO_HOLD = 2
    comment = reported(thread, ("spam", ""), ("spam", ""))
    assert comment.status == "pending"
    actions.do_dismiss_reports(comment=comment, actor=moderator_max, reason="not spam")
    comment.refresh_from_db()
    thread.refresh_from_db()
    assert (comment.status, comment.report_count, thread.comment_count) == ("approved", 0, 1)


def test_dismissing_needs_open_reports(thread: Thread, moderator_max: Actor) -> None:
    comment = post(thread, guest(), "Nothing wrong here.")
    with pytest.raises(ActionError, match="no open reports"):
        actions.do_dismiss_reports(comment=comment, actor=moderator_max)


# --- sanctions and closing ask first ----------------------------------------------------


def test_banning_from_a_card_asks_how_long_and_why_first(
    max_client: Client, thread: Thread, rosa: Any, reader_rosa: Actor
) -> None:
    comment = post(thread, reader_rosa, "Oh shut up.")
    asked = max_client.post(f"{ACT}?comment={comment.pk}", {"action": "sanction", "next": QUEUE})
    html = asked.content.decode()
    assert asked.status_code == 200 and "Ban or suspend Rosa Lindqvist" in html
    assert 'name="reason"' in html and 'name="duration"' in html and "required" in html
    assert not Sanction.objects.exists()
    comment.refresh_from_db()
    assert comment.status == "pending"

    data = {"action": "sanction", "confirmed": "1", "comments": [comment.pk], "duration": "7"}
    refused = max_client.post(ACT, {**data, "reason": "  "})
    assert refused.status_code == 400 and "Please give a reason" in refused.content.decode()
    assert not Sanction.objects.exists()

    done = max_client.post(ACT, {**data, "reason": "insults", "next": QUEUE})
    assert done.status_code == 302
    sanction = Sanction.objects.get()
    assert (sanction.kind, sanction.user_id, sanction.reason) == ("suspension", rosa.pk, "insults")
    assert sanction.until is not None
    assert timedelta(days=6, hours=23) < sanction.until - timezone.now() <= timedelta(days=7)
    comment.refresh_from_db()
    assert comment.status == "rejected"
    assert AuditEntry.objects.get(action="suspend").reason == "insults"


def test_the_bulk_ban_asks_too_and_bans_for_good(
    max_client: Client, thread: Thread, rosa: Any
) -> None:
    comments = [post(thread, guest(f"g{n}"), f"shut up {n}", email=f"g{n}@x.org") for n in (1, 2)]
    ids = [c.pk for c in comments]
    asked = max_client.post(ACT, {"action": "sanction", "comments": ids})
    assert "the authors of 2 comments" in asked.content.decode()
    assert not Sanction.objects.exists()
    max_client.post(
        ACT,
        {
            "action": "sanction",
            "confirmed": "1",
            "comments": ids,
            "duration": "ban",
            "reason": "bots",
        },
    )
    assert sorted(Sanction.objects.values_list("kind", "reason", "until")) == [
        ("ban", "bots", None),
        ("ban", "bots", None),
    ]
    assert set(Comment.objects.values_list("status", flat=True)) == {"rejected"}
    assert not AuditEntry.objects.filter(action__in=["ban", "reject"], reason="").exists()


def test_closing_from_the_queue_asks_for_a_reason(
    max_client: Client, thread: Thread, max_user: Any
) -> None:
    url = f"/admin/moderation/thread/{thread.pk}/close/"
    asked = max_client.post(url, {"next": QUEUE})
    assert asked.status_code == 200 and "Close the discussion of" in asked.content.decode()
    thread.refresh_from_db()
    assert not thread.is_closed
    refused = max_client.post(url, {"confirmed": "1", "reason": ""})
    assert refused.status_code == 400
    max_client.post(url, {"confirmed": "1", "reason": "heated beyond repair", "next": QUEUE})
    thread.refresh_from_db()
    assert thread.is_closed
    entry = AuditEntry.objects.get(action="close")
    assert (entry.actor_id, entry.reason) == (max_user.pk, "heated beyond repair")


def test_featuring_from_the_queue_asks_for_a_reason(
    max_client: Client, thread: Thread, reader_rosa: Actor, max_user: Any
) -> None:
    comment = post(thread, reader_rosa, "The clearest account of the vote.")
    pick = {"action": "feature", "comments": [str(comment.pk)], "next": QUEUE}
    asked = max_client.post(ACT, pick)
    assert asked.status_code == 200 and "Feature the comment by" in asked.content.decode()
    refused = max_client.post(ACT, {**pick, "confirmed": "1", "reason": " "})
    assert refused.status_code == 400
    comment.refresh_from_db()
    assert not comment.is_featured and not AuditEntry.objects.filter(action="feature").exists()
    max_client.post(ACT, {**pick, "confirmed": "1", "reason": "explains the count"})
    unpick = {"action": "unfeature", "next": QUEUE, f"reason-{comment.pk}": "a correction"}
    max_client.post(f"{ACT}?comment={comment.pk}", unpick)
    comment.refresh_from_db()
    assert not comment.is_featured
    entries = AuditEntry.objects.filter(actor=max_user).order_by("pk")
    assert list(entries.values_list("action", "reason")) == [
        ("feature", "explains the count"),
        ("unfeature", "a correction"),
    ]


# --- in place (htmx) --------------------------------------------------------------------


def test_an_htmx_action_answers_the_card_in_place(
    max_client: Client, thread: Thread, reader_rosa: Actor
) -> None:
    comment = post(thread, reader_rosa, "Oh shut up.")
    answer = max_client.post(
        f"{ACT}?comment={comment.pk}", {"action": "approve", "tab": "pending"}, headers=HTMX
    )
    html = answer.content.decode()
    assert answer.status_code == 200  # not a redirect: nothing reloads
    assert f'id="mod-{comment.pk}"' in html and 'hx-swap-oob="true"' in html
    assert "mod-status--approved" in html and "Approve: 1 comment(s)." in html
    assert answer["HX-Trigger"] == "moderation-done"


def test_an_htmx_ban_asks_in_the_dialog(
    max_client: Client, thread: Thread, reader_rosa: Actor
) -> None:
    comment = post(thread, reader_rosa, "Oh shut up.")
    answer = max_client.post(f"{ACT}?comment={comment.pk}", {"action": "sanction"}, headers=HTMX)
    assert answer["HX-Retarget"] == "#mod-dialog-body"
    assert "<html" not in answer.content.decode()


def test_a_card_reason_and_notice_box_count_for_its_own_button(
    max_client: Client, thread: Thread, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    comment = post(thread, guest(), "shut up", name="Gabriel", email="gabriel@example.org")
    other = post(thread, guest(), "shut up too", email="other@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        max_client.post(
            f"{ACT}?comment={comment.pk}",
            {
                "action": "reject",
                f"reason-{comment.pk}": "personal attack",
                f"notify-{comment.pk}": "1",
                f"reason-{other.pk}": "not this one",
            },
        )
    comment.refresh_from_db()
    assert (comment.status, comment.moderation_reason) == ("rejected", "personal attack")
    (message,) = smtp.messages
    assert message["To"] == "gabriel@example.org"
    assert "was not published" in message["Subject"]
    assert "The reason given: personal attack" in message.get_body(("plain",)).get_content()


def test_a_suspension_notice_says_when_it_ends(
    thread: Thread,
    moderator_max: Actor,
    rosa: Any,
    reader_rosa: Actor,
    smtp: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    comment = post(thread, reader_rosa, "Oh shut up.")
    until = timezone.now() + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_suspend_commenter(
            commenter=Commenter.of_comment(comment),
            actor=moderator_max,
            until=until,
            reason="insults",
            comment=comment,
            notify=True,
        )
    (message,) = smtp.messages
    text = message.get_body(("plain",)).get_content()
    assert message["To"] == rosa.email
    assert "suspended" in text and "insults" in text and until.strftime("%Y") in text
    assert f"{timezone.localtime(until).day} " in text


def test_without_the_box_nobody_is_written_to(
    max_client: Client,
    thread: Thread,
    reader_rosa: Actor,
    smtp: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    comment = post(thread, reader_rosa, "Oh shut up.")
    with django_capture_on_commit_callbacks(execute=True):
        max_client.post(f"{ACT}?comment={comment.pk}", {"action": "reject"})
    assert smtp.messages == []
    assert AuditEntry.objects.get(action="reject").reason == (
        "rejected on review (held: suspect word: shut up)"
    )


# --- filters and the audit log --------------------------------------------------------


def test_filters_by_article_title_and_by_commenter_name(max_client: Client, thread: Thread) -> None:
    other = Thread.objects.create(key="other", title="Budget night", url="/budget/")
    post(thread, member(make_user("u1", name="Ines Duarte")), "shut up one")
    post(other, guest(), "shut up two", name="Pavel")
    by_article = max_client.get(QUEUE + "?article=budget").content.decode()
    assert "shut up two" in by_article and "shut up one" not in by_article
    by_name = max_client.get(QUEUE + "?author=duarte").content.decode()
    assert "shut up one" in by_name and "shut up two" not in by_name
    by_guest = max_client.get(QUEUE + "?author=pav").content.decode()
    assert "shut up two" in by_guest and "shut up one" not in by_guest


def test_the_audit_log_shows_names_and_links_not_keys_or_hashes(
    max_client: Client, thread: Thread, rosa: Any, reader_rosa: Actor, moderator_max: Actor
) -> None:
    troll = post(thread, guest(ip_hash="troll"), "shut up", name="Troll", email="t@example.org")
    actions.do_ban_commenter(
        commenter=Commenter.of_comment(troll), actor=moderator_max, reason="spam", comment=troll
    )
    actions.do_suspend_commenter(
        commenter=Commenter(user_id=rosa.pk),
        actor=moderator_max,
        until=timezone.now() + timedelta(days=1),
        reason="cooling off",
    )
    html = max_client.get("/admin/moderation/audit/").content.decode()
    assert not re.search(r"[gu]:[0-9a-f]{6,}|>u:[0-9]+<", html)
    assert f'<a href="/admin/moderation/commenter/c:{troll.pk}/">Troll (guest)</a>' in html
    assert f'<a href="/admin/moderation/commenter/u:{rosa.pk}/">Rosa Lindqvist</a>' in html
    assert ">Max Moderator</a>" in html
    assert f'<a href="/discussion/c/{troll.pk}/">comment {troll.pk}</a>' in html
    by_name = max_client.get("/admin/moderation/audit/?moderator=moderator").content.decode()
    assert "cooling off" in by_name
    nobody = max_client.get("/admin/moderation/audit/?moderator=nobody").content.decode()
    assert "cooling off" not in nobody


# --- held comments in context -----------------------------------------------------------


def test_moderators_see_held_comments_in_place_with_approve_and_reject(
    max_client: Client, thread: Thread, reader_rosa: Actor
) -> None:
    held = post(thread, reader_rosa, "Oh shut up.")
    page = max_client.get(thread.get_absolute_url()).content.decode()
    assert "Oh shut up." in page and "Held for review (suspect word: shut up)" in page
    assert f'action="/moderation/decide/{held.pk}/"' in page
    assert "Oh shut up." not in Client().get(thread.get_absolute_url()).content.decode()


def test_moderators_see_rejected_and_spam_comments_in_place_and_restore_them(
    max_client: Client,
    thread: Thread,
    rosa: Any,
    reader_rosa: Actor,
    moderator_max: Actor,
    max_user: Any,
) -> None:
    kept = post(thread, reader_rosa, "A fair point about the bridge.")
    rejected = post(thread, reader_rosa, "An unkind aside.", parent=kept)
    spam = post(thread, guest(), "Cheap watches here.")
    actions.do_reject_comment(comment=rejected, actor=moderator_max, reason="personal attack")
    actions.do_mark_spam(comment=spam, actor=moderator_max, reason="advertising")
    author = Client()
    author.force_login(rosa)
    for reader in (Client(), author):  # readers, the author too, never see them
        page = reader.get(thread.get_absolute_url()).content.decode()
        assert "A fair point" in page and "unkind aside" not in page and "watches" not in page
    page = max_client.get(thread.get_absolute_url()).content.decode()
    assert "An unkind aside." in page and "Rejected (personal attack): only moderators" in page
    assert "Cheap watches here." in page and "Marked as spam (advertising)" in page
    assert page.count("comment--removed") == 2 and page.count(">Restore (publish)<") == 2
    # In context: the permalink of a rejected reply finds its page for moderators.
    landing = max_client.get(f"/discussion/c/{rejected.pk}/")
    assert landing["Location"].endswith(f"?comment={rejected.pk}#comment-{rejected.pk}")
    restored = max_client.post(f"/moderation/decide/{rejected.pk}/", {"action": "approve"})
    assert restored["Location"] == f"/discussion/c/{rejected.pk}/"
    rejected.refresh_from_db()
    assert rejected.status == "approved"
    entry = AuditEntry.objects.filter(action="approve").get()
    assert (entry.actor_id, entry.reason) == (max_user.pk, "restored on review")
    assert "An unkind aside." in Client().get(thread.get_absolute_url()).content.decode()


def test_the_permalink_of_a_held_comment_finds_its_page_for_moderators(
    max_client: Client, thread: Thread, settings: Any
) -> None:
    settings.BROADSHEET_DISCUSSION_PAGE_SIZE = 3
    held = post(thread, guest(), "shut up, held and old")
    for n in range(7):
        post(thread, guest(), f"Fine comment {n}.")
    landing = max_client.get(f"/discussion/c/{held.pk}/")
    assert landing["Location"].endswith(f"?comment={held.pk}#comment-{held.pk}")
    # The thread's host page is not a Wagtail page here: its own page shows the same section.
    query = landing["Location"].split("?")[1].split("#")[0]
    html = max_client.get(f"{thread.get_absolute_url()}?{query}").content.decode()
    assert "shut up, held and old" in html and f'id="comment-{held.pk}" ' in html


def test_deciding_in_context(
    max_client: Client, thread: Thread, reader_rosa: Actor, max_user: Any
) -> None:
    held = post(thread, reader_rosa, "Oh shut up.")
    assert Client().post(f"/moderation/decide/{held.pk}/", {"action": "approve"}).status_code == 404
    answer = max_client.post(f"/moderation/decide/{held.pk}/", {"action": "approve"})
    assert answer["Location"] == f"/discussion/c/{held.pk}/"
    held.refresh_from_db()
    assert held.status == "approved"
    entry = AuditEntry.objects.get(action="approve")
    assert (entry.actor_id, entry.reason) == (
        max_user.pk,
        "approved on review (held: suspect word: shut up)",
    )
    assert max_client.post(f"/moderation/decide/{held.pk}/", {"action": "x"}).status_code == 400


def test_featuring_from_the_article_page_says_why(
    max_client: Client, thread: Thread, reader_rosa: Actor, max_user: Any
) -> None:
    comment = post(thread, reader_rosa, "The clearest account of the vote.")
    page = max_client.get(thread.get_absolute_url()).content.decode()
    assert '<summary class="comment__action">Feature…</summary>' in page
    assert "Feature…" not in Client().get(thread.get_absolute_url()).content.decode()
    decide = f"/moderation/decide/{comment.pk}/"
    assert max_client.post(decide, {"action": "feature", "reason": " "}).status_code == 400
    assert Client().post(decide, {"action": "feature", "reason": "x"}).status_code == 404
    comment.refresh_from_db()
    assert not comment.is_featured
    answer = max_client.post(decide, {"action": "feature", "reason": "explains the count"})
    assert answer["Location"] == f"/discussion/c/{comment.pk}/"
    page = max_client.get(thread.get_absolute_url()).content.decode()
    assert "Unfeature…" in page
    max_client.post(decide, {"action": "unfeature", "reason": "a correction came in"})
    comment.refresh_from_db()
    assert not comment.is_featured
    entries = AuditEntry.objects.filter(actor=max_user).order_by("pk")
    assert list(entries.values_list("action", "reason")) == [
        ("feature", "explains the count"),
        ("unfeature", "a correction came in"),
    ]


def test_closing_from_the_article_page_asks_why(
    max_client: Client, thread: Thread, max_user: Any
) -> None:
    page = max_client.get(thread.get_absolute_url()).content.decode()
    assert "<summary>Close the discussion…</summary>" in page
    assert '<input type="text" name="reason" maxlength="300" required>' in page
    max_client.post(f"/discussion/t/{thread.pk}/close/", {"reason": "off the rails"})
    entry = AuditEntry.objects.get(action="close")
    assert (entry.actor_id, entry.reason) == (max_user.pk, "off the rails")


def test_the_queue_and_the_audit_log_cost_the_same_at_any_length(
    max_client: Client, thread: Thread, moderator_max: Actor
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n: int) -> None:
        for i in range(n):
            writer = member(make_user(name=f"Writer {i}")) if i % 2 else guest()
            comment = post(thread, writer, f"Comment {i} to report.")
            actions.do_report_comment(comment=comment, actor=guest(), reason="spam", note="ads")
            actions.do_reject_comment(comment=comment, actor=moderator_max, reason="ads")

    def cost(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert max_client.get(url).status_code == 200
        return len(queries)

    add(2)
    cost(QUEUE)  # the admin's first request reads what Wagtail keeps for the next ones
    few = (cost(QUEUE + "?tab=rejected"), cost("/admin/moderation/audit/"))
    add(6)
    assert (cost(QUEUE + "?tab=rejected"), cost("/admin/moderation/audit/")) == few


# --- in the moderator's language ---------------------------------------------------------


def test_the_queue_and_the_audit_log_speak_the_moderators_language(
    max_client: Client, max_user: Any, thread: Thread, moderator_max: Actor
) -> None:
    """Wagtail's own preference (Account → Preferred language) reaches our screens: the
    labels, the tabs, the choices and the names the views make, not only the templates."""
    profile = UserProfile.get_for_user(max_user)
    profile.preferred_language = "ar"
    profile.save()
    troll = post(thread, guest(ip_hash="troll"), "shut up", name="Troll", email="t@example.org")
    actions.do_ban_commenter(
        commenter=Commenter.of_comment(troll), actor=moderator_max, reason="spam", comment=troll
    )
    queue = max_client.get(QUEUE + "?tab=rejected").content.decode()
    assert 'lang="ar"' in queue and 'dir="rtl"' in queue
    assert ">الطابور</a>" in queue and ">سجل التدقيق</a>" in queue
    assert "محجوز بقاعدة" in queue  # a tab label made in Python
    assert "Troll (زائر)" in queue  # a name a selector makes
    assert '<option value="sanction">احظر أصحاب التعليقات أو أوقفهم…</option>' in queue
    audit = max_client.get("/admin/moderation/audit/").content.decode()
    assert "<td>محظور</td>" in audit  # the action's label, a model choice
    assert f">التعليق {troll.pk}</a>" in audit
    assert "Moderation audit log" not in audit and "سجل تدقيق الإشراف" in audit
