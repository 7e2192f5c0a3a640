"""Inline feedback: comments anchored to a passage of the host page.

A comment may be about a *feedback point* the editor marked ("point": the whole passage)
or about a sentence the reader selected ("quote": the quote plus character offsets). Both
keep the host's stable block id, the quoted text as it was, and the host's revision, so a
comment survives edits: when the quote no longer occurs in the block's current text (or
the block is gone) it is shown as "about an earlier version of the text".

The engine knows nothing of articles: the host answers through the callable named by
``BROADSHEET_DISCUSSION_ANCHOR_TEXT``, called once per request as
``anchor_texts(thread) -> dict[block id, plain text]``. It may return an ``AnchorTexts``
(a dict) that also says which blocks are feedback points and the current revision id.

Offsets count characters of the block's *normalised* text (whitespace runs collapsed to
one space, trimmed), as both the server and ``inline.js`` compute it. Quotes are matched
ignoring whitespace altogether, so a selection across two paragraphs still matches.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpRequest
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from broadsheet.core.errors import ActionError
from broadsheet.core.ids import parse_id
from broadsheet.discussion import conf

if TYPE_CHECKING:
    from broadsheet.discussion.models import Comment, Thread
    from broadsheet.discussion.page_rows import CommentRow

QUOTE_MAX_LENGTH = 1_000
KINDS = ("", "point", "quote")
_BLOCK_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SPACE = re.compile(r"\s+")
FIELD = "anchor"


class AnchorTexts(dict[str, str]):
    """{block id: current plain text} of a host page, plus which blocks are feedback
    points (`points`: {block id: question}) and the page's current revision id."""

    def __init__(
        self,
        texts: Mapping[str, str] | None = None,
        *,
        points: Mapping[str, str] | None = None,
        revision: str = "",
    ) -> None:
        super().__init__(texts or {})
        self.points: dict[str, str] = dict(points or {})
        self.revision = revision


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _squash(text: str) -> str:
    return _SPACE.sub("", text)


@dataclass
class Anchor:
    """What a reader's comment is anchored to, as posted (validated by check_anchor)."""

    kind: str = ""
    block_id: str = ""
    quote: str = ""
    start: int | None = None
    end: int | None = None
    revision: str = ""

    @property
    def is_set(self) -> bool:
        return bool(self.kind)

    @property
    def given(self) -> bool:
        """Any anchor field was sent (then it must be a valid anchor)."""
        return bool(
            self.kind
            or self.block_id
            or self.quote
            or self.start is not None
            or self.end is not None
        )


@dataclass
class AnchorView:
    """A comment's anchor as a reader sees it."""

    kind: str
    block_id: str
    quote: str
    comment_id: int
    start: int | None = None
    end: int | None = None
    revision: str = ""
    outdated: bool = False

    @property
    def href(self) -> str:
        """Where the passage is on the host page (inline.js highlights quotes)."""
        if self.kind == "quote":
            return f"#quote-{self.comment_id}"
        return f"#block-{self.block_id}"


def anchor_view(comment: Comment | CommentRow) -> AnchorView | None:
    if not comment.anchor_kind:
        return None
    return AnchorView(
        kind=comment.anchor_kind,
        block_id=comment.anchor_block_id,
        quote=comment.anchor_quote,
        comment_id=comment.pk,
        start=comment.anchor_start,
        end=comment.anchor_end,
        revision=comment.anchor_revision,
    )


def anchor_texts_for(thread: Thread, request: HttpRequest | None = None) -> AnchorTexts | None:
    """The host's passages of `thread` (None when no host callable is configured),
    asked once per request."""
    path = conf.anchor_text()
    if path is None:
        return None
    cache: dict[int, AnchorTexts] | None = None
    if request is not None:
        cache = getattr(request, "_discussion_anchor_texts", None)
        if cache is None:
            cache = {}
            request._discussion_anchor_texts = cache  # type: ignore[attr-defined]
        if thread.pk in cache:
            return cache[thread.pk]
    answer: Any = import_string(path)(thread)
    texts = answer if isinstance(answer, AnchorTexts) else AnchorTexts(answer or {})
    if cache is not None:
        cache[thread.pk] = texts
    return texts


def quote_matches(quote: str, text: str | None) -> bool:
    return text is not None and bool(_squash(quote)) and _squash(quote) in _squash(text)


def is_outdated(kind: str, block_id: str, quote: str, texts: AnchorTexts | None) -> bool:
    """The passage is gone or no longer reads as quoted (never, without a host)."""
    if not kind or texts is None:
        return False
    return not quote_matches(quote, texts.get(block_id))


def mark_outdated(views: list[Any], texts: AnchorTexts | None) -> None:
    """Set `outdated` on the anchors of comment views (no query)."""
    for view in views:
        anchor = getattr(view, "passage", None)
        if anchor is not None:
            anchor.outdated = is_outdated(anchor.kind, anchor.block_id, anchor.quote, texts)


def _int(value: object) -> int | None:
    if value in (None, ""):
        return None
    if value == 0 or value == "0":
        return 0
    number = parse_id(value)
    if number is None:
        raise ActionError(_("The position of the quote is not valid."), field=FIELD)
    return number


