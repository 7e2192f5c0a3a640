"""The optional external moderation phase, against a real HTTP service on loopback: it
may hold, reject or tag a comment, its call is signed, and it is skipped when it is slow
or answers nonsense."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from broadsheet.core.signatures import verify
from broadsheet.core.testing import Receiver, running_receiver
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import guest, post

SECRET = "external-secret"


@pytest.fixture
def service(settings: Any) -> Iterator[Receiver]:
    with running_receiver() as receiver:
        settings.BROADSHEET_MODERATION_EXTERNAL_URL = receiver.url
        settings.BROADSHEET_MODERATION_EXTERNAL_SECRET = SECRET
        settings.BROADSHEET_MODERATION_EXTERNAL_TIMEOUT = 0.5
        yield receiver


def _answer(receiver: Receiver, **answer: Any) -> None:
    receiver.answer = json.dumps(answer).encode()


def test_the_service_may_hold_with_tags_and_its_call_is_signed(
    service: Receiver, thread: Thread
) -> None:
    _answer(service, action="hold", reason="needs a look", tags=["politics", "heated"])
    comment = post(thread, guest("g1", ip_hash="ip-1"), "A sharp remark")
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reason == "external moderation: needs a look [politics, heated]"
    sent = service.received[0]
    assert verify(sent.headers["Broadsheet-Signature"], sent.body, SECRET, now=int(time.time()))
    call = json.loads(sent.body)
    assert call["type"] == "comment.moderate"
    assert call["data"]["comment"]["body"] == "A sharp remark"
    assert "email" not in sent.body.decode()


def test_the_service_may_reject(service: Receiver, thread: Thread) -> None:
    _answer(service, action="reject", reason="abuse")
    assert post(thread, guest("g1", ip_hash="ip-1"), "Abuse").status == Comment.Status.REJECTED


def test_approve_means_no_opinion(service: Receiver, thread: Thread) -> None:
    _answer(service, action="approve")
    assert post(thread, guest("g1", ip_hash="ip-1"), "Fine").status == Comment.Status.APPROVED


@pytest.mark.parametrize("trouble", ["slow", "nonsense", "error"])
def test_the_phase_is_skipped_when_the_service_fails(
    service: Receiver, thread: Thread, trouble: str
) -> None:
    _answer(service, action="reject")
    if trouble == "slow":
        service.delay = 1.5
    elif trouble == "nonsense":
        service.answer = b"<html>oops</html>"
    else:
        service.statuses = [500]
    started = time.monotonic()
    comment = post(thread, guest("g1", ip_hash="ip-1"), "Hello")
    assert comment.status == Comment.Status.APPROVED
    assert time.monotonic() - started < 5  # bounded by the timeout, not the service
