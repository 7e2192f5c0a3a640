"""Comment text: a small Markdown subset rendered once, at write time, then sanitised.

Readers write Markdown (bold, italic, links, quotes, lists, code, line breaks). It is
rendered with markdown-it-py's CommonMark preset with raw HTML disabled and every other
block or inline rule we do not offer switched off; images become plain links (we never
load a third-party image on a reader's behalf). The HTML then goes through nh3 with a
strict allow-list, so even a bug in the Markdown step cannot let markup through. Reads
never render Markdown: they show the stored, already-clean ``body_html``.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import nh3
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.linkify import linkify as _markdown_it_linkify
from markdown_it.token import Token

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "a", "blockquote", "ul", "ol", "li", "code", "pre"}
)
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
MARKDOWN_HINT = "**bold**, *italic*, [link](https://…), > quote, - list, `code`"


class SchemaLinks(LinkifyIt):
    """linkify-it finding only addresses that start with a schema (``https:``, ``http:``,
    ``ftp:``, ``mailto:``, ``//``): bare addresses readers paste (https://…) become links,
    while "example.com" or "a@b.org" in a sentence stays text (fuzzy matching links too
    much ordinary prose).

    Every schema holds ":" or "//", so a text with neither holds no such address, and
    ``pretest`` and ``test`` say so without linkify-it's own look: its pretest also looks
    for host names and "@" (which prose is full of), and its test runs several regular
    expressions on every run of text (what that cost a post: docs/performance.md,
    "Posting: less work per comment").
    tests/test_formatting.py checks that rendering is the same with linkify-it's own."""

    OPTIONS = {"fuzzy_link": False, "fuzzy_email": False}

    def __init__(self) -> None:
        super().__init__(options=self.OPTIONS)

    def pretest(self, text: str) -> bool:
        return _may_hold_schema(text) and bool(super().pretest(text))

    def test(self, text: str) -> bool:
        return _may_hold_schema(text) and bool(super().test(text))


def _may_hold_schema(text: str) -> bool:
    return ":" in text or "//" in text


def _linkify_that_moves_on(state: StateInline, silent: bool) -> bool:
    """markdown-it's linkify rule, but never a match that does not move past the text.

    Inside a link label ("[" … ) the rule runs in validation mode and takes the scheme
    from text pending before the label, not from the text at hand, so an address there
    can "match" without the position moving, and markdown-it then raises RuntimeError
    ("inline rule didn't increment state.pos"): a comment such as
    "mailto:a@b.orgx.com[http://x.orgftp://f.org" failed to render (found by the property
    test in tests/test_formatting.py; markdown-it-py 4.3.0). Such a match is no link."""
    start = state.pos
    pending = state.pending
    if not _markdown_it_linkify(state, silent):
        return False
    if state.pos > start:
        return True
    state.pos, state.pending = start, pending
    return False


def _render_image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    label = self.renderInlineAsText(token.children or [], options, env) or src
    if not src:
        return escapeHtml(label)
    return f'<a href="{escapeHtml(src)}">{escapeHtml(label)}</a>'


def comment_markdown(links: LinkifyIt) -> MarkdownIt:
    """The comment subset of CommonMark, finding bare addresses with `links`."""
    markdown = MarkdownIt(
        "commonmark", {"html": False, "breaks": True, "typographer": False, "linkify": True}
    )
    markdown.linkify = links
    markdown.enable("linkify")
    markdown.inline.ruler.at("linkify", _linkify_that_moves_on)
    # Headings, rules and raw HTML are not part of what a comment may contain; with their
    # rules off, "# text" or "---" stay literal text.
    markdown.disable(["heading", "lheading", "hr", "html_block", "html_inline"])
    markdown.add_render_rule("image", _render_image)
    return markdown


_markdown = comment_markdown(SchemaLinks())

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}},
    # Each paragraph finds its own direction, so an Arabic line quoted in an English
    # comment (or the reverse) reads correctly.
    set_tag_attribute_values={"p": {"dir": "auto"}, "li": {"dir": "auto"}},
    url_schemes=set(URL_SCHEMES),
    link_rel=LINK_REL,
    url_relative="deny",
    strip_comments=True,
)


