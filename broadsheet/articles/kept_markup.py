"""The article page's own markup that is the same for every reader, kept per process
(a named room; docs/architecture.md, "The article page's kept markup").

Contract:

- What is kept: the parts of articles/article_page.html wrapped in
  `{% kept_markup kept_key "<part>" %}` … `{% endkept_markup %}`: the social and JSON-LD
  metadata, the header (section, headline, dek, byline, dates, lead image), the support
  box, the opinion disclaimer and the tags, and the related cards. Each part's bytes
  are those its template gives; the tag only remembers them.
- The key: the article page parts' key (`selectors.article_page_context`: the page,
  its latest revision, the site's address, the `site` and `listings` scope versions),
  the part's name, the active language and time zone. A new revision, publishing or
  unpublishing anything, a change of the publication's settings, an author, an image or
  a Site (all bump `site`), and any comment count of a related card (`listings`) each
  give a new key, so an edit shows at the next render; nothing is purged and an old
  entry ages out of the LRU. The language covers the translated words, the date formats and the direction;
  the time zone, the dates' hours.
- A part holds nothing that depends on the reader or the request beyond its key: the
  reader's reaction, the CSRF token, the discussion (and the body, whose feedback
  passages show the discussion's state) stay outside every kept part and are rendered
  per request. A preview has no key (`kept_key` is None) and renders every part.
- Bounded in bytes by BROADSHEET_ARTICLE_MARKUP_BYTES (core/lru.py).

Tested in articles/tests/test_kept_markup.py: pages byte for byte with and without it
(English, Spanish, Arabic; an opinion column with its disclaimer, several bylines, tags,
related articles), and edits (a new revision published, a changed publication setting,
a changed comment count of a related card) seen at once.
"""

from __future__ import annotations

from collections.abc import Hashable

from django.utils.safestring import SafeString
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

from broadsheet.core.lru import BoundedLRU, setting_bytes

kept_parts: BoundedLRU[Hashable, SafeString] = BoundedLRU(
    setting_bytes("BROADSHEET_ARTICLE_MARKUP_BYTES", 2 * 1024 * 1024)
)


def part_key(kept_key: Hashable, part: str) -> Hashable:
    """The key of one part of one page: the page parts' key, the part, the language and
    the time zone (the dates shown)."""
    return (kept_key, part, get_language(), get_current_timezone_name())
