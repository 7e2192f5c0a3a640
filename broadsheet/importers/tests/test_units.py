"""Address normalising, the url map and comment HTML → Markdown: no database."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.importers.markup import _parsed_pieces, _simple_pieces, html_to_markdown
from broadsheet.importers.matching import load_url_map, normalise_url


@pytest.mark.parametrize(
    "url",
    [
        "http://www.ledger.example/2020/01/story/?a=1&#038;b=2",
        "https://ledger.example/2020/01/story?b=2&a=1&utm_source=feed",
        "HTTPS://LEDGER.EXAMPLE:443/2020/01/story/?a=1&amp;b=2#comments",
        "//ledger.example/2020//01/story?a=1&b=2&fbclid=xyz",
    ],
)
def test_spellings_of_one_address_normalise_alike(url: str) -> None:
    normal = normalise_url(url)
    assert normal is not None
    assert normal.full == "ledger.example/2020/01/story?a=1&b=2"
    assert normal.local == "/2020/01/story?a=1&b=2"


def test_what_is_not_a_web_address_is_none() -> None:
    assert normalise_url("") is None
    assert normalise_url("mailto:someone@example.org") is None
    assert normalise_url("https://x.example") == normalise_url("http://www.x.example/")


def test_a_url_map_reads_pairs_and_refuses_a_bad_line(tmp_path: Path) -> None:
    good = tmp_path / "map.txt"
    good.write_text("# comment\n\nhttp://www.old.example/a/ , /new/a/\nold.example/b /new/b/\n")
    mapping = load_url_map(good)
    assert mapping["old.example/a"] == "/new/a/"
    assert mapping["/a"] == "/new/a/"
    bad = tmp_path / "bad.txt"
    bad.write_text("only-one-field\n")
    with pytest.raises(ValueError, match="line 1"):
        load_url_map(bad)


def test_comment_html_becomes_the_markdown_readers_write() -> None:
    assert html_to_markdown("<p>One</p><p>Two<br>lines</p>") == "One\n\nTwo\nlines"
    assert (
        html_to_markdown(
            '<p><b>Bold</b>, <i>it</i> and <a href="https://x.example/a_b">a link</a></p>'
        )
        == "**Bold**, *it* and [a link](https://x.example/a_b)"
    )
    assert html_to_markdown("<blockquote>Quoted</blockquote><p>Reply</p>") == "> Quoted\n\nReply"
    assert html_to_markdown("<ul><li>one</li><li>two</li></ul>") == "- one\n- two"
    assert html_to_markdown('<a href="javascript:alert(1)">x</a>') == "x"
    assert html_to_markdown("Plain *text*\nwith a break\n\nand a paragraph") == (
        "Plain \\*text\\*\nwith a break\n\nand a paragraph"
    )
    assert html_to_markdown("<p>1 &lt; 2 &amp; 3</p>") == "1 \\< 2 & 3"


# Paragraph-and-break markup skips the HTML parser (markup._simple_pieces); the result
# must be the parser's, for any such markup.
MARKUP_PIECES = st.sampled_from(
    [
        *["<p>", "</p>", "<br>", "<br/>", "<br />", "word", " ", "  ", "\n", "\t", "*", "_"],
        *["#", "[x]", "\\", "`", "é", "<b>", "&amp;", "&", ">", "<P>", "<p class='x'>", "<"],
    ]
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(MARKUP_PIECES, max_size=25).map("".join))
def test_simple_markup_converts_as_the_html_parser_converts_it(markup: str) -> None:
    pieces = _simple_pieces(markup)
    if pieces is not None:
        assert pieces == _parsed_pieces(markup)


def test_everyday_comment_markup_takes_the_shortcut() -> None:
    assert _simple_pieces("<p>Well said.</p>\n<p>Line one<br>line two</p>") is not None
    assert _simple_pieces("<p>Fish &amp; chips</p>") is None


@pytest.mark.parametrize(
    "prolog",
    [
        '<?xml version="1.0"?>\n<!DOCTYPE disqus [<!ENTITY a "aaaaaaaaaa">]>\n',
        '\ufeff<?xml version="1.0"?><!-- made by hand -->\n<!DOCTYPE disqus SYSTEM "file:///etc/passwd">',
    ],
)
def test_an_export_with_a_dtd_is_refused_before_parsing(tmp_path: Path, prolog: str) -> None:
    from broadsheet.importers.xmlstream import MalformedExport, records

    path = tmp_path / "export.xml"
    path.write_text(prolog + "<disqus><thread>&a;</thread></disqus>\n", encoding="utf-8")
    with pytest.raises(MalformedExport, match=r"declares a DTD .* Nothing was imported"):
        list(records(path, {"thread"}, depth=1))
