"""The stream endpoint as readers meet it: who gets which channel, resuming with and
without a gap, idle and switched-off discussions, Nchan's hand-over and Pushpin's GRIP
answer."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.core.clients import READER_COOKIE
from broadsheet.discussion import actions
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import post, signed_reader_cookie
from broadsheet.realtime import channels
from broadsheet.realtime.backends.base import Backend
from broadsheet.realtime.stream import parse_cursor
from broadsheet.realtime.wire import WireEvent, keepalive_frame, schema_errors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_streams(settings: Any) -> None:
    settings.BROADSHEET_LIVE_KEEPALIVE = 0.2
    settings.BROADSHEET_LIVE_STREAM_SECONDS = 1.0


def read(response: Any, keepalives: bool = False) -> list[dict[str, Any]]:
    """Every SSE message of a (finite, in these tests) stream, decoded; keep-alives only
    when asked for."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/event-stream"
    text = b"".join(response.streaming_content).decode()
    messages = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
        if "data" in fields:
            payload = json.loads(fields["data"])
            assert schema_errors(payload) == [], payload
            assert fields.get("event") == payload["type"]
            if keepalives or payload["type"] != "keepalive":
                messages.append({**payload, "id": fields.get("id")})
    return messages


def types(messages: list[dict[str, Any]]) -> list[str]:
    return [m["type"] for m in messages]


def url(thread: Thread, query: str = "") -> str:
    return f"/live/t/{thread.pk}/{query}"


def score_event(thread: Thread, n: int) -> WireEvent:
    data = {"comment_id": 1, "upvotes": n, "downvotes": 0, "score": n}
    return WireEvent(type="comment.score", thread_id=thread.pk, data=data)


def test_a_stream_opens_with_hello_and_then_sends_what_is_published(
    client: Client, thread: Thread, bus: Backend
) -> None:
    response: Any = client.get(url(thread))
    stream: Iterator[bytes] = iter(response.streaming_content)
    hello = next(stream).decode()
    assert hello.startswith("event: hello\n")
    bus.publish(channels.public(thread.pk), score_event(thread, 3))
    frame = next(chunk for chunk in stream if b"event: keepalive" not in chunk).decode()
    assert frame.startswith(f"id: t{thread.pk}:1\nevent: comment.score\n")
    rest = b"".join(stream).decode()  # then only keep-alives until it ends
    assert rest.replace(keepalive_frame(thread.pk), "") == ""


def test_a_quiet_stream_sends_keepalive_events_a_script_can_see(
    client: Client, thread: Thread, bus: Backend
) -> None:
    """SSE comments are hidden from EventSource's listeners; live.js's watchdog needs an
    event to know the stream is alive, at the interval the hello announces."""
    messages = read(client.get(url(thread)), keepalives=True)
    assert messages[0]["type"] == "hello" and messages[0]["data"]["keepalive"] == 0.2
    # STREAM_SECONDS 1.0 of quiet at KEEPALIVE 0.2: about five, whatever the machine's load.
    assert set(types(messages[1:])) == {"keepalive"} and len(messages) >= 3
    assert all(m["id"] is None for m in messages)  # the reader's cursor stays put


def test_resuming_after_a_disconnect_without_a_gap(
    client: Client, thread: Thread, bus: Backend
) -> None:
    public = channels.public(thread.pk)
    for n in range(1, 5):
        bus.publish(public, score_event(thread, n))
    messages = read(client.get(url(thread, f"?after={public}:2")))
    assert types(messages) == ["hello", "comment.score", "comment.score"]
    assert [m["id"] for m in messages[1:]] == [f"{public}:3", f"{public}:4"]
    # The browser's own Last-Event-ID works the same way.
    messages = read(client.get(url(thread), HTTP_LAST_EVENT_ID=f"{public}:3"))
    assert [m["id"] for m in messages[1:]] == [f"{public}:4"]
    # Up to date: nothing is sent twice.
    assert types(read(client.get(url(thread, f"?after={public}:4")))) == ["hello"]


def test_resuming_across_a_gap_the_history_no_longer_holds_sends_one_refetch(
    client: Client, thread: Thread, bus: Backend, settings: Any
) -> None:
    settings.BROADSHEET_LIVE_HISTORY = 2
    public = channels.public(thread.pk)
    for n in range(1, 6):
        bus.publish(public, score_event(thread, n))
    messages = read(client.get(url(thread, f"?after={public}:1")))
    assert types(messages) == ["hello", "refetch"]
    assert messages[1]["id"] is None  # the reader's cursor stays where it was


