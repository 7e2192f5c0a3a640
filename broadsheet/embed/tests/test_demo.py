"""make demo's embedding site: registered once, its snippet printed and written."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from broadsheet.embed import origins
from broadsheet.embed.models import EmbeddingSite


def test_the_demo_site_allows_local_pages_on_any_port(db: None, tmp_path: Path) -> None:
    output = tmp_path / "demo-embed.json"
    out = StringIO()
    call_command("register_demo_embed", output=str(output), stdout=out)
    call_command("register_demo_embed", output=str(output), stdout=StringIO())
    site = EmbeddingSite.objects.get()
    written = json.loads(output.read_text())
    assert written["site_key"] == site.key
    assert f'data-site="{site.key}"' in written["snippet"]
    assert '<div id="broadsheet-thread"></div>' in written["snippet"]
    assert "/static/embed/embed.js" in written["snippet"]
    assert written["snippet"] in out.getvalue()
    for page in ("http://127.0.0.1:8123/post.html", "http://localhost:3000/"):
        assert origins.url_allowed(site.rules, page)
    assert not origins.url_allowed(site.rules, "http://192.168.1.5:8000/")
