"""Comment Markdown: the small subset readers get, and a sanitiser nothing gets through."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from linkify_it import LinkifyIt

from broadsheet.discussion.formatting import (
    ALLOWED_TAGS,
    SchemaLinks,
    _markdown,
    _plain_html,
    comment_markdown,
    plain_text,
    render_markdown,
    sanitize,
    text_length,
)


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((tag, name, value or "") for name, value in attrs)


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    collector.close()
    return collector


def assert_safe(html: str) -> None:
    assert "<script" not in html.lower()
    found = parse(html)
    assert set(found.tags) <= ALLOWED_TAGS, found.tags
    for tag, name, value in found.attrs:
        assert not name.lower().startswith("on"), (tag, name)
        assert (tag, name) in {
            ("a", "href"),
            ("a", "rel"),
            ("p", "dir"),
            ("li", "dir"),
            # quotes and lists: the direction of their own text (with_block_directions)
            ("blockquote", "dir"),
            ("ul", "dir"),
            ("ol", "dir"),
        }, (tag, name)
        if name == "dir":
            assert value in {"auto", "ltr", "rtl"}, value
        if name == "href":
            scheme = value.split(":", 1)[0].strip().lower()
            assert scheme in {"http", "https", "mailto"}, value


def test_bold_italic_links_quotes_lists_and_code() -> None:
    html = render_markdown(
        "**bold** *italic* [a link](https://example.org/x)\n\n> quoted\n\n- one\n- two\n\n"
        "1. first\n\n`code`\n\n```\nblock\n```"
    )
    assert "<strong>bold</strong>" in html
    assert "<em>italic</em>" in html
    assert '<a href="https://example.org/x" rel="nofollow ugc noopener">a link</a>' in html
    assert '<blockquote dir="ltr">' in html
    assert '<li dir="auto">one</li>' in html
    assert '<ol dir="ltr">' in html
    assert "<code>code</code>" in html
    assert "<pre><code>block\n</code></pre>" in html


def test_a_single_newline_is_a_line_break() -> None:
    assert render_markdown("line one\nline two") == '<p dir="auto">line one<br>\nline two</p>'


def test_images_become_plain_links_never_img() -> None:
    html = render_markdown("![a chart](https://example.org/chart.png)")
    assert "<img" not in html
    assert '<a href="https://example.org/chart.png" rel="nofollow ugc noopener">a chart</a>' in html


def test_headings_rules_and_raw_html_stay_text() -> None:
    html = render_markdown("# Not a heading\n\n---\n\n<b onclick='x'>raw</b>")
    assert "<h1" not in html and "<hr" not in html and "<b" not in html
    assert "# Not a heading" in html
    assert "&lt;b onclick=" in html


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox)",
        "<https://ok.example>[x](  javascript:alert(1) )",
        "![x](javascript:alert(1))",
        "[x](/relative/path)",
    ],
)
def test_dangerous_or_relative_link_targets_are_dropped(source: str) -> None:
    html = render_markdown(source)
    assert_safe(html)
    for _tag, name, value in parse(html).attrs:
        if name == "href":
            assert value.startswith(("http://", "https://", "mailto:"))


def test_mailto_links_are_allowed() -> None:
    assert 'href="mailto:desk@example.org"' in render_markdown("[write](mailto:desk@example.org)")


def test_paragraphs_find_their_own_direction() -> None:
    html = render_markdown("English first.\n\nثم العربية.")
    assert html.count('dir="auto"') == 2


def test_sanitize_strips_markup_outside_the_allow_list() -> None:
    dirty = (
        '<div><img src=x onerror=alert(1)><a href="https://x.org" onclick="y" style="z">ok</a>'
        '<script>bad()</script><iframe src="https://evil"></iframe></div>'
    )
    clean = sanitize(dirty)
    assert_safe(clean)
    assert "bad()" not in clean
    assert ">ok</a>" in clean


def test_plain_text_and_its_length() -> None:
    html = render_markdown("**Caf&eacute;** & [tea](https://x.org)")
    assert plain_text(html).strip() == "Café & tea"
    assert text_length(html) == len("Café & tea")


FRAGMENTS = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "![y](data:image/svg+xml,<svg onload=alert(1)>)",
        "<svg/onload=alert(1)>",
        '"><script>',
        "<iframe src=//evil>",
        "javas\tcript:",
        "&#106;avascript:alert(1)",
        "[z](&#106;avascript:alert(1))",
        "<a href='https://ok' onmouseover='x'>",
        "**",
        "*",
        "`",
        "```",
        "> ",
        "- ",
        "1. ",
        "\n",
        "\n\n",
        "[",
        "]",
        "(",
        ")",
        "<",
        ">",
        '"',
        "'",
        "<style>*{}</style>",
        "<!-- c -->",
        "<form action=x><input>",
        "<details open ontoggle=alert(1)>",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_no_arbitrary_text_yields_scripts_handlers_or_dangerous_urls(text: str) -> None:
    assert_safe(render_markdown(text))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)), max_size=25).map("".join))
def test_no_adversarial_markdown_and_html_mix_gets_through(text: str) -> None:
    html = render_markdown(text)
    assert_safe(html)
    assert_safe(sanitize(text))


def test_bare_addresses_become_links_that_search_engines_do_not_follow() -> None:
    html = render_markdown("The report: https://example.org/flood-plan?page=2 (page 2).")
    assert (
        '<a href="https://example.org/flood-plan?page=2" rel="nofollow ugc noopener">'
        "https://example.org/flood-plan?page=2</a>" in html
    )
    # Ordinary prose that merely looks like a domain stays text, and nothing unsafe links.
    assert "<a" not in render_markdown("I moved to example.com last year.")
    assert "<a" not in render_markdown("javascript:alert(1) and data:text/html,x")


# Plain prose skips the Markdown parser (formatting._plain_html); the result must be
# exactly what the parser makes, for every text the shortcut accepts.
PROSE_PIECES = st.sampled_from(
    [
        "word",
        "Zoë",
        "محمد",
        "a",
        "B",
        "1",
        "2020.",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\n \n",
        ",",
        ".",
        ";",
        ":",
        "'",
        '"',
        "?",
        "!",
        "(",
        ")",
        "%",
        "/",
        "//",
        "$",
        "@",
        "+",
        "=",
        "-",
        "--",
        "*",
        "_",
        "[",
        "]",
        "<",
        ">",
        "&",
        "&amp;",
        "#",
        "`",
        "~",
        "\\",
        "|",
        "http://x.org",
        "https:",
        "mailto:a@b.org",
        "MAILTO:",
        "www.x.org",
        "a@b.org",
        "\t",
        "\u00a0",
        "\u200f",
        "1)",
        "- ",
        "> ",
        "    ",
        "===",
        "e\u0301",
    ]
)


# Mostly what the shortcut accepts, so that its edges meet one another often.
NEAR_PROSE_PIECES = st.sampled_from(
    [
        *["word", "Zoë", "a", "1", " ", "\n", "\n\n", "\n\n\n", ",", ".", ":", "'", '"', "?"],
        *["!", "(", ")", "%", "/", "$", "@", "+", "=", "-", "http", "www.x.org", "mailto", "ftp:"],
    ]
)


@settings(max_examples=1500, deadline=None)
@given(
    st.one_of(
        st.lists(PROSE_PIECES, max_size=30).map("".join),
        st.lists(NEAR_PROSE_PIECES, max_size=30).map("".join),
    )
)
def test_the_plain_prose_shortcut_renders_as_the_markdown_parser_does(text: str) -> None:
    if _plain_html(text) is not None:
        assert render_markdown(text) == sanitize(_markdown.render(text)).strip()


@pytest.mark.parametrize(
    "text",
    [
        "Well said.",
        "I agree: the council's plan (and its budget) is 100% wrong!\nSee page 4.",
        'First paragraph.\n\nSecond one, with "quotes" & more?',
        "Zoë wrote $5 + $6 = $11 @ noon/ish",
    ],
)
def test_everyday_comments_take_the_shortcut(text: str) -> None:
    if "&" in text:
        assert _plain_html(text) is None  # an entity could begin there
    else:
        assert _plain_html(text) is not None
    assert render_markdown(text) == sanitize(_markdown.render(text)).strip()


# formatting.SchemaLinks skips linkify-it's own look where no schema can be: rendering must
# be what linkify-it alone makes of every text, links or not.
_REFERENCE = comment_markdown(LinkifyIt(options=SchemaLinks.OPTIONS))

LINKISH_PIECES = st.sampled_from(
    [
        *["word", " ", "\n", "\n\n", ".", ",", ":", "/", "//", "@", "*", "_", "[", "]", "(", ")"],
        *["http", "https:", "http://x.org", "https://example.org/a_b", "HTTPS://X.ORG", "ftp:"],
        *["ftp://f.org", "mailto:", "mailto:a@b.org", "MAILTO:A@B.ORG", "//cdn.x.org/y"],
        *["www.x.org", "x.com", "a@b.org", "<", ">", "`", "> ", "- ", "1. ", "\\", "&amp;"],
        *["[a](https://x.org)", "<https://x.org>", "**", "https://x.org*", "é", "محمد"],
    ]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(LINKISH_PIECES, max_size=30).map("".join))
def test_links_are_found_as_linkify_it_alone_finds_them(text: str) -> None:
    assert _markdown.render(text) == _REFERENCE.render(text)


def test_a_pasted_address_still_becomes_a_link_and_prose_does_not_look_for_one() -> None:
    assert '<a href="https://example.org/a" ' in render_markdown("See https://example.org/a ok")
    assert "<a" not in render_markdown("Mail me at a@b.org or visit example.com")
    links = _markdown.linkify
    assert isinstance(links, SchemaLinks)
    assert not links.pretest("no schema here, a@b.org and example.com")
    assert not links.test("no schema here, a@b.org and example.com")


def test_an_address_inside_a_link_label_after_another_one_renders() -> None:
    # markdown-it-py 4.3.0 raised RuntimeError on this text (its linkify rule, checking a
    # link label, took the scheme from text before the label); the property test above
    # found it. Each address that starts with a schema becomes a link; the rest is text.
    text = "mailto:a@b.orgx.com[http://x.orgftp://f.org"
    assert render_markdown(text) == (
        '<p dir="auto"><a href="mailto:a@b.orgx.com" rel="nofollow ugc noopener">'
        'mailto:a@b.orgx.com</a>[<a href="http://x.orgftp" rel="nofollow ugc noopener">'
        "http://x.orgftp</a>://f.org</p>"
    )
    assert _REFERENCE.render(text) == _markdown.render(text)
