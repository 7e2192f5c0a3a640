"""/moderation/comments (the queue), /moderation/comments/{id}/{verb} and
/threads/{key}/close|reopen: what the moderation queue shows and does, for integrations
(a moderator's session, with CSRF for changes, or a token with the "moderate" scope; a
site token only on its own site's discussions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from broadsheet.api.schemas import ErrorOut, KeyPrefix, ModerationReason, NameFilter, OptionalReason
from broadsheet.api.security import WRITE_AUTH, check_token, moderator, scoped_key_prefix, writer
from broadsheet.discussion import actions as discussion_actions
from broadsheet.discussion.access import access_thread_by_key
from broadsheet.discussion.people import public_name
from broadsheet.moderation import actions
from broadsheet.moderation.access import access_moderated_comment
from broadsheet.moderation.selectors import QUEUE_SIZE, queue_comments

router = Router(tags=["moderation"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

Verb = Literal["approve", "reject", "spam", "feature", "unfeature"]


class ModeratedOut(Schema):
    id: int
    status: str
    is_featured: bool


class ThreadStateOut(Schema):
    key: str
    is_closed: bool


Tab = Literal["pending", "reported", "held", "approved", "rejected", "spam"]


class QueuedCommentOut(Schema):
    id: int
    thread_key: str
    thread_title: str
    thread_url: str = Field(..., description="The page that shows the discussion")
    parent_id: int | None
    status: Literal["approved", "deleted", "pending", "spam", "rejected"]
    author_name: str
    is_guest: bool
    body_html: str
    created_at: datetime
    report_count: int
    moderation_reason: str = Field(..., description="Why a rule held it (empty otherwise)")
    is_featured: bool


@router.get(
    "/moderation/comments",
    response={200: list[QueuedCommentOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="The moderation queue",
)
def moderation_queue(
    request: HttpRequest,
    tab: Tab = "pending",
    key_prefix: KeyPrefix = "",
    author: NameFilter = "",
    limit: int = Query(QUEUE_SIZE, ge=1, le=QUEUE_SIZE),
) -> list[dict[str, Any]]:
    """One tab of the queue, newest first, as the admin's queue shows it; `key_prefix`
    keeps one site's discussions (`site:3:`), `author` matches names."""
    moderator(request)
    prefix = scoped_key_prefix(request, key_prefix, scope="moderate")
    rows = queue_comments(tab=tab, key_prefix=prefix, author=author, limit=limit)
    return [
        {
            "id": c.pk,
            "thread_key": c.thread.key,
            "thread_title": c.thread.title,
            "thread_url": c.thread.host_url,
            "parent_id": c.parent_id,
            "status": c.status,
            "author_name": public_name(c.author) if c.author else c.guest_name,
            "is_guest": c.author_id is None,
            "body_html": c.body_html,
            "created_at": c.created_at,
            "report_count": c.report_count,
            "moderation_reason": c.moderation_reason,
            "is_featured": c.is_featured,
        }
        for c in rows
    ]


@router.post(
    "/moderation/comments/{id:comment_id}/{verb}",
    response={200: ModeratedOut, **ERRORS},
    summary="Approve, reject, mark as spam, feature or unfeature a comment",
    auth=WRITE_AUTH,
)
def moderate_comment(
    request: HttpRequest, comment_id: int, verb: Verb, reason: OptionalReason = ""
) -> dict[str, Any]:
    """`reason` (query string) goes to the audit log and the author's page; optional to
    approve, reject or mark spam, required to feature or unfeature (400 without)."""
    actor = writer(request, scope="moderate")
    comment = access_moderated_comment(actor, comment_id)
    check_token(request, scope="moderate", of=comment)
    if verb == "approve":
        comment = actions.do_approve_comment(comment=comment, actor=actor, reason=reason)
    elif verb == "reject":
        comment = actions.do_reject_comment(comment=comment, actor=actor, reason=reason)
    elif verb == "spam":
        comment = actions.do_mark_spam(comment=comment, actor=actor, reason=reason)
    elif verb == "feature":
        comment = discussion_actions.do_feature_comment(comment=comment, actor=actor, reason=reason)
    else:
        comment = discussion_actions.do_unfeature_comment(
            comment=comment, actor=actor, reason=reason
        )
    return {"id": comment.pk, "status": comment.status, "is_featured": comment.is_featured}


def _open_or_close(request: HttpRequest, key: str, reason: str, *, close: bool) -> dict[str, Any]:
    actor = writer(request, scope="moderate")
    thread = access_thread_by_key(key)
    check_token(request, scope="moderate", of=thread)
    change = discussion_actions.do_close_thread if close else discussion_actions.do_reopen_thread
    thread = change(thread=thread, actor=actor, reason=reason)
    return {"key": thread.key, "is_closed": thread.is_closed}


@router.post(
    "/threads/{path:key}/close",
    response={200: ThreadStateOut, **ERRORS},
    summary="Close a discussion to new comments",
    auth=WRITE_AUTH,
)
def close_thread(request: HttpRequest, key: str, reason: ModerationReason) -> dict[str, Any]:
    """`reason` (query string, required) goes to the audit log."""
    return _open_or_close(request, key, reason, close=True)


@router.post(
    "/threads/{path:key}/reopen",
    response={200: ThreadStateOut, **ERRORS},
    summary="Reopen a closed discussion",
    auth=WRITE_AUTH,
)
def reopen_thread(request: HttpRequest, key: str, reason: ModerationReason) -> dict[str, Any]:
    """`reason` (query string, required) goes to the audit log."""
    return _open_or_close(request, key, reason, close=False)
