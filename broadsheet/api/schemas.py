"""Shapes of the API's requests and answers. E-mail addresses and IP hashes are never
part of any of them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator

from broadsheet.core.ids import MAX_ID
from broadsheet.core.text import MultiLineText, SingleLineText
from broadsheet.discussion import conf
from broadsheet.discussion.anchors import QUOTE_MAX_LENGTH

# Ids and offsets in JSON are whole numbers, never true/false, 1.0 or "1", in the range of
# a database key (a larger one answers 422, not a server error).
Id = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]
Offset = Annotated[int, Field(strict=True, ge=0, le=1_000_000)]

# The limits the actions enforce, declared here so a client can know them from the schema.
# The body's is read once from settings (BROADSHEET_DISCUSSION_BODY_MAX_LENGTH) at start.
Body = Annotated[
    str,
    Field(
        max_length=conf.body_max_length(),
        description="Markdown: **bold**, *italic*, [link](https://…), > quote, - list, `code`",
    ),
    MultiLineText,
]
GuestName = Annotated[
    str,
    Field(max_length=conf.name_max_length(), description="Guests: the name shown"),
    SingleLineText,
]
GuestEmail = Annotated[
    str, Field(max_length=254, description="Guests: never shown"), SingleLineText
]
GuestWebsite = Annotated[
    str, Field(max_length=300, description="Guests: optional https:// address"), SingleLineText
]
BlockId = Annotated[
    str, Field(max_length=64, description="The block (UUID) the comment is about"), SingleLineText
]
Quote = Annotated[
    str,
    Field(max_length=QUOTE_MAX_LENGTH, description='"quote": the sentence, ≤ 1,000 characters'),
    MultiLineText,
]


# A filter typed into a query string: one line, no control characters (PostgreSQL
# refuses a NUL in a LIKE pattern).
KeyPrefix = Annotated[
    str, Field(max_length=100, description='"site:3:" or "article-"'), SingleLineText
]
NameFilter = Annotated[str, Field(max_length=100), SingleLineText]
# Why a moderator acted: the audit log keeps it (closing and reopening need one).
ModerationReason = Annotated[
    str,
    Field(min_length=1, max_length=300, pattern=r"\S", description="Why: kept in the audit log"),
    SingleLineText,
]
OptionalReason = Annotated[
    str, Field(max_length=300, description="Why: kept in the audit log"), SingleLineText
]


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
    body: Body
    parent_id: Id | None = Field(None, description="The comment replied to")
    name: GuestName = ""
    email: GuestEmail = ""
    website: GuestWebsite = ""
    anchor_kind: Literal["", "point", "quote"] = Field(
        "", description='Inline feedback: "point" or "quote"; "" for the whole page'
    )
    anchor_block_id: BlockId = ""
    anchor_quote: Quote = ""
    anchor_start: Offset | None = Field(None, description='"quote": offset in the block text')
    anchor_end: Offset | None = Field(None, description='"quote": end offset (exclusive)')
    homepage: Annotated[
        str,
        Field(
            max_length=2000,
            description="Anti-bot: the comment form's hidden honeypot field, sent as it is "
            "(a filled one marks the comment spam); leave empty",
        ),
        SingleLineText,
    ] = ""
    rendered: (
        Annotated[
            str,
            Field(
                max_length=200,
                description="Anti-bot: the comment form's signed render time, when the "
                "comment comes from one of our pages (too fast a reply is held)",
            ),
            SingleLineText,
        ]
        | None
    ) = None


class CommentEditIn(Schema):
    body: Body


def _whole_number(value: object) -> object:
    # JSON true and 1.0 equal 1 in Python; a vote is the number itself or refused.
    if type(value) is not int:
        raise ValueError("Input should be -1, 0 or 1")
    return value


class VoteIn(Schema):
    value: Annotated[Literal[1, -1, 0], BeforeValidator(_whole_number)] = Field(
        ..., description="1 upvote, -1 downvote, 0 remove my vote"
    )


class VoteOut(Schema):
    upvotes: int
    downvotes: int
    score: int
    my_vote: Literal[-1, 0, 1]


CommentOut.model_rebuild()
