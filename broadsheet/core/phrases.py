"""Sentences stored in English, shown in the reader's language.

Some rows keep a short English sentence that people read later: why a rule held a
comment ("too many links (4)"), what an import counted ("comments created"). The
English text stays what is stored: it is what the API, the exports and the code that
matches on it (the queue's "held" tab, the shadow-ban check) already read, and what
every old row says. What is shown goes through a ``PhraseBook``: each ``Phrase`` pairs
the English pattern its writer formats with the translatable text to show, so a stored
sentence is recognised, its parameters taken out, and the translation filled with
them; a sentence no phrase matches (a moderator's own words, an old wording) is shown
as it was stored.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext

_NUMBER = re.compile(r"^-?\d[\d,]*$")


@dataclass(frozen=True)
class Phrase:
    """One stored sentence: ``english`` as written (``str.format`` fields, ``{links}``),
    ``shown`` the lazy translation (``%(links)s``; a lazy ``ngettext`` may take its number
    from a field)."""

    english: str
    # A lazy translation, or a string marked with gettext_noop, translated when shown.
    shown: Promise | str

    def __call__(self, **params: object) -> str:
        """The sentence to store."""
        return self.english.format(**params)

    @cached_property
    def fields(self) -> tuple[str, ...]:
        return tuple(name for _t, name, _s, _c in string.Formatter().parse(self.english) if name)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        parts = []
        for text, name, _spec, _conversion in string.Formatter().parse(self.english):
            parts.append(re.escape(text))
            if name:
                parts.append(f"(?P<{name}>.+?)")
        return re.compile("".join(parts), re.DOTALL)


@dataclass
class PhraseBook:
    """Phrases of one kind of stored text, and how to show a field's value when it is
    itself stored English (a sub-book's ``show``, or a fixed list of words)."""

    phrases: list[Phrase]
    fields: Mapping[str, Callable[[str], str]] = field(default_factory=dict)

    def show(self, stored: str) -> str:
        """``stored`` in the active language, or as it is when no phrase matches."""
        for phrase in self.phrases:
            found = phrase.pattern.fullmatch(stored)
            if found is None:
                continue
            values: dict[str, Any] = {}
            for name, value in found.groupdict().items():
                field_shown = self.fields.get(name)
                if field_shown is not None:
                    values[name] = field_shown(value)
                elif _NUMBER.match(value):
                    values[name] = int(value.replace(",", ""))
                else:
                    values[name] = value
            shown = gettext(phrase.shown) if isinstance(phrase.shown, str) else phrase.shown
            return str(shown % values) if phrase.fields else str(shown)
        return stored

    def knows(self, stored: str) -> bool:
        return any(phrase.pattern.fullmatch(stored) for phrase in self.phrases)


def words(table: Mapping[str, Promise | str]) -> Callable[[str], str]:
    """A field whose value is one of a few stored English words, shown translated."""

    def show(value: str) -> str:
        return str(table.get(value, value))

    return show


def joined(book: PhraseBook, separator: str) -> Callable[[str], str]:
    """A field whose value is several stored sentences joined by ``separator``."""

    def show(value: str) -> str:
        return separator.join(book.show(part) for part in value.split(separator))

    return show
