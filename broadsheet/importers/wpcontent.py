"""WordPress post content → the article body's StreamField blocks.

Handles what WordPress itself writes: Gutenberg's block comments
(``<!-- wp:paragraph -->``, dropped: the HTML between them carries the content),
classic content without ``<p>`` (blank lines are paragraphs, as wpautop makes them),
and the shortcodes of core: ``[caption]`` (an image with its caption), ``[gallery
ids=…]`` (one image block per picture), ``[embed]URL[/embed]`` and a URL alone on its
line (embed blocks). Other shortcodes stay as text and are listed in the report.
Top-level ``<p>``/``<ul>``/``<ol>`` become paragraphs (bold, italic, links and lists
kept: the paragraph block's features), ``<h1>``–``<h6>`` headings, ``<blockquote>``
quotes, ``<img>``/``<figure>`` image blocks when the picture was imported (else
reported), embed figures embed blocks.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import nh3

_GUTENBERG = re.compile(r"<!--\s*/?wp:[^>]*?-->", re.S)
_CAPTION = re.compile(r"\[caption([^\]]*)\](.*?)\[/caption\]", re.S)
_GALLERY = re.compile(r"\[gallery([^\]]*)\]")
_EMBED = re.compile(r"\[embed[^\]]*\](.*?)\[/embed\]", re.S)
_LONE_URL = re.compile(r"^\s*(https?://[^\s<>\"]+)\s*$", re.M)
_SHORTCODE = re.compile(r"\[/?([a-zA-Z_][\w-]*)[^\]]*\]")
_ATTR = re.compile(r'(\w+)=["\']([^"\']*)["\']')
_BLOCK_TAGS = (
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "ul",
    "ol",
    "figure",
    "pre",
    "table",
    "img",
    "hr",
)

_paragraph_cleaner = nh3.Cleaner(
    tags={"b", "strong", "i", "em", "a", "br", "ul", "ol", "li", "p"},
    attributes={"a": {"href"}},
    url_schemes={"http", "https", "mailto"},
    link_rel=None,
    strip_comments=True,
)


@dataclass
class Converted:
    blocks: list[dict[str, Any]] = field(default_factory=list)
    unknown_shortcodes: set[str] = field(default_factory=set)
    missing_images: list[str] = field(default_factory=list)


ImageLookup = Callable[[str, str], int | None]  # (attachment id, src) -> image id


def _marker(kind: str, **values: str) -> str:
    attrs = " ".join(f'data-{k}="{html.escape(v)}"' for k, v in values.items())
    return f'\n\n<figure data-kind="{kind}" {attrs}></figure>\n\n'


def _shortcodes(content: str) -> str:
    def caption(match: re.Match[str]) -> str:
        inner = match.group(2)
        img = re.search(r"<img[^>]*>", inner)
        text = re.sub(r"<[^>]+>", "", inner).strip()
        src = re.search(r'src=["\']([^"\']+)', img.group(0)) if img else None
        wp_id = re.search(r"wp-image-(\d+)", img.group(0)) if img else None
        attrs = dict(_ATTR.findall(match.group(1)))
        return _marker(
            "image",
            src=src.group(1) if src else "",
            id=(wp_id.group(1) if wp_id else attrs.get("id", "").removeprefix("attachment_")),
            caption=text,
        )

    def gallery(match: re.Match[str]) -> str:
        ids = dict(_ATTR.findall(match.group(1))).get("ids", "")
        return "".join(
            _marker("image", id=i.strip(), src="", caption="") for i in ids.split(",") if i.strip()
        )

    content = _CAPTION.sub(caption, content)
    content = _GALLERY.sub(gallery, content)
    content = _EMBED.sub(lambda m: _marker("embed", url=m.group(1).strip()), content)
    return _LONE_URL.sub(lambda m: _marker("embed", url=m.group(1)), content)


def _autop(content: str) -> str:
    """Blank-line paragraphs for classic content that has no block markup of its own."""
    chunks = re.split(r"\n\s*\n", content.strip())
    out = []
    for chunk in chunks:
        stripped = chunk.strip()
        if not stripped:
            continue
        if re.match(rf"<({'|'.join(_BLOCK_TAGS)})\b", stripped, re.I):
            out.append(stripped)
        else:
            out.append("<p>" + stripped.replace("\n", "<br>") + "</p>")
    return "\n".join(out)


class _TopLevel(HTMLParser):
    """Splits HTML into its top-level elements: (tag, attributes, inner HTML)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.parts: list[tuple[str, dict[str, str], list[str]]] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        text = self.get_starttag_text() or ""
        void = tag in ("img", "br", "hr", "input", "source")
        if self.depth == 0:
            if tag == "br":
                return
            self.parts.append((tag, {k: v or "" for k, v in attrs}, []))
            if not void:
                self.depth = 1
            return
        self.parts[-1][2].append(text)
        if not void:
            self.depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth == 0:
            self.parts.append((tag, {k: v or "" for k, v in attrs}, []))
        else:
            self.parts[-1][2].append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if self.depth == 0:
            return
        self.depth -= 1
        if self.depth > 0:
            self.parts[-1][2].append(f"</{tag}>")

    def _text(self, text: str) -> None:
        if self.depth == 0:
            if text.strip():
                self.parts.append(("p", {}, [text]))
        else:
            self.parts[-1][2].append(text)

    def handle_data(self, data: str) -> None:
        self._text(data)

    def handle_entityref(self, name: str) -> None:
        self._text(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._text(f"&#{name};")


def _plain(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup)).strip()


