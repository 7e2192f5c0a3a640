"""Shapes of the API's requests and answers. E-mail addresses and IP hashes are never
part of any of them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema


class ErrorDetail(Schema):
    code: str = Field(
        ...,
        examples=["invalid"],
        description="invalid, forbidden, csrf_failed, not_found, rate_limited",
    )
    message: str = Field(..., description="Safe to show to the reader")
    field: str | None = Field(None, description="The request field at fault, when one is")


class ErrorOut(Schema):
    """The body of every 4xx answer."""

    error: ErrorDetail


class AuthorOut(Schema):
    name: str
    avatar_url: str
    is_guest: bool
    website: str | None = None


class CommentOut(Schema):
    id: int
    thread_key: str
    parent_id: int | None
    root_id: int | None
    depth: int
    status: Literal["approved", "deleted", "pending", "spam", "rejected"]
    author: AuthorOut | None = Field(None, description="Empty for a deleted comment")
    reply_to: str | None = Field(None, description="Name of the author of the parent comment")
    body_html: str = Field(..., description="Sanitised HTML; empty for a deleted comment")
    created_at: datetime
    edited_at: datetime | None
    upvotes: int
    downvotes: int
    score: int
    reply_count: int = Field(..., description="Visible replies below this comment, at any depth")
    my_vote: Literal[-1, 0, 1]
    can_edit: bool
    can_delete: bool
    url: str = Field(..., description="Permalink (redirects to the page that shows it)")
    replies: list[CommentOut] = Field(default_factory=list)
    more_replies: bool = Field(False, description="Top-level only: more replies than shown")
    anchor_kind: Literal["", "point", "quote"] = Field(
        "",
        description='Inline feedback: "point" (an editor\'s feedback passage), "quote" '
        '(a sentence the reader quoted) or "" (the whole page)',
    )
    anchor_block_id: str | None = Field(None, description="The host's stable block id")
    anchor_quote: str | None = Field(None, description="The passage as it read when posted")
    anchor_start: int | None = Field(None, description="Quote: first character in the block")
    anchor_end: int | None = Field(None, description="Quote: character after the last one")
    anchor_revision: str | None = Field(None, description="The host page's revision then")
    anchor_outdated: bool = Field(
        False, description="The passage changed or is gone: about an earlier version"
    )


class ThreadOut(Schema):
    key: str
    title: str
    url: str
    comment_count: int
    is_closed: bool


class CommentPageOut(Schema):
    thread: ThreadOut
    sort: Literal["newest", "oldest", "top"]
    page: int
    page_size: int
    has_next: bool
    comments: list[CommentOut] = Field(..., description="Top-level comments, replies nested")


class CommentIn(Schema):
    body: str = Field(
        ..., description="Markdown: **bold**, *italic*, [link](https://…), > quote, - list, `code`"
    )
    parent_id: int | None = Field(None, description="The comment replied to")
    name: str = Field("", description="Guests: the name shown")
    email: str = Field("", description="Guests: never shown")
    website: str = Field("", description="Guests: optional https:// address")
    anchor_kind: Literal["", "point", "quote"] = Field(
        "", description='Inline feedback: "point" or "quote"; "" for the whole page'
    )
    anchor_block_id: str = Field("", description="The block (UUID) the comment is about")
    anchor_quote: str = Field("", description='"quote": the sentence, ≤ 1,000 characters')
    anchor_start: int | None = Field(None, ge=0, description='"quote": offset in the block text')
    anchor_end: int | None = Field(None, ge=0, description='"quote": end offset (exclusive)')
    homepage: str = Field(
        "",
        description="Anti-bot: the comment form's hidden honeypot field, sent as it is "
        "(a filled one marks the comment spam); leave empty",
    )
    rendered: str | None = Field(
        None,
        description="Anti-bot: the comment form's signed render time, when the comment "
        "comes from one of our pages (too fast a reply is held)",
    )


class CommentEditIn(Schema):
    body: str


class VoteIn(Schema):
    value: Literal[1, -1, 0] = Field(..., description="1 upvote, -1 downvote, 0 remove my vote")


class VoteOut(Schema):
    upvotes: int
    downvotes: int
    score: int
    my_vote: Literal[-1, 0, 1]


CommentOut.model_rebuild()