def test_a_cached_page_resumes_from_when_it_was_rendered(
    client: Client, thread: Thread, bus: Backend, settings: Any
) -> None:
    settings.BROADSHEET_LIVE_CLOCK_MARGIN = 0
    public = channels.public(thread.pk)
    bus.publish(public, score_event(thread, 1))
    rendered_at = bus.history(public)[1][-1].at + 0.001
    later = bus.publish(public, score_event(thread, 2)).on(public, 2, rendered_at + 1)
    bus._kept[public][-1] = later  # type: ignore[attr-defined]
    messages = read(client.get(url(thread, f"?since={rendered_at}")))
    assert [m["id"] for m in messages[1:]] == [f"{public}:2"]


def test_a_held_comment_reaches_its_author_and_moderators_but_never_a_stranger(
    thread: Thread,
    reader_rosa: Actor,
    moderator_max: Actor,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.BROADSHEET_MODERATION_MODE = "all"
    held = post(thread, reader_rosa, "Waiting for a moderator.")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_edit_comment(comment=held, actor=reader_rosa, body="Still waiting.")
    after = "?since=1"  # everything the history holds

    def seen_by(client: Client) -> list[str]:
        return types(read(client.get(url(thread, after))))

    rosa, max_, stranger, guest = Client(), Client(), Client(), Client()
    rosa.force_login(reader_rosa.user)
    max_.force_login(moderator_max.user)
    guest.cookies[READER_COOKIE] = signed_reader_cookie("someone-else")
    assert seen_by(rosa) == ["hello", "comment.edited"]
    assert seen_by(max_) == ["hello", "comment.edited"]
    assert seen_by(stranger) == ["hello"]
    assert seen_by(guest) == ["hello"]


def test_an_idle_discussion_and_the_site_wide_switch_turn_streams_off(
    client: Client, thread: Thread, settings: Any
) -> None:
    assert client.get(url(thread)).status_code == 200
    Thread.objects.filter(pk=thread.pk).update(created_at=timezone.now() - timedelta(days=15))
    assert client.get(url(thread)).status_code == 204
    Thread.objects.filter(pk=thread.pk).update(last_comment_at=timezone.now())
    assert client.get(url(thread)).status_code == 200
    settings.BROADSHEET_LIVE_ENABLED = False
    assert client.get(url(thread)).status_code == 204
    assert client.get("/live/t/999999/").status_code == 204


def test_a_full_process_refuses_more_streams(client: Client, thread: Thread, settings: Any) -> None:
    settings.BROADSHEET_LIVE_MAX_STREAMS = 1
    first = client.get(url(thread))
    second = client.get(url(thread))
    assert second.status_code == 503 and second["Retry-After"] == "30"
    assert types(read(first)) == ["hello"]  # it ends (STREAM_SECONDS) and frees its place
    assert client.get(url(thread)).status_code == 200


def test_the_section_goes_live_only_when_the_thread_is(
    client: Client, thread: Thread, settings: Any
) -> None:
    page = client.get(thread.get_absolute_url()).content.decode()
    assert f'data-live-url="/live/t/{thread.pk}/"' in page and "js/live.js" in page
    settings.BROADSHEET_LIVE_ENABLED = False
    settings.BROADSHEET_PAGE_CACHE_SECONDS = 0
    page = client.get(thread.get_absolute_url() + "?sort=oldest").content.decode()
    assert "data-live-url" not in page and "js/live.js" not in page


def test_pushpin_holds_the_stream_with_grip_headers(
    client: Client, thread: Thread, bus: Backend, reader_rosa: Actor, settings: Any
) -> None:
    settings.BROADSHEET_LIVE_ENGINE = "pushpin"
    settings.BROADSHEET_LIVE_KEEPALIVE = 15
    public = channels.public(thread.pk)
    bus.publish(public, score_event(thread, 1))
    client.force_login(reader_rosa.user)
    response = client.get(url(thread, f"?after={public}:0"))
    assert response["Grip-Hold"] == "stream"
    assert response["Grip-Channel"] == f"{public}, t{thread.pk}.u{reader_rosa.user_id}"
    content, encoding, timeout = response["Grip-Keep-Alive"].split("; ")
    assert (encoding, timeout) == ("format=base64", "timeout=15")
    assert base64.b64decode(content).decode() == keepalive_frame(thread.pk)
    body = response.content.decode()
    assert body.startswith("event: hello\n") and f"id: {public}:1\n" in body


def nchan_handover(response: Any) -> list[str]:
    """The channels of the app's X-Accel-Redirect."""
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Buffering"] == "no"
    location = response["X-Accel-Redirect"]
    assert location.startswith("/_live/sub/") and "?" not in location
    return location.removeprefix("/_live/sub/").split(",")


def test_nchan_gets_the_channels_the_app_chose_for_each_reader(
    thread: Thread,
    bus: Backend,
    reader_rosa: Actor,
    moderator_max: Actor,
    settings: Any,
) -> None:
    settings.BROADSHEET_LIVE_ENGINE = "nchan"
    public = channels.public(thread.pk)
    rosa, max_, stranger = Client(), Client(), Client()
    rosa.force_login(reader_rosa.user)
    max_.force_login(moderator_max.user)
    assert nchan_handover(stranger.get(url(thread))) == [public]
    assert nchan_handover(rosa.get(url(thread))) == [public, f"{public}.u{reader_rosa.user_id}"]
    assert nchan_handover(max_.get(url(thread)))[:2] == [public, f"{public}.mod"]
    # The URL names only the thread: asking for a channel changes nothing.
    asked = stranger.get(url(thread, f"?after={public}.mod:0,{public}.u{reader_rosa.user_id}:0"))
    assert nchan_handover(asked) == [public]


def test_nchan_replays_a_small_recent_gap_and_refetches_a_larger_one(
    client: Client, thread: Thread, bus: Backend, settings: Any
) -> None:
    settings.BROADSHEET_LIVE_ENGINE = "nchan"
    settings.BROADSHEET_LIVE_NCHAN_REPLAY_EVENTS = 7  # 5 kept for events while subscribing
    settings.BROADSHEET_LIVE_NCHAN_PUBLISH_URLS = ["http://127.0.0.1:9/_live/pub/"]  # gone
    public = channels.public(thread.pk)
    for n in range(1, 5):
        bus.publish(public, score_event(thread, n))
    # Two missed: Nchan's buffer holds them.
    assert nchan_handover(client.get(url(thread, f"?after={public}:2"))) == [public]
    # Three: more than it can be trusted with; the app must send refetch (here it cannot
    # reach Nchan, so it says it itself).
    response = client.get(url(thread, f"?after={public}:1"))
    assert "X-Accel-Redirect" not in response
    assert "event: refetch\n" in response.content.decode()


def test_nchan_is_told_to_refetch_when_the_gap_is_older_than_its_buffer(
    client: Client, thread: Thread, bus: Backend, settings: Any
) -> None:
    settings.BROADSHEET_LIVE_ENGINE = "nchan"
    settings.BROADSHEET_LIVE_NCHAN_REPLAY_SECONDS = 0  # nothing is old enough for Nchan
    settings.BROADSHEET_LIVE_NCHAN_PUBLISH_URLS = ["http://127.0.0.1:9/_live/pub/"]  # gone
    public = channels.public(thread.pk)
    bus.publish(public, score_event(thread, 1))
    time.sleep(0.01)
    # Nchan cannot take the refetch event (nothing listens there): the app says it, and ends.
    response = client.get(url(thread, f"?after={public}:0"))
    assert "X-Accel-Redirect" not in response
    body = response.content.decode()
    assert "event: refetch\n" in body and f"id: {public}:1" not in body


def test_cursors_are_parsed_leniently() -> None:
    cursor = parse_cursor({"after": "t1:5,t1.mod:x,:3,t1:2", "since": "abc"}, "t1.u4:7")
    assert cursor.after == {"t1": 5, "t1.u4": 7} and cursor.since is None


def test_nchan_message_ids_resume_from_their_time(settings: Any) -> None:
    settings.BROADSHEET_LIVE_CLOCK_MARGIN = 2
    cursor = parse_cursor({"after": "t1:5"}, "1796400000:[0],-,3")
    assert cursor.after == {} and cursor.since == 1796400000 - 2
