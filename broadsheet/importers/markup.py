"""Comment text from other systems: their HTML as the Markdown our readers write.

Disqus and WordPress keep comments as HTML. Stored here, a comment is Markdown (what
its author can edit) rendered by the discussion's own pipeline, so imported comments
look and behave like the ones written here. Only what that pipeline offers survives
(paragraphs, line breaks, bold, italic, links, quotes, lists, code); other markup
leaves its text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#])")
_BLANK_LINES = re.compile(r"\n{3,}")
_EMPTY_LINE = re.compile(r"[> ]*")


def _escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


class _ToMarkdown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.links: list[str | None] = []
        self.lists: list[str] = []
        self.quote = 0
        self.pre = 0

    def _newline(self, blank: bool = True) -> None:
        prefix = "> " * self.quote
        self.out.append("\n" + (prefix.rstrip() + "\n" if blank else "") + prefix)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "div"):
            self._newline()
        elif tag == "br":
            self.out.append("\n" + "> " * self.quote)
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag == "code" and not self.pre:
            self.out.append("`")
        elif tag == "pre":
            self.pre += 1
            self._newline()
            self.out.append("```\n")
        elif tag == "blockquote":
            self.quote += 1
            self._newline()
        elif tag in ("ul", "ol"):
            self.lists.append(tag)
            self._newline()
        elif tag == "li":
            self._newline(blank=False)
            self.out.append("1. " if self.lists and self.lists[-1] == "ol" else "- ")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://", "mailto:")):
                self.links.append(href)
                self.out.append("[")
            else:
                self.links.append(None)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "div"):
            self._newline()
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag == "code" and not self.pre:
            self.out.append("`")
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self.out.append("\n```")
            self._newline()
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
            self._newline()
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._newline()
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href is not None:
                self.out.append(f"]({href.replace(')', '%29').replace(' ', '%20')})")

    def handle_data(self, data: str) -> None:
        if self.pre:
            self.out.append(data)
            return
        text = re.sub(r"\s+", " ", data)
        self.out.append(_escape(text))


def _parsed_pieces(markup: str) -> list[str]:
    parser = _ToMarkdown()
    parser.feed(markup)
    parser.close()
    return parser.out


_SIMPLE_TOKEN = re.compile(r"<p>|</p>|<br>|<br/>|<br />|[^<>&]+")


def _simple_pieces(markup: str) -> list[str] | None:
    """What _ToMarkdown makes of markup that is only paragraphs, line breaks and text
    without entities (most comments), without its HTML parser (a third of the time of
    reading an export); None for anything else. A test compares the two."""
    pieces: list[str] = []
    end = 0
    for token in _SIMPLE_TOKEN.finditer(markup):
        if token.start() != end:
            return None
        end = token.end()
        value = token.group()
        if value in ("<p>", "</p>"):
            pieces.append("\n\n")
        elif value.startswith("<br"):
            pieces.append("\n")
        else:
            pieces.append(_escape(re.sub(r"\s+", " ", value)))
    return pieces if end == len(markup) else None


def html_to_markdown(markup: str) -> str:
    """Comment HTML (or plain text with line breaks, as WordPress keeps it) → Markdown."""
    if "<" not in markup:
        # Plain text: WordPress turns blank lines into paragraphs, single ones into <br>.
        paragraphs = re.split(r"\n\s*\n", markup.replace("\r\n", "\n").strip())
        return "\n\n".join(
            "\n".join(_escape(line.strip()) for line in p.split("\n")) for p in paragraphs
        )
    if "\n" in markup and "<p" not in markup.lower():
        markup = "<p>" + re.sub(r"\n\s*\n", "</p><p>", markup).replace("\n", "<br>") + "</p>"
    pieces = _simple_pieces(markup)
    text = "".join(_parsed_pieces(markup) if pieces is None else pieces)
    lines = [line.rstrip() for line in text.split("\n")]
    # Quote markers of the blank lines around a quote are noise at the ends.
    while lines and _EMPTY_LINE.fullmatch(lines[0]):
        lines.pop(0)
    while lines and _EMPTY_LINE.fullmatch(lines[-1]):
        lines.pop()
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