def convert(content: str, images: ImageLookup) -> Converted:
    """The blocks of one post's content; what could not be carried over is listed."""
    result = Converted()
    content = _GUTENBERG.sub("\n\n", content or "")
    content = _shortcodes(content)
    for name in _SHORTCODE.findall(content):
        result.unknown_shortcodes.add(name)
    parser = _TopLevel()
    parser.feed(_autop(content))
    parser.close()
    for tag, attrs, inner_parts in parser.parts:
        inner = "".join(inner_parts)
        _block(tag, attrs, inner, images, result)
    return result


def _image_block(
    wp_id: str, src: str, caption: str, images: ImageLookup, result: Converted
) -> None:
    image_id = images(wp_id, src)
    if image_id is None:
        result.missing_images.append(src or f"attachment {wp_id}")
        return
    result.blocks.append(
        {"type": "image", "value": {"image": image_id, "caption": caption[:250], "credit": ""}}
    )


def _block(
    tag: str, attrs: dict[str, str], inner: str, images: ImageLookup, result: Converted
) -> None:
    if tag == "figure" and attrs.get("data-kind") == "image":
        _image_block(
            attrs.get("data-id", ""),
            attrs.get("data-src", ""),
            attrs.get("data-caption", ""),
            images,
            result,
        )
    elif tag == "figure" and attrs.get("data-kind") == "embed":
        result.blocks.append({"type": "embed", "value": attrs.get("data-url", "")})
    elif tag == "figure" and "wp-block-embed" in attrs.get("class", ""):
        # The URL alone on its line inside was already turned into an embed marker.
        marked = re.search(r'data-url="([^"]+)"', inner)
        url = html.unescape(marked.group(1)) if marked else ""
        if not url and (lone := _LONE_URL.search(_plain(inner))):
            url = lone.group(1)
        if url:
            result.blocks.append({"type": "embed", "value": url})
    elif tag in ("figure", "img") or (
        tag in ("p", "div") and re.fullmatch(r"\s*(<a[^>]*>)?\s*<img[^>]*>\s*(</a>)?\s*", inner)
    ):
        img_html = inner if tag != "img" else ""
        src = attrs.get("src", "") if tag == "img" else ""
        wp_id = re.search(r"wp-image-(\d+)", attrs.get("class", "") + img_html)
        if not src:
            found = re.search(r'<img[^>]*src=["\']([^"\']+)', img_html)
            src = found.group(1) if found else ""
        caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", inner, re.S)
        if src or wp_id:
            _image_block(
                wp_id.group(1) if wp_id else "",
                src,
                _plain(caption.group(1)) if caption else "",
                images,
                result,
            )
    elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        text = _plain(inner)
        if text:
            result.blocks.append({"type": "heading", "value": text[:255]})
    elif tag == "blockquote":
        cite = re.search(r"<cite[^>]*>(.*?)</cite>", inner, re.S)
        body = re.sub(r"<cite[^>]*>.*?</cite>", "", inner, flags=re.S)
        text = "\n\n".join(
            _plain(p) for p in re.split(r"</p>\s*<p[^>]*>|<br\s*/?>", body) if _plain(p)
        )
        if text:
            result.blocks.append(
                {
                    "type": "quote",
                    "value": {"text": text, "attribution": _plain(cite.group(1)) if cite else ""},
                }
            )
    elif tag in ("ul", "ol"):
        clean = _paragraph_cleaner.clean(f"<{tag}>{inner}</{tag}>")
        if _plain(clean):
            result.blocks.append({"type": "paragraph", "value": clean})
    elif tag in ("hr", "br"):
        return
    else:  # p, div, pre, table and anything else: its text and inline formatting
        clean = _paragraph_cleaner.clean(inner).strip()
        if _plain(clean):
            result.blocks.append({"type": "paragraph", "value": f"<p>{clean}</p>"})