def sanitize(markup: str) -> str:
    """Reduce HTML to the comment allow-list (tags, http/https/mailto links only)."""
    return _cleaner.clean(markup)


# Text in which Markdown finds nothing to do: letters, digits, spaces, line breaks and
# punctuation that starts no Markdown construct here (no emphasis, code, link, image,
# entity, escape or raw HTML character; "//" and "mailto:" would start a linked address).
_PLAIN = re.compile(r"[\w ,.;:'\"?!()%/$@+=\n-]*")
_PARAGRAPH_BREAK = re.compile(r"\n{2,}")


def _plain_html(source: str) -> str | None:
    """The HTML markdown-it makes of plain prose, made directly (the parser costs most
    of an import's time); None when the text could mean more than its words.

    Each line must start with a letter (a digit, a dash or a space could begin a list
    or a code block) and carry no spaces at its ends (two would be a hard break).
    tests/test_formatting.py checks that the result equals the full pipeline's."""
    if not _PLAIN.fullmatch(source) or "_" in source or "//" in source:
        return None
    if "mailto:" in source.lower():
        return None
    paragraphs = []
    for paragraph in _PARAGRAPH_BREAK.split(source.strip("\n")):
        lines = paragraph.split("\n")
        for line in lines:
            if not line[:1].isalpha() or line[-1] == " ":
                return None
        paragraphs.append("<p>" + "<br />\n".join(html.escape(line) for line in lines) + "</p>\n")
    return "".join(paragraphs)


def render_markdown(source: str) -> str:
    """Markdown source → safe HTML for ``Comment.body_html``."""
    markup = _plain_html(source)
    if markup is not None:
        # Plain prose has no quote or list to give a direction to.
        return sanitize(markup).strip()
    return with_block_directions(sanitize(_markdown.render(source))).strip()


# Quotes and lists hold paragraphs or items that carry dir="auto" themselves, and
# dir="auto" looks past such children: a quote would then always be left to right, its
# bar on the left even around Arabic. So they are given the direction of their first
# strong character here (a `>` quote in Arabic gets dir="rtl", its bar on the right).
_CONTAINERS = re.compile(r"<(blockquote|ul|ol)>")
_PARTS = re.compile(r"(<[^>]*>)")


def _first_direction(text: str) -> str:
    for char in html.unescape(text):
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in {"R", "AL"}:
            return "rtl"
    return ""


def with_block_directions(markup: str) -> str:
    """Sanitised comment HTML with dir="ltr"/"rtl" on each quote and list, from its own
    text (tags are the allow-list's, attribute-free for these three)."""
    parts = _PARTS.split(markup)
    waiting: list[int] = []  # open containers whose direction is not known yet
    for index, part in enumerate(parts):
        if _CONTAINERS.fullmatch(part):
            waiting.append(index)
        elif part.startswith("</") and part[2:-1] in {"blockquote", "ul", "ol"}:
            # A container with no strong character keeps its parent's direction.
            if waiting and parts[waiting[-1]] == f"<{part[2:-1]}>":
                waiting.pop()
        elif waiting and not part.startswith("<"):
            direction = _first_direction(part)
            if direction:
                for opened in waiting:
                    parts[opened] = f'{parts[opened][:-1]} dir="{direction}">'
                waiting.clear()
    return "".join(parts)


_TAG = re.compile(r"<[^>]*>")


def plain_text(body_html: str) -> str:
    """The visible text of sanitised comment HTML (for folding and previews)."""
    return html.unescape(_TAG.sub("", body_html))


def text_length(body_html: str) -> int:
    return len(plain_text(body_html).strip())
