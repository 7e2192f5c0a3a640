"""The optional external moderation phase: a signed call to a service of the operator's
(BROADSHEET_MODERATION_EXTERNAL_URL) that may hold, reject or tag a comment.

Asked once per submission before the posting transaction (pipeline.prepare), like the
spam service: a network call must not hold the write lock. It is skipped — the pipeline
goes on without it — when it is off, times out (BROADSHEET_MODERATION_EXTERNAL_TIMEOUT),
fails, or answers anything but the JSON below. The request is JSON
``{"type": "comment.moderate", "created": …, "data": {"thread": …, "comment": …}}``
signed as webhooks are (``Broadsheet-Signature``, broadsheet.core.signatures); the
answer ``{"action": "approve" | "hold" | "reject", "reason": "…", "tags": ["…"]}``.
Tags go into the recorded reason of a held or rejected comment.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from broadsheet.core.signatures import SIGNATURE_HEADER, signature_header
from broadsheet.moderation import conf, reasons
from broadsheet.moderation.rules.base import Decision, Submission, Verdict

logger = logging.getLogger(__name__)
MAX_ANSWER_BYTES = 4096
VERDICTS = {"hold": Verdict.HOLD, "reject": Verdict.REJECT}


@dataclass(frozen=True)
class ExternalVerdict:
    action: str
    reason: str
    tags: tuple[str, ...]


def _request_body(submission: Submission) -> bytes:
    thread = submission.thread
    data = {
        "thread": {"key": thread.key, "title": thread.title, "url": thread.url},
        "comment": {
            "body": submission.body,
            "author": {
                "name": submission.actor.name or "",
                "is_guest": not submission.actor.is_authenticated,
            },
        },
    }
    body = {"type": "comment.moderate", "created": timezone.now().isoformat(), "data": data}
    return json.dumps(body, separators=(",", ":")).encode()


def ask_external_service(submission: Submission) -> ExternalVerdict | None:
    url = conf.external_url()
    if not url.startswith(("http://", "https://")):
        return None  # unset, or not a web address: no phase (never file:// or others)
    body = _request_body(submission)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature_header([conf.external_secret()], int(time.time()), body),
    }
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(  # noqa: S310  # nosec B310 - http(s) only, checked above
            request, timeout=conf.external_timeout()
        ) as response:
            answer = json.loads(response.read(MAX_ANSWER_BYTES))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError):
        logger.warning("External moderation at %s did not answer usably; skipped", url)
        return None
    if not isinstance(answer, dict) or answer.get("action") not in ("approve", "hold", "reject"):
        return None
    given = answer.get("tags")
    tags: list[Any] = given if isinstance(given, list) else []
    return ExternalVerdict(
        action=str(answer["action"]),
        reason=str(answer.get("reason") or "")[:120],
        tags=tuple(str(tag)[:30] for tag in tags[:10]),
    )


def external(submission: Submission) -> Decision | None:
    verdict = submission.external_verdict
    if verdict is None or verdict.action == "approve":
        return None
    reason = reasons.EXTERNAL_SAYS(said=verdict.reason) if verdict.reason else reasons.EXTERNAL()
    if verdict.tags:
        reason += " [" + ", ".join(verdict.tags) + "]"
    return Decision(VERDICTS[verdict.action], reason[:200])
