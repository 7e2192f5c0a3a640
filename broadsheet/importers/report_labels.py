"""The import report's lines in the reader's language (issue 19).

An import's report (``ImportReport``, stored as ``ImportRun.report``) names what it
counted and noted in English: "comments created", "threads matched by identifier". Those
names stay the stored keys (the command prints them; tests and the dry run compare
them); the run page shows them through ``label_shown`` (core/phrases.py says how). The
noted lines themselves (a title, an address, a source's id and its error) are shown as
stored: they are the source's data.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from broadsheet.core.phrases import Phrase, PhraseBook, words

# What the importers count and note under a fixed name.
FIXED = [
    gettext_noop(
        "WordPress users whose comments stay guest comments (no account here with a "
        "verified address of theirs)"
    ),
    gettext_noop("accounts created"),
    gettext_noop("accounts matched here"),
    gettext_noop("accounts read"),
    gettext_noop("articles imported before (left as they are)"),
    gettext_noop("articles read"),
    gettext_noop("articles whose section is not here (skipped)"),
    gettext_noop("attachments skipped (not images)"),
    gettext_noop("authors created"),
    gettext_noop("authors matched by name"),
    gettext_noop("authors matched by slug"),
    gettext_noop("authors read"),
    gettext_noop("comments created"),
    gettext_noop("comments imported before (left as they are)"),
    gettext_noop("comments linked to accounts here (by the WordPress user's e-mail)"),
    gettext_noop("comments listed twice in the export (first kept)"),
    gettext_noop("comments read"),
    gettext_noop("comments skipped: their thread was removed here"),
    gettext_noop("figures whose image is missing (left out)"),
    gettext_noop("images created"),
    gettext_noop("images fetched from the old site"),
    gettext_noop("images imported before"),
    gettext_noop("images in posts not available (left out)"),
    gettext_noop("images missing (no file in --media-dir)"),
    gettext_noop("images missing (no file in the media storage)"),
    gettext_noop("images missing (not in --media-dir, not fetched)"),
    gettext_noop("images read"),
    gettext_noop("images to fetch from the old site (on the real run)"),
    gettext_noop("orphans: replies whose parent is missing (kept, held for review)"),
    gettext_noop("password-protected posts (imported as drafts)"),
    gettext_noop("posts imported before (left as they are)"),
    gettext_noop("posts read"),
    gettext_noop("posts removed here since an earlier import (left alone)"),
    gettext_noop("posts skipped for a bad value"),
    gettext_noop("private posts (imported as drafts)"),
    gettext_noop("reactions created"),
    gettext_noop("reactions here already"),
    gettext_noop("reactions read"),
    gettext_noop("reactions to articles not here (skipped)"),
    gettext_noop("records skipped for a bad value"),
    gettext_noop("redirects created"),
    gettext_noop("redirects here already"),
    gettext_noop("redirects read"),
    gettext_noop("redirects to pages not imported (skipped)"),
    gettext_noop("references to accounts not in the file (left empty)"),
    gettext_noop("related-article links to articles not here yet (left out)"),
    gettext_noop("reports created"),
    gettext_noop("sanctions created"),
    gettext_noop("sanctions here already"),
    gettext_noop("sanctions read"),
    gettext_noop("sections created"),
    gettext_noop("sections matched by slug"),
    gettext_noop("sections read"),
    gettext_noop("slugs taken in their section (renamed)"),
    gettext_noop("sticky post made the lead story"),
    gettext_noop("subscriptions created"),
    gettext_noop("subscriptions here already"),
    gettext_noop("subscriptions read"),
    gettext_noop("subscriptions to threads not imported (skipped)"),
    gettext_noop("threads created"),
    gettext_noop("threads deleted at the source (closed here, comments held)"),
    gettext_noop("threads imported before"),
    gettext_noop("threads matched here"),
    gettext_noop("threads matching no page here (kept under their own key)"),
    gettext_noop("threads not imported (nothing of them written)"),
    gettext_noop("threads of articles in the file"),
    gettext_noop("threads of articles not here (kept as discussions of their own)"),
    gettext_noop("threads read"),
    gettext_noop("threads removed here since an earlier import (left alone)"),
    gettext_noop("threads with no identifier and no address (kept as a discussion of their own)"),
    gettext_noop("threads without comments (nothing to import)"),
    gettext_noop("unknown shortcodes kept as text"),
]

# A comment's status as counted ("comments pending review"): its English label, as
# every report so far stored it.
STATUS_WORDS = {
    "approved": "approved",
    "pending": "pending review",
    "spam": "spam",
    "rejected": "rejected",
    "deleted": "deleted",
}
_STATUS_SHOWN = {
    "approved": _("approved"),
    "pending review": _("pending review"),
    "spam": _("spam"),
    "rejected": _("rejected"),
    "deleted": _("deleted"),
}
# How a thread was matched to a page here (importers.matching.ThreadTarget.how).
_HOW_SHOWN = {
    "identifier": _("identifier"),
    "address": _("address"),
    "path": _("path"),
    "redirect": _("redirect"),
}
# An article's or a WordPress post's state as counted ("articles created (live)").
_STATE_SHOWN = {
    "live": _("live"),
    "scheduled": _("scheduled"),
    "draft": _("draft"),
    "publish": _("published"),
    "future": _("scheduled"),
    "private": _("private"),
}

LABELS = PhraseBook(
    [
        *(Phrase(label, label) for label in FIXED),
        Phrase("comments {status}", _("comments %(status)s")),
        Phrase("threads matched by {how}", _("threads matched by %(how)s")),
        Phrase("threads of articles matched by {how}", _("threads of articles matched by %(how)s")),
        Phrase("articles created ({state})", _("articles created (%(state)s)")),
        Phrase("posts created ({state})", _("posts created (%(state)s)")),
        Phrase(
            "{kind} items skipped (not posts)",
            _("WordPress items of type %(kind)s skipped (not posts)"),
        ),
        Phrase("pingbacks skipped", _("pingbacks skipped")),
        Phrase("trackbacks skipped", _("trackbacks skipped")),
    ],
    fields={
        "status": words(_STATUS_SHOWN),
        "how": words(_HOW_SHOWN),
        "state": words(_STATE_SHOWN),
    },
)


def label_shown(stored: str) -> str:
    """A report's count or note name in the active language (as stored when unknown)."""
    return LABELS.show(stored)
