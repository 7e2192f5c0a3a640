"""Banned words (reject) and suspect words (hold), editable by moderators.

Matching is on whole words after undoing the usual disguises: case, l33t digits and
signs (0→o 1→i 3→e 4→a 5→s 7→t @→a $→s), letters spaced or dotted apart ("i.d.i.o.t",
"i d i o t") and letters repeated ("idiooot"). A repeated-letter match needs at least
as many letters as the listed word, so "as" never matches a listed "ass".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from broadsheet.moderation import hot_queries, reasons
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
    return list(_normalised(text))


@lru_cache(maxsize=64)
def _normalised(text: str) -> tuple[str, ...]:
    # Remembered: the banned and suspect lists and the spam score all read the same
    # comment, and the listed words are the same on every comment.
    text = text.lower().translate(_LEET)
    text = _SPACED.sub(lambda m: _SEPARATORS.sub("", m.group(0)), text)
    return tuple(re.findall(r"[^\W\d_]+", text))


@dataclass(frozen=True)
class _Words:
    """A text's normalised words, with what matching asks of them computed once."""

    words: tuple[str, ...]
    squashed: tuple[str, ...]
    # For one-word entries: every word, and per squashed form the longest word with it.
    exact: frozenset[str]
    longest: dict[str, int]

    @classmethod
    def of(cls, words: tuple[str, ...]) -> _Words:
        # One substitution over all words: they are letters only, so a run of one
        # letter never spans the single spaces between them.
        squashed = tuple(_squash(" ".join(words)).split(" ")) if words else ()
        longest: dict[str, int] = {}
        for word, squash in zip(words, squashed, strict=True):
            longest[squash] = max(longest.get(squash, 0), len(word))
        return cls(words, squashed, frozenset(words), longest)


@lru_cache(maxsize=64)
def _prepared(text: str) -> _Words:
    return _Words.of(_normalised(text))


def _matches(words: list[str] | _Words, listed: str) -> bool:
    text = words if isinstance(words, _Words) else _Words.of(tuple(words))
    target = _prepared(listed)
    if not target.words:
        return False
    first, first_squash = target.words[0], target.squashed[0]
    # Where any word matches the first listed word (set and dict look-ups): a listed
    # word that matches nowhere ends here, a phrase's scan only runs where it may match.
    if first not in text.exact and text.longest.get(first_squash, -1) < len(first):
        return False
    if len(target.words) > 1:  # a phrase: consecutive words
        span = len(target.words)
        pairs = tuple(zip(target.words, target.squashed, strict=True))
        return any(
            all(
                _squashed_match(text.words[i + k], text.squashed[i + k], listed_word, squash)
                for k, (listed_word, squash) in enumerate(pairs)
            )
            for i in range(len(text.words) - span + 1)
        )
    # One word: the check above was _word_matches against every word of the text.
    return True


def _word_matches(word: str, listed: str) -> bool:
    return word == listed or (len(word) >= len(listed) and _squash(word) == _squash(listed))


def _squashed_match(word: str, word_squash: str, listed: str, listed_squash: str) -> bool:
    """_word_matches with both squashed forms already known."""
    return word == listed or (len(word) >= len(listed) and word_squash == listed_squash)


def find_listed(text: str, kind: str, listed: list[str] | None = None) -> str | None:
    """The first word of the `kind` list (or of `listed`, that list already read) that
    `text` contains, or None."""
    if listed is None:
        listed = list(ModerationWord.objects.filter(kind=kind).values_list("word", flat=True))
    if not listed:
        return None
    words = _prepared(text)
    for entry in listed:
        if _matches(words, entry):
            return entry
    return None


def listed_words() -> dict[str, list[str]]:
    """Both lists in one query, each in its usual order: {kind: [word, ...]}. Read for
    every comment posted, so the query is a compiled one (never cached: a word a
    moderator adds counts from the next comment on)."""
    lists: dict[str, list[str]] = {kind: [] for kind in ModerationWord.Kind}
    for kind, word in hot_queries.listed_words():
        lists.setdefault(kind, []).append(word)
    return lists


def banned_words(submission: Submission) -> Decision | None:
    found = submission.listed_word_found.get(ModerationWord.Kind.BANNED)
    return Decision(Verdict.REJECT, reasons.BANNED_WORD(word=found)) if found else None


def suspect_words(submission: Submission) -> Decision | None:
    found = submission.listed_word_found.get(ModerationWord.Kind.SUSPECT)
    return hold(reasons.SUSPECT_WORD(word=found)) if found else None
