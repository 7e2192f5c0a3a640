"""Page-weight budget: an article page must stay light on a cheap phone.

HTML + CSS + JS (images aside) at most 100 KB compressed; our own JavaScript at most
30 KB gzipped. Sizes, not timings: this test is deterministic.
"""

from __future__ import annotations

import gzip
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from broadsheet.articles.testing import make_article, make_section

pytestmark = pytest.mark.django_db

ASSET = re.compile(r'<(?:script[^>]+src|link[^>]+rel="stylesheet"[^>]+href)="/static/([^"]+)"')
OWN_SCRIPTS = ("js/",)


def gzipped_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def test_an_article_page_transfers_under_100_kb_compressed_with_our_js_under_30_kb(
    client: Client,
) -> None:
    long_body = [
        {
            "type": "paragraph",
            "value": f"<p>Paragraph {n} of a long read. " + "Words " * 120 + "</p>",
        }
        for n in range(40)
    ]
    article = make_article(section=make_section("World"), body=long_body, tags=["a", "b"])
    html = client.get(article.url).content
    assets = ASSET.findall(html.decode())
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
    sizes = {"html": gzipped_size(html)}
    own_js = 0
    for asset in assets:
        path = finders.find(asset)
        assert path, f"{asset} is linked but not found"
        with open(path, "rb") as handle:
            size = gzipped_size(handle.read())
        sizes[asset] = size
        if asset.startswith(OWN_SCRIPTS):
            own_js += size
    total = sum(sizes.values())
    assert total <= 100 * 1024, sizes
    assert own_js <= 30 * 1024, sizes
