"""Banned words (reject) and suspect words (hold), editable by moderators.

Matching is on whole words after undoing the usual disguises: case, l33t digits and
signs (0→o 1→i 3→e 4→a 5→s 7→t @→a $→s), letters spaced or dotted apart ("i.d.i.o.t",
"i d i o t") and letters repeated ("idiooot"). A repeated-letter match needs at least
as many letters as the listed word, so "as" never matches a listed "ass".
"""

from __future__ import annotations

import re

from broadsheet.moderation.models import ModerationWord
from broadsheet.moderation.rules.base import Decision, Submission, Verdict, hold

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
# Three or more single characters separated by dots, dashes, stars, underscores or spaces.
_SPACED = re.compile(r"(?<![^\W_])(?:[^\W_][\s.\-_*]+){2,}[^\W_](?![^\W_])")
_SEPARATORS = re.compile(r"[\s.\-_*]+")
_REPEATS = re.compile(r"(.)\1+")


def _squash(word: str) -> str:
    return _REPEATS.sub(r"\1", word)


def normalise(text: str) -> list[str]:
    """The words of `text` with the disguises undone (lower case, letters only)."""
    text = text.lower().translate(_LEET)
    text = _SPACED.sub(lambda m: _SEPARATORS.sub("", m.group(0)), text)
    return re.findall(r"[^\W\d_]+", text)


def _matches(words: list[str], listed: str) -> bool:
    target = normalise(listed)
    if not target:
        return False
    if len(target) > 1:  # a phrase: consecutive words
        span = len(target)
        return any(
            all(_word_matches(w, t) for w, t in zip(words[i : i + span], target, strict=True))
            for i in range(len(words) - span + 1)
        )
    return any(_word_matches(word, target[0]) for word in words)


def _word_matches(word: str, listed: str) -> bool:
    return word == listed or (len(word) >= len(listed) and _squash(word) == _squash(listed))


def find_listed(text: str, kind: str) -> str | None:
    """The first word of the `kind` list that `text` contains, or None."""
    words = normalise(text)
    for listed in ModerationWord.objects.filter(kind=kind).values_list("word", flat=True):
        if _matches(words, listed):
            return listed
    return None


def banned_words(submission: Submission) -> Decision | None:
    found = find_listed(submission.body, ModerationWord.Kind.BANNED)
    return Decision(Verdict.REJECT, f"banned word: {found}") if found else None


def suspect_words(submission: Submission) -> Decision | None:
    found = find_listed(submission.body, ModerationWord.Kind.SUSPECT)
    return hold(f"suspect word: {found}") if found else None
