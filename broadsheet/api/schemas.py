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
