"""Allowed origins and page keys: pure functions."""

from __future__ import annotations

import pytest

from broadsheet.embed.origins import (
    clean_url,
    normalise_url,
    origin_allowed,
    page_key,
    parse_rule,
    parse_rules,
    url_allowed,
)


def test_one_page_whatever_the_scheme_www_slash_and_tracking() -> None:
    same = {
        normalise_url("https://blog.example.org/a/b/"),
        normalise_url("http://www.blog.example.org/a/b"),
        normalise_url("https://BLOG.example.org:443/a/b?utm_source=x&utm_medium=y#comments"),
        normalise_url("https://blog.example.org/a/b/?fbclid=123&gclid=9"),
    }
    assert same == {"blog.example.org/a/b"}


def test_meaningful_query_and_ports_make_different_pages() -> None:
    assert normalise_url("https://e.org/p?id=2&b=1") == "e.org/p?b=1&id=2"
    assert normalise_url("https://e.org/p?id=2") != normalise_url("https://e.org/p?id=3")
    assert normalise_url("http://localhost:8801/x") != normalise_url("http://localhost:8802/x")


def test_kept_url_drops_tracking_and_fragment_only() -> None:
    assert clean_url("https://e.org/a/?utm_campaign=z&page=2#c") == "https://e.org/a/?page=2"


def test_page_key_prefers_the_identifier_and_stays_short() -> None:
    assert page_key(3, url="https://e.org/a", identifier="post-42") == "site:3:id:post-42"
    assert page_key(3, url="https://www.e.org/a/") == "site:3:e.org/a"
    long_key = page_key(3, url="https://e.org/" + "x" * 900)
    assert long_key.startswith("site:3:sha256:") and len(long_key) < 100


def test_rules_parse_ports_paths_and_refuse_nonsense() -> None:
    rule = parse_rule("http://localhost:*")
    assert rule.port == -1 and rule.csp_source == "http://localhost:*"
    assert parse_rule("https://e.org/blog/").path == "/blog"
    for bad in ("example.org", "ftp://e.org", "https://e.org/?q=1", "https://e.org:xx"):
        with pytest.raises(ValueError):
            parse_rule(bad)


def test_origins_and_urls_under_them() -> None:
    rules = parse_rules("https://e.org/blog\nhttp://localhost:*\nhttps://shop.e.org:8443")
    assert origin_allowed(rules, "https://e.org")
    assert origin_allowed(rules, "https://www.e.org")
    assert origin_allowed(rules, "http://localhost:8899")
    assert origin_allowed(rules, "https://shop.e.org:8443")
    assert not origin_allowed(rules, "https://shop.e.org")
    assert not origin_allowed(rules, "http://e.org")
    assert not origin_allowed(rules, "https://evil.org")
    assert not origin_allowed(rules, "https://e.org.evil.org")
    assert url_allowed(rules, "https://e.org/blog/post-1")
    assert url_allowed(rules, "https://e.org/blog")
    assert not url_allowed(rules, "https://e.org/blogger/post")
    assert not url_allowed(rules, "https://e.org/shop/")
    assert not url_allowed(rules, "javascript:alert(1)")
