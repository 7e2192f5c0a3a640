"""/threads/{key}/comments and /comments/{id}: the discussion engine over JSON.

Thin: parse → access → action or selector → shape. The page shape is the HTML one: a page
of top-level comments in the chosen sort, each with its replies (nested) in one query.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.responses import NinjaJSONEncoder

from broadsheet.api.schemas import (
    CommentEditIn,
    CommentIn,
    CommentOut,
    CommentPageOut,
    ErrorOut,
    VoteIn,
    VoteOut,
)
from broadsheet.api.security import WRITE_AUTH, check_token, writer
from broadsheet.core.clients import remember_reader
from broadsheet.core.ids import MAX_PAGE
from broadsheet.core.urls import id_url_format
from broadsheet.discussion import actions
from broadsheet.discussion.access import (
    access_comment,
    access_comment_to_act_on,
    access_thread_by_key,
)
from broadsheet.discussion.actions import NewComment
from broadsheet.discussion.anchors import anchor_texts_for, mark_outdated, parse_anchor
from broadsheet.discussion.fragments import comment_view
from broadsheet.discussion.identity import Actor, actor_from_request
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.oversight import is_closed
from broadsheet.discussion.policy import policy_for
from broadsheet.discussion.presentation import CommentGroup, CommentView, build_groups
from broadsheet.discussion.selectors import comments_for_thread
from broadsheet.discussion.sorting import Sort, parse_sort

router = Router(tags=["comments"])

READ_ERRORS: dict[int, Any] = {404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


def _mark_outdated(request: HttpRequest, thread: Thread, views: list[CommentView]) -> None:
    anchored = [view for view in views if view.passage is not None]
    if anchored:
        mark_outdated(anchored, anchor_texts_for(thread, request))


def _single(
    comment: Comment, actor: Actor, *, mine: int | None = None, request: HttpRequest | None = None
) -> dict[str, Any]:
    view = comment_view(comment, actor=actor, mine=mine)
    if request is not None:
        _mark_outdated(request, comment.thread, [view])
    out = _listed(view, comment.thread.key, _permalink_format())
    if actor.can_moderate:
        # Moderators see the verdict itself; everyone else what the listing shows them
        # (a held comment of their own is "pending"; a shadow ban is never revealed).
        out["status"] = str(comment.status)
    return out


@router.get(
    "/threads/{path:key}/comments",
    response={200: CommentPageOut, **READ_ERRORS},
    summary="A page of a discussion",
)
def list_comments(
    request: HttpRequest,
    key: str,
    sort: Sort | None = None,
    page: int = Query(1, ge=1, le=MAX_PAGE),
) -> HttpResponse:
    """Top-level comments (PAGE_SIZE per page) in `sort` (default: the thread's), each with
    up to REPLIES_PER_ROOT replies nested by parent. My votes, what I may edit and my own
    held comments ("pending") come from my session or reader cookie."""
    thread = access_thread_by_key(key)
    actor = actor_from_request(request)
    chosen = parse_sort(sort, policy_for(thread, request).default_sort)
    result = comments_for_thread(thread, sort=chosen, page=page, viewer=actor)
    groups = build_groups(
        result.roots, result.replies, actor=actor, more=result.more_replies, markup=False
    )
    _mark_outdated(request, thread, [v for g in groups for v in (g.root, *g.replies)])
    comments = _nested(groups, thread.key)
    return _json_answer(
        {
            "thread": thread_out(thread),
            "sort": str(chosen),
            "page": result.number,
            "page_size": result.page_size,
            "has_next": result.has_next,
            "comments": comments,
        }
    )


def _nested(groups: list[CommentGroup], thread_key: str) -> list[dict[str, Any]]:
    """The listing's comments: each top-level comment with its replies nested by parent."""
    permalink = _permalink_format()
    comments = []
    for group in groups:
        root = _listed(group.root, thread_key, permalink)
        root["more_replies"] = group.more
        by_id = {group.root.id: root}
        for reply_view in group.replies:
            reply = _listed(reply_view, thread_key, permalink)
            by_id[reply_view.id] = reply
            by_id.get(reply_view.parent_id or 0, root)["replies"].append(reply)
        comments.append(root)
    return comments


def _json_answer(data: dict[str, Any], *, status: int = 200) -> HttpResponse:
    """The answer as django-ninja's renderer would write it, without validating our own
    output against the schema again (a third of the listing's time). The dicts are built
    in the schema's field order with every default filled in, so the bytes are the same;
    the schema still documents the answer in /api/v1/openapi.json, and the API tests
    check answers against it."""
    return HttpResponse(
        json.dumps(data, cls=NinjaJSONEncoder),
        content_type="application/json; charset=utf-8",
        status=status,
    )


def _permalink_format() -> str:
    """The permalink URL with a '{}' for the id (core.urls.id_url_format)."""
    return id_url_format("discussion:permalink", "comment_id")


def _listed(view: CommentView, thread_key: str, permalink: str) -> dict[str, Any]:
    """CommentOut of a comment, every field in the schema's order (the single-comment
    endpoints answer it too, with the comment's own status).

    A listing shows approved comments, "[deleted]" placeholders and the reader's own held
    comments (a moderator's: every unpublished one); the status is the one the reader may
    know, as on the HTML page: a shadow-banned comment looks approved to its author."""
    deleted = view.is_deleted
    anchor = view.passage
    status = "deleted" if deleted else "pending" if view.awaiting_moderation else "approved"
    if view.review:  # a moderator sees held, rejected and spam comments as they are
        status = view.review_status
    return {
        "id": view.id,
        "thread_key": thread_key,
        "parent_id": view.parent_id,
        "root_id": view.root_id if view.parent_id else None,
        "depth": view.depth,
        "status": status,
        "author": None
        if deleted
        else {
            "name": view.name,
            "avatar_url": view.avatar,
            "is_guest": view.is_guest,
            "website": view.website or None,
        },
        "reply_to": view.parent_name or None,
        "body_html": "" if deleted else str(view.body_html),
        "created_at": json_moment(view.created_at),
        "edited_at": json_moment(view.edited_at) if view.edited_at is not None else None,
        "upvotes": view.upvotes,
        "downvotes": view.downvotes,
        "score": view.score,
        "reply_count": view.reply_count,
        "my_vote": view.mine,
        "can_edit": view.can_edit,
        "can_delete": view.can_delete,
        "url": permalink.format(view.id),
        "replies": [],
        "more_replies": False,
        "anchor_kind": anchor.kind if anchor is not None else "",
        "anchor_block_id": anchor.block_id if anchor is not None else None,
        "anchor_quote": anchor.quote if anchor is not None else None,
        "anchor_start": anchor.start if anchor is not None else None,
        "anchor_end": anchor.end if anchor is not None else None,
        "anchor_revision": anchor.revision if anchor is not None else None,
        "anchor_outdated": anchor.outdated if anchor is not None else False,
    }


def json_moment(moment: datetime) -> str:
    """A moment as django-ninja's encoder (DjangoJSONEncoder) writes it: ECMA-262's
    form, milliseconds, "Z" for UTC. Written here so the answer holds only JSON's own
    types and json.dumps calls no `default` hook per moment (tested against the encoder)."""
    text = moment.isoformat()
    if moment.microsecond:
        text = text[:23] + text[26:]
    if text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return text


def thread_out(thread: Thread) -> dict[str, Any]:
    return {
        "key": thread.key,
        "title": thread.title,
        "url": thread.url,
        "comment_count": thread.comment_count,
        "is_closed": is_closed(thread),
    }


@router.get(
    "/comments/{id:comment_id}", response={200: CommentOut, **READ_ERRORS}, summary="One comment"
)
def get_comment(request: HttpRequest, comment_id: int) -> dict[str, Any]:
    actor = actor_from_request(request)
    return _single(access_comment(actor, comment_id), actor, request=request)


@router.post(
    "/threads/{path:key}/comments",
    response={201: CommentOut, **WRITE_ERRORS},
    summary="Post a comment or reply",
    auth=WRITE_AUTH,
)
def post_comment(request: HttpRequest, key: str, payload: CommentIn) -> HttpResponse:
    """Guests give `name` and `email` (never shown); signed-in readers post as themselves.
    Needs the CSRF token (X-CSRFToken header) like every write."""
    actor = writer(request)
    thread = access_thread_by_key(key)
    check_token(request, scope="write", of=thread)
    parent = access_comment_to_act_on(actor, payload.parent_id) if payload.parent_id else None
    comment = actions.do_post_comment(
        actor=actor, new=_new_comment(payload, thread, parent), policy=policy_for(thread, request)
    )
    # Written as the listing is (_json_answer): the bytes ninja would write for CommentOut.
    return remember_reader(request, _json_answer(_single(comment, actor, mine=0), status=201))


def _new_comment(payload: CommentIn, thread: Thread, parent: Comment | None) -> NewComment:
    """The payload as the action takes it. The honeypot goes to the moderation pipeline as
    the HTML form's does (a filled one is spam); ``rendered`` only when a page sent it."""
    anchor = parse_anchor(
        kind=payload.anchor_kind,
        block_id=payload.anchor_block_id,
        quote=payload.anchor_quote,
        start=payload.anchor_start,
        end=payload.anchor_end,
    )
    return NewComment(
        thread=thread,
        body=payload.body,
        parent=parent,
        guest_name=payload.name,
        guest_email=payload.email,
        guest_website=payload.website,
        anchor=anchor if anchor.given else None,
        honeypot=payload.homepage,
        rendered_at=payload.rendered,
    )


@router.patch(
    "/comments/{id:comment_id}",
    response={200: CommentOut, **WRITE_ERRORS},
    summary="Edit my comment",
    auth=WRITE_AUTH,
)
def edit_comment(request: HttpRequest, comment_id: int, payload: CommentEditIn) -> dict[str, Any]:
    """The author only, within the edit window (BROADSHEET_DISCUSSION_EDIT_WINDOW)."""
    actor = writer(request)
    target = access_comment(actor, comment_id)
    check_token(request, scope="write", of=target)
    comment = actions.do_edit_comment(comment=target, actor=actor, body=payload.body)
    return _single(Comment.objects.select_related("thread", "author").get(pk=comment.pk), actor)


@router.delete(
    "/comments/{id:comment_id}",
    response={200: CommentOut, **WRITE_ERRORS},
    summary="Delete a comment",
    auth=WRITE_AUTH,
)
def delete_comment(request: HttpRequest, comment_id: int) -> dict[str, Any]:
    """The author or a moderator. A comment with replies stays as a "[deleted]" placeholder."""
    actor = writer(request)
    target = access_comment(actor, comment_id)
    check_token(request, scope="write", of=target)
    comment = actions.do_delete_comment(comment=target, actor=actor)
    return _single(Comment.objects.select_related("thread", "author").get(pk=comment.pk), actor)


@router.post(
    "/comments/{id:comment_id}/vote",
    response={200: VoteOut, **WRITE_ERRORS},
    summary="Vote on a comment",
    auth=WRITE_AUTH,
)
def vote(
    request: HttpRequest, response: HttpResponse, comment_id: int, payload: VoteIn
) -> dict[str, Any]:
    """Set my vote: 1, -1, or 0 to take it back. Not on my own comments."""
    actor = writer(request)
    target = access_comment_to_act_on(actor, comment_id)
    check_token(request, scope="write", of=target)
    result = actions.do_cast_vote(comment=target, actor=actor, value=payload.value)
    remember_reader(request, response)
    return {
        "upvotes": result.upvotes,
        "downvotes": result.downvotes,
        "score": result.score,
        "my_vote": result.mine,
    }
