"""Parts of a page that are the same for every reader, kept per process (a named room;
docs/architecture.md, "Kept markup").

Contract:

- What is kept: the parts of a template wrapped in `{% kept_markup key "<part>" %}` …
  `{% endkept_markup %}` (core/templatetags/kept_markup_tags.py). Each part's bytes are
  those its template gives; the tag only remembers them.
- The key is the page's: its view puts it in the context, and it must change whenever
  anything a wrapped part shows changes, but for the language and time zone, which the
  tag adds (with the part's name). A page without a key (none in its context, or None)
  renders every part every time. Nothing is purged: a new key makes the old entry
  unreachable, and it ages out of the LRU.
- A wrapped part must read nothing that depends on the reader or the request beyond the
  key: no CSRF token, no reader's state, no request path.
- Bounded in bytes by BROADSHEET_KEPT_MARKUP_BYTES (core/lru.py).

Used by the article page (articles/article_page.html and the base.html parts around it),
whose key is the article page parts' key (`articles.selectors.article_page_context`: the
page, its latest revision, the site's address, the `site` and `listings` scope
versions). A new revision, publishing or unpublishing anything, a change of the
publication's settings, an author, an image or a Site (all bump `site`), and any comment
count of a related card (`listings`) each give a new key, so an edit shows at the next
render. Kept there: the metadata, the header (section, headline, dek, byline, dates, lead
image), the support box, the opinion disclaimer and the tags, the related cards, and
base.html's head links, masthead and site footer. Rendered per request: the reactions
(the reader's own), the CSRF token, the discussion, the body (its feedback passages show
the discussion's state), the sections menu (the current section) and the language
links (the page's address). A preview has no key.

Tested in articles/tests/test_kept_markup.py: pages byte for byte with and without it
(English, Spanish, Arabic; an opinion column with its disclaimer, several bylines, tags,
related articles), and edits (a new revision published, a changed publication setting,
a renamed author, a related card's new comment) seen at once.
"""

from __future__ import annotations

from collections.abc import Hashable

from django.utils.safestring import SafeString
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

from broadsheet.core.lru import BoundedLRU, setting_bytes

kept_parts: BoundedLRU[Hashable, SafeString] = BoundedLRU(
    setting_bytes("BROADSHEET_KEPT_MARKUP_BYTES", 2 * 1024 * 1024)
)


def part_key(kept_key: Hashable, part: str) -> Hashable:
    """The key of one part of one page: the page parts' key, the part, the language and
    the time zone (the dates shown)."""
    return (kept_key, part, get_language(), get_current_timezone_name())
