"""Why a comment was held, rejected or marked spam: the sentences the rules and actions
store (``Comment.moderation_reason``, ``AuditEntry.reason``) and how they are shown.

The rules write these phrases in English (core/phrases.py says why); the queue, a
commenter's page, the audit log and the moderators' digest show them with
``reason_shown`` (the ``reason`` template filter), in the moderator's language. Text
no phrase matches, a moderator's own words, is shown as typed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from broadsheet.core.phrases import Phrase, PhraseBook, joined, words

# The rules' reasons.
SHADOW_BANNED = Phrase("shadow-banned", _("shadow-banned"))
BANNED = Phrase("banned", _("banned"))
SUSPENDED = Phrase("suspended", _("suspended"))
HIDDEN_FIELD = Phrase("hidden field filled in", _("hidden field filled in"))
FORGED_TIMESTAMP = Phrase("form timestamp forged", _("form timestamp forged"))
TOO_FAST = Phrase("form sent back too fast", _("form sent back too fast"))
ACCOUNT_RATE = Phrase("account rate limit", _("account rate limit"))
DUPLICATE = Phrase("duplicate", _("duplicate"))
FLOOD = Phrase(
    "flood: {limit} or more comments in {window} s",
    _("flood: %(limit)s or more comments in %(window)s s"),
)
BANNED_WORD = Phrase("banned word: {word}", _("banned word: %(word)s"))
SPAM_SERVICE = Phrase("spam service", _("spam service"))
EXTERNAL = Phrase("external moderation", _("external moderation"))
# With the service's tags after it, in brackets: "external moderation [a, b]".
EXTERNAL_TAGGED = Phrase("external moderation [{tags}]", _("external moderation [%(tags)s]"))
EXTERNAL_SAYS = Phrase("external moderation: {said}", _("external moderation: %(said)s"))
SUSPECT_WORD = Phrase("suspect word: {word}", _("suspect word: %(word)s"))
TOO_MANY_LINKS = Phrase("too many links ({links})", _("too many links (%(links)s)"))
PRE_MODERATION = Phrase("pre-moderation of all comments", _("pre-moderation of all comments"))
NEW_COMMENTER = Phrase("new commenter", _("new commenter"))
SPAM_SCORE = Phrase("spam score {score}: {signs}", _("spam score %(score)s: %(signs)s"))

# What the local spam score counted (SPAM_SCORE's signs, joined by "; ").
LINKS_COUNTED = Phrase(
    "{links} link(s)", ngettext_lazy("%(links)s link", "%(links)s links", "links")
)
MOSTLY_CAPITALS = Phrase("mostly capitals", _("mostly capitals"))
REPEATED_CHARACTERS = Phrase("repeated characters", _("repeated characters"))
SPAM_PHRASES = Phrase("spam phrases: {phrases}", _("spam phrases: %(phrases)s"))
NEW_ACCOUNT = Phrase("new account", _("new account"))
GUEST = Phrase("guest", _("guest"))

# The actions' reasons.
REPORTED = Phrase(
    "reported {count} times",
    ngettext_lazy("reported %(count)s time", "reported %(count)s times", "count"),
)
REPORTS_DISMISSED = Phrase("reports dismissed", _("reports dismissed"))
AUTHOR_SANCTIONED = Phrase("author {sanction}", _("author %(sanction)s"))
# The English word each sanction stores after "author " (old rows say the same).
SANCTION_WORDS = {"ban": "banned", "suspension": "suspended", "shadow_ban": "shadow-banned"}

# What the audit log records when a moderator decides without typing a reason
# (selectors.default_reason): the decision, then what it answered.
DECISIONS = {
    "approve": Phrase("approved on review", _("approved on review")),
    "reject": Phrase("rejected on review", _("rejected on review")),
    "spam": Phrase("marked spam on review", _("marked spam on review")),
    "dismiss": REPORTS_DISMISSED,
    "restore": Phrase("restored on review", _("restored on review")),
}
DECIDED_ON_REPORTS = Phrase(
    "{decision} (reported: {report_reasons})", _("%(decision)s (reported: %(report_reasons)s)")
)
DECIDED_ON_REPORT_COUNT = Phrase(
    "{decision} ({count} report)", _("%(decision)s (%(count)s report)")
)
DECIDED_ON_REPORT_COUNTS = Phrase(
    "{decision} ({count} reports)", _("%(decision)s (%(count)s reports)")
)
DECIDED_ON_HOLD = Phrase("{decision} (held: {held})", _("%(decision)s (held: %(held)s)"))
# A reader's report reason as the audit log stores it (Report.Reason's English label).
REPORT_WORDS = {
    "spam": ("spam", _("spam")),
    "abuse": ("abusive or hateful", _("abusive or hateful")),
    "off_topic": ("off-topic", _("off-topic")),
    "other": ("something else", _("something else")),
}

SPAM_SIGNS = PhraseBook(
    [LINKS_COUNTED, MOSTLY_CAPITALS, REPEATED_CHARACTERS, SPAM_PHRASES, NEW_ACCOUNT, GUEST]
)

REASONS = PhraseBook(
    [
        SHADOW_BANNED,
        BANNED,
        SUSPENDED,
        HIDDEN_FIELD,
        FORGED_TIMESTAMP,
        TOO_FAST,
        ACCOUNT_RATE,
        DUPLICATE,
        FLOOD,
        BANNED_WORD,
        SPAM_SERVICE,
        EXTERNAL,
        EXTERNAL_TAGGED,
        EXTERNAL_SAYS,
        SUSPECT_WORD,
        TOO_MANY_LINKS,
        PRE_MODERATION,
        NEW_COMMENTER,
        SPAM_SCORE,
        REPORTED,
        REPORTS_DISMISSED,
        AUTHOR_SANCTIONED,
        *DECISIONS.values(),
    ],
    fields={
        "signs": joined(SPAM_SIGNS, "; "),
        "sanction": words(
            {
                "banned": _("banned"),
                "suspended": _("suspended"),
                "shadow-banned": _("shadow-banned"),
            }
        ),
    },
)


DEFAULT_REASONS = PhraseBook(
    [DECIDED_ON_REPORTS, DECIDED_ON_REPORT_COUNT, DECIDED_ON_REPORT_COUNTS, DECIDED_ON_HOLD],
    fields={
        "decision": REASONS.show,
        "held": REASONS.show,
        "report_reasons": joined(
            PhraseBook([Phrase(english, shown) for english, shown in REPORT_WORDS.values()]),
            ", ",
        ),
    },
)


def default_reason(verb: str, *, report_reasons: list[str], report_count: int, held: str) -> str:
    """The audit log's reason for a moderator's decision given without one: the decision
    (``verb``) and the reports it answered (their Report.Reason codes, or their number
    when they are not at hand) or the reason a rule held the comment."""
    decision = DECISIONS[verb]() if verb in DECISIONS else verb
    if report_reasons:
        words = sorted({REPORT_WORDS[code][0] for code in report_reasons if code in REPORT_WORDS})
        return DECIDED_ON_REPORTS(decision=decision, report_reasons=", ".join(words))
    if report_count:
        phrase = DECIDED_ON_REPORT_COUNTS if report_count > 1 else DECIDED_ON_REPORT_COUNT
        return phrase(decision=decision, count=report_count)
    if held:
        return DECIDED_ON_HOLD(decision=decision, held=held)
    return decision


def reason_shown(stored: str) -> str:
    """A stored reason in the active language (as stored when it is a person's words)."""
    if REASONS.knows(stored):
        return REASONS.show(stored)
    return DEFAULT_REASONS.show(stored)