def parse_anchor(
    *, kind: str = "", block_id: str = "", quote: str = "", start: object = None, end: object = None
) -> Anchor:
    """An Anchor from raw request values (shape only; check_anchor decides the rest)."""
    return Anchor(
        kind=(kind or "").strip(),
        block_id=(block_id or "").strip().lower(),
        quote=quote or "",
        start=_int(start),
        end=_int(end),
    )


def check_anchor(*, anchor: Anchor, texts: AnchorTexts | None, is_reply: bool = False) -> Anchor:
    """Validate an anchor against the host's current passages; returns it normalised
    (quote whitespace collapsed, offsets fixed to where the quote is, revision set).

    A point's quote is the passage's whole current text; a quote must occur in the
    block's current text. Raises ActionError on field "anchor".
    """
    if anchor.kind not in KINDS:
        raise ActionError(_("Unknown kind of passage."), field=FIELD)
    if not anchor.kind:
        if anchor.block_id or anchor.quote or anchor.start is not None or anchor.end is not None:
            raise ActionError(_("Say which kind of passage the comment is about."), field=FIELD)
        return anchor
    if is_reply:
        raise ActionError(_("A reply is about its comment, not a passage."), field=FIELD)
    if not _BLOCK_ID.match(anchor.block_id):
        raise ActionError(_("That passage is not valid."), field=FIELD)
    if len(anchor.quote) > QUOTE_MAX_LENGTH:
        raise ActionError(
            _("Please quote at most %(limit)s characters.") % {"limit": intcomma(QUOTE_MAX_LENGTH)},
            field=FIELD,
        )
    if texts is None or anchor.block_id not in texts:
        raise ActionError(_("That passage is no longer on the page."), field=FIELD)
    text = normalise(texts[anchor.block_id])
    if anchor.kind == "point":
        if anchor.block_id not in texts.points:
            raise ActionError(_("That passage is not open for feedback."), field=FIELD)
        if anchor.start is not None or anchor.end is not None:
            raise ActionError(_("A feedback point has no position."), field=FIELD)
        return Anchor(
            kind="point",
            block_id=anchor.block_id,
            quote=text[:QUOTE_MAX_LENGTH],
            revision=texts.revision,
        )
    quote = normalise(anchor.quote)
    if not quote:
        raise ActionError(_("Please select the sentence you want to quote."), field=FIELD)
    if (anchor.start is None) != (anchor.end is None) or (
        anchor.start is not None and anchor.end is not None and anchor.end <= anchor.start
    ):
        raise ActionError(_("The position of the quote is not valid."), field=FIELD)
    if not quote_matches(quote, text):
        raise ActionError(
            _("That sentence is no longer in the text; please select it again."), field=FIELD
        )
    start, end = anchor.start, anchor.end
    if start is None or end is None or text[start:end] != quote:
        # The reader's browser counted differently (or sent no position): the first
        # occurrence is where the quote is; whitespace-insensitive quotes keep None.
        found = text.find(quote)
        start, end = (found, found + len(quote)) if found >= 0 else (None, None)
    return Anchor(
        kind="quote",
        block_id=anchor.block_id,
        quote=quote,
        start=start,
        end=end,
        revision=texts.revision,
    )


def anchor_for_form(block_id: str, texts: AnchorTexts | None) -> Anchor | None:
    """The feedback point preselected by ``?anchor=<block id>`` (None when it is not one)."""
    block_id = (block_id or "").strip().lower()
    if texts is None or block_id not in texts.points:
        return None
    return Anchor(kind="point", block_id=block_id, quote=normalise(texts[block_id]))


def question_of(block_id: str, texts: AnchorTexts | None) -> str:
    return texts.points.get(block_id, "") if texts is not None else ""


# --- reads -------------------------------------------------------------------------------


def point_counts(thread: Thread) -> dict[str, int]:
    """{block id: visible comments anchored there (points and quotes)}: one query."""
    from django.db.models import Count

    from broadsheet.discussion.models import Comment

    rows = (
        Comment.objects.filter(thread=thread, status=Comment.Status.APPROVED)
        .exclude(anchor_kind="")
        .values_list("anchor_block_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {block_id: n for block_id, n in rows}


def anchored_comments(
    thread: Thread, *, page: int = 1, page_size: int | None = None, block_id: str = ""
) -> Any:
    """A ThreadPage of the top-level comments made on passages (of one block when
    `block_id` is given), newest first, with their replies: at most 2 queries."""
    from broadsheet.discussion.selectors import (
        VISIBLE,
        ThreadPage,
        _replies_of,
        displayed_comments,
    )
    from broadsheet.discussion.sorting import Sort

    size = page_size or conf.page_size()
    number = max(1, page)
    offset = (number - 1) * size
    rows = (
        displayed_comments()
        .filter(thread_id=thread.pk, parent__isnull=True)
        .filter(VISIBLE)
        .exclude(anchor_kind="")
    )
    if block_id:
        rows = rows.filter(anchor_block_id=block_id)
    roots = list(rows.order_by("-created_at", "-pk")[offset : offset + size + 1])
    has_next = len(roots) > size
    roots = roots[:size]
    replies, more = _replies_of(roots, conf.replies_per_root())
    return ThreadPage(
        thread=thread,
        sort=Sort.NEWEST,
        number=number,
        page_size=size,
        roots=roots,
        replies=replies,
        more_replies=more,
        has_next=has_next,
    )
