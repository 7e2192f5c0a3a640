"""manage.py export_site / import_site: the whole discussion, out and back, losslessly."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect

from broadsheet.accounts.models import Profile
from broadsheet.articles.actions import do_cast_reaction
from broadsheet.articles.models import (
    ArticlePage,
    ArticleReaction,
    ArticleReactionTally,
    Author,
    SectionPage,
)
from broadsheet.articles.testing import make_article
from broadsheet.core.clients import ip_hash
from broadsheet.discussion.actions import (
    do_cast_vote,
    do_close_thread,
    do_delete_comment,
    do_edit_comment,
    do_feature_comment,
    do_register_thread,
)
from broadsheet.discussion.identity import SYSTEM
from broadsheet.discussion.models import Comment, CommentVote, Thread
from broadsheet.discussion.testing import (
    guest,
    make_thread,
    make_user,
    member,
    post,
    thread_inconsistencies,
)
from broadsheet.importers.models import ImportedRecord, ImportRun
from broadsheet.importers.testing import write_disqus_export
from broadsheet.moderation.actions import (
    do_ban_commenter,
    do_lift_sanction,
    do_report_comment,
    do_suspend_commenter,
)
from broadsheet.moderation.commenters import Commenter
from broadsheet.moderation.models import Report, Sanction
from broadsheet.notifications.actions import do_cancel_subscription, do_subscribe
from broadsheet.notifications.models import Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _engine_policy(settings: Any) -> None:
    # Guests may post on any registered thread; moderation passes everything.
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.discussion.policy.default_policy"


@pytest.fixture
def article() -> ArticlePage:
    return make_article(title="The river plan")


@pytest.fixture
def busy_site(
    article: ArticlePage, export_file: Callable[..., Path], run_command: Callable[..., str]
) -> dict[str, Any]:
    """A site with everything a discussion holds, some of it imported from Disqus."""
    rosa = make_user("rosa", name="Rosa Lindqvist")
    layla = make_user("layla", name="Layla Mansour")
    max_ = make_user("max", moderator=True)
    EmailAddress.objects.create(user=rosa, email=rosa.email, verified=True, primary=True)
    Profile.objects.create(user=rosa, display_name="Rosa L.", bio="River person.")
    moderator = member(max_)
    run_command(
        "import_disqus",
        str(export_file("disqus-export.xml", article_path_noslash=article.get_url().rstrip("/"))),
    )
    thread = do_register_thread(key=article.thread_key, title=article.title, url=article.get_url())
    first = post(thread, member(rosa), "The council should publish the **model**.")
    reader = guest("reader-gabriel", ip_hash=ip_hash("198.51.100.7"))
    reply = post(thread, reader, "Agreed, [here](https://example.org/x).", parent=first)
    post(thread, member(layla), "And a third level.", parent=reply)
    doomed = post(thread, member(layla), "I will take this back.")
    post(thread, member(rosa), "A reply to what Layla took back.", parent=doomed)
    do_delete_comment(comment=doomed, actor=member(layla))
    edited = post(thread, member(rosa), "Frist.")
    do_edit_comment(comment=edited, actor=member(rosa), body="First, corrected.")
    do_feature_comment(comment=first, actor=moderator, reason="a fine answer")
    do_cast_vote(comment=first, actor=member(layla), value=1)
    do_cast_vote(comment=first, actor=reader, value=1)
    do_cast_vote(comment=reply, actor=member(rosa), value=-1)
    do_report_comment(comment=reply, actor=member(layla), reason="off_topic", note="Not here")
    # Inline feedback comes from an article block; the anchor's columns are what matter.
    Comment.objects.filter(pk=edited.pk).update(
        anchor_kind="quote",
        anchor_block_id="b1",
        anchor_quote="the river",
        anchor_start=4,
        anchor_end=13,
        anchor_revision="7",
    )
    embed = do_register_thread(
        key="https://partner.example/p/9", title="Partner", url="https://partner.example/p/9"
    )
    post(embed, guest("reader-omar"), "From the partner site.", name="Omar")
    do_close_thread(thread=embed, actor=SYSTEM, reason="Old")
    do_subscribe(thread=thread, kind="thread", user=rosa)
    gone = do_subscribe(thread=embed, kind="replies", email="Omar@Example.org").subscription
    do_cancel_subscription(subscription=gone)
    do_ban_commenter(commenter=Commenter(email_hash="e" * 32), actor=moderator, reason="Spam")
    lifted = do_suspend_commenter(
        commenter=Commenter(user_id=layla.pk),
        actor=moderator,
        until=timezone.now() + timedelta(days=3),
    )
    do_lift_sanction(sanction=lifted, actor=moderator)
    do_cast_reaction(article=article, voter_key=f"u:{rosa.pk}", value=1, ip_hash="a" * 32)
    do_cast_reaction(article=article, voter_key="r:reader-omar", value=-1, ip_hash="b" * 32)
    return {"article": article, "rosa": rosa}


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def normalised(path: Path) -> dict[str, Any]:
    """The file with every id replaced by what names the row on any site: accounts by
    username, threads by key, comments by their id on the site first exported (which a
    restored comment carries as its ``site`` source id)."""
    records = _records(path)
    header, *body, end = records
    origin = header["origin"]
    users = {r["id"]: r["username"] for r in body if r["type"] == "account"}

    def person(key: str) -> str:
        if key.startswith("u:") and key[2:].isdigit():
            return f"u:{users[int(key[2:])]}"
        return key

    def own(record: dict[str, Any]) -> Any:
        mine = [s for s in record["sources"] if s[0] == "site" and s[1].startswith(origin)]
        record["sources"] = [s for s in record["sources"] if s not in mine]
        return int(mine[0][1].split(":")[1]) if mine else record["id"]

    pages = {r["id"]: r["slug"] for r in body if r["type"] in ("article", "section", "author")}

    def page(number: Any) -> Any:
        return pages.get(number, number)

    def key(thread_key: str) -> str:
        prefix, _, number = thread_key.partition("-")
        if prefix == "article" and number.isdigit():
            return f"article {page(int(number))}"
        return thread_key

    comments_of: dict[int, int] = {}
    threads: dict[int, str] = {}
    for r in body:
        if r["type"] == "comment":
            comments_of[r["id"]] = own(r)
        elif r["type"] == "thread":
            own(r)
            threads[r["id"]] = key(r["key"])
    out: dict[str, Any] = {"header": {**header, "exported_at": None}, "end": end}
    for r in body:
        kind = r["type"]
        r = dict(r)
        if kind == "account":
            r.pop("id")
            out[f"account {r['username']}"] = r
        elif kind == "thread":
            r["id"] = r["key"] = threads[r["id"]]
            r["article"] = page(r["article"])
            if r["article"] is not None:  # the article's own address and title
                r["url"] = r["title"] = None
            out[f"thread {r['key']}"] = r
        elif kind == "comment":
            r["id"] = comments_of[r["id"]]
            r["thread"] = threads[r["thread"]]
            r["parent"] = comments_of.get(r["parent"])
            r["root"] = comments_of.get(r["root"])
            r["path"] = [comments_of[i] for i in r["path"]]
            r["author"] = users.get(r["author"])
            r["votes"] = sorted(({**v, "voter": person(v["voter"])} for v in r["votes"]), key=str)
            r["reports"] = [{**p, "reporter": person(p["reporter"])} for p in r["reports"]]
            out[f"comment {r['id']}"] = r
        elif kind == "subscription":
            r.pop("id")
            r["thread"] = threads.get(r["thread"])
            r["user"] = users.get(r["user"])
            out[f"subscription {r['email']} {r['thread']} {r['kind']}"] = r
        elif kind == "sanction":
            r.pop("id")
            r["user"] = users.get(r["user"])
            r["created_by"] = users.get(r["created_by"])
            out[f"sanction {r['kind']} {r['created_at']}"] = r
        elif kind == "reactions":
            r["reactions"] = sorted(
                ({**v, "voter": person(v["voter"])} for v in r["reactions"]), key=str
            )
            r["article"] = page(r["article"])
            r["thread_key"] = key(r["thread_key"])
            out[f"reactions {r['thread_key']}"] = r
        elif kind == "redirect":
            r["page"] = page(r["page"])
            out[f"redirect {r['old_path']}"] = r
        elif kind in ("article", "section", "author"):
            r["id"] = page(r["id"])
            for field in ("section",):
                r[field] = page(r.get(field))
            for content in (r, r.get("draft") or {}):
                for field in ("authors", "related"):
                    if field in content:
                        content[field] = [page(n) for n in content[field]]
            out[f"{kind} {r['id']}"] = r
        else:
            out[f"{kind} {r.get('id')}"] = r
    return out


def wipe_discussions() -> None:
    """What an empty site has: its articles, and no discussion, reader or import."""
    Thread.objects.all().delete()
    Sanction.objects.all().delete()
    ArticleReaction.objects.all().delete()
    ArticleReactionTally.objects.all().delete()
    ImportedRecord.objects.all().delete()
    ImportRun.objects.all().delete()
    get_user_model().objects.all().delete()


def test_the_export_round_trips_every_field_into_an_empty_site(
    busy_site: dict[str, Any], tmp_path: Path, run_command: Callable[..., str]
) -> None:
    first, second, third = (tmp_path / f"{n}.jsonl" for n in ("first", "second", "third"))
    run_command("export_site", str(first))
    before = normalised(first)
    assert before["end"]["counts"]["comment"] == Comment.objects.count()
    # Everything the setup made is in the file: votes, reports, sources, the anchor.
    assert Comment.objects.count() > 10 and CommentVote.objects.count() >= 3
    assert Report.objects.count() == 1 and Sanction.objects.count() == 2
    assert Subscription.objects.count() == 2 and ArticleReaction.objects.count() == 2

    wipe_discussions()
    output = run_command("import_site", str(first))
    assert "records skipped" not in output
    run_command("export_site", str(second))
    after = normalised(second)

    assert after.keys() == before.keys()
    for name in before:
        assert after[name] == before[name], name
    for thread in Thread.objects.all():
        assert thread_inconsistencies(thread) == [], thread.key

    # Running it again changes nothing.
    counts = (Comment.objects.count(), CommentVote.objects.count(), Report.objects.count())
    again = run_command("import_site", str(first))
    assert "comments created" not in again
    assert (Comment.objects.count(), CommentVote.objects.count(), Report.objects.count()) == counts
    run_command("export_site", str(third))
    assert normalised(third) == after


def test_every_field_of_every_exported_model_is_in_the_file(
    busy_site: dict[str, Any], tmp_path: Path, run_command: Callable[..., str]
) -> None:
    out = tmp_path / "site.jsonl"
    run_command("export_site", str(out))
    records = _records(out)
    first_of: dict[str, dict[str, Any]] = {}
    for record in records[1:-1]:
        first_of.setdefault(record["type"], record)
    comments = [r for r in records if r.get("type") == "comment"]
    vote = next(v for c in comments for v in c["votes"])
    report = next(r for c in comments for r in c["reports"])
    reaction = first_of["reactions"]["reactions"][0]
    nested = {"id", "comment", "article"}  # named by the record they sit in
    expected = [
        (Thread, first_of["thread"], set()),
        (Comment, first_of["comment"], set()),
        (CommentVote, vote, nested),
        (Report, report, nested),
        (Sanction, first_of["sanction"], set()),
        (Subscription, first_of["subscription"], set()),
        (ArticleReaction, reaction, nested),
    ]
    aliases = {"voter_key": "voter", "reporter_key": "reporter"}
    for model, record, elsewhere in expected:
        for field in model._meta.concrete_fields:
            if field.name not in elsewhere:
                name = aliases.get(field.name, field.name)
                assert name in record, f"{model.__name__}.{field.name}"


def test_a_live_site_keeps_what_readers_wrote_and_gains_only_what_is_new(
    busy_site: dict[str, Any], tmp_path: Path, run_command: Callable[..., str]
) -> None:
    out = tmp_path / "site.jsonl"
    run_command("export_site", str(out))
    article = busy_site["article"]
    rosa = busy_site["rosa"]
    thread = Thread.objects.get(key=article.thread_key)
    wipe_discussions()
    # Since the export, a reader has written here under the same article.
    thread = do_register_thread(key=article.thread_key, title=article.title, url=article.get_url())
    newcomer = make_user("newcomer")
    mine = post(thread, member(newcomer), "Written here, after the export.")
    do_close_thread(thread=thread, actor=SYSTEM)

    output = run_command("import_site", str(out))
    assert "threads matched here" in output
    thread.refresh_from_db()
    assert thread.is_closed  # never reopened by a restore
    assert Comment.objects.get(pk=mine.pk).body_source == "Written here, after the export."
    assert thread_inconsistencies(thread) == []
    restored = get_user_model().objects.get(username="rosa")
    assert restored.pk != rosa.pk and not restored.has_usable_password()
    assert Comment.objects.filter(thread=thread, author=restored).count() == 3


def test_a_dry_run_writes_nothing(
    busy_site: dict[str, Any], tmp_path: Path, run_command: Callable[..., str]
) -> None:
    out = tmp_path / "site.jsonl"
    run_command("export_site", str(out))
    wipe_discussions()
    output = run_command("import_site", str(out), "--dry-run")
    assert "dry run" in output and "comments created" in output
    assert not Comment.objects.exists() and not ImportRun.objects.exists()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda lines: lines[:-1], "cut file"),
        (lambda lines: [*lines[:2], "{not json", *lines[2:]], "line 3: not JSON"),
        (lambda lines: ['{"format": "other"}', *lines[1:]], "not a Broadsheet site export"),
        (lambda lines: [lines[0].replace('"version":1', '"version":99'), *lines[1:]], "version"),
        (lambda lines: [*lines[:2], '{"type": "mystery"}', *lines[2:]], "unknown record type"),
    ],
)
def test_a_damaged_file_is_refused_before_anything_is_written(
    busy_site: dict[str, Any],
    tmp_path: Path,
    run_command: Callable[..., str],
    damage: Callable[[list[str]], list[str]],
    message: str,
) -> None:
    out = tmp_path / "site.jsonl"
    run_command("export_site", str(out))
    wipe_discussions()
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join(damage(out.read_text().splitlines())) + "\n")
    with pytest.raises(CommandError, match=message):
        run_command("import_site", str(broken))
    assert not Comment.objects.exists() and not ImportRun.objects.exists()


def test_the_publication_round_trips_with_its_discussions(
    busy_site: dict[str, Any], tmp_path: Path, run_command: Callable[..., str]
) -> None:
    story = busy_site["article"]
    make_article(title="Upstream", tags=["flood", "river"])
    draft = make_article(title="Not yet", publish=False)
    # An unpublished change waits over the live story.
    waiting = ArticlePage.objects.get(pk=story.pk)
    waiting.title = "The river plan, updated"
    waiting.save_revision()
    Redirect.objects.create(old_path="/2020/01/10/river-plan", redirect_page=story)
    Redirect.objects.create(old_path="/feed", redirect_link="/feeds/rss/")
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    run_command("export_site", "--articles", str(first))
    before = normalised(first)

    wipe_discussions()
    Redirect.objects.all().delete()
    for page in ArticlePage.objects.all():
        page.delete()
    for section in SectionPage.objects.all():
        section.delete()
    Author.objects.all().delete()
    output = run_command("import_site", str(first))
    assert "records skipped" not in output
    run_command("export_site", "--articles", str(second))
    after = normalised(second)

    assert after.keys() == before.keys()
    for name in before:
        assert after[name] == before[name], name
    back = ArticlePage.objects.get(slug=story.slug)
    assert back.pk != story.pk and back.title == story.title
    assert back.get_latest_revision().as_object().title == "The river plan, updated"
    assert not ArticlePage.objects.get(slug=draft.slug).live
    assert Thread.objects.filter(key=back.thread_key).exists()
    assert Redirect.objects.get(old_path="/2020/01/10/river-plan").redirect_page_id == back.pk
    again = run_command("import_site", str(first))
    assert " created" not in again, again


def test_the_export_can_go_to_standard_output(run_command: Callable[..., str]) -> None:
    make_thread("quiet-page")
    header, thread, end = (
        json.loads(line) for line in run_command("export_site", "-").splitlines()
    )
    assert (header["format"], header["version"]) == ("broadsheet-site", 1)
    assert thread["key"] == "quiet-page"
    assert end == {"type": "end", "counts": {"thread": 1}}


@pytest.mark.slow
def test_ten_thousand_comments_go_out_and_back(
    tmp_path: Path, run_command: Callable[..., str]
) -> None:
    source = write_disqus_export(tmp_path / "big.xml", comments=10_000, threads=40)
    run_command("import_disqus", str(source))
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    run_command("export_site", str(first))
    wipe_discussions()

    run_command("import_site", str(first))
    run_command("export_site", str(second))
    assert Comment.objects.count() == 10_000
    before, after = normalised(first), normalised(second)
    assert after == before
    for thread in Thread.objects.all():
        assert thread_inconsistencies(thread) == []
