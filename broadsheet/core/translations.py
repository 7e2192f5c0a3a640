"""Each interface language's `gettext` answered from one flat look-up (a named room).

Django builds one translation object per language: a list of catalogues (one per plural
formula met among the apps' files) and, behind it, a chain of fallback translations (for
en-gb, an 'en' catalogue of each app that ships one; for es and ar, then en-gb's whole
chain). A message the first catalogues lack — nearly every message of the English source
— is looked for in each catalogue of each link of the chain in turn before it comes back
unchanged. A page asks for ~100 messages.

Contract (docs/architecture.md, "Translations: one flat look-up per language"):

- `flatten(translation)` gives one translation object a `gettext` of its own that answers
  exactly what the object's own `gettext` answers, for every message: a message found in
  no catalogue of its chain comes back as it was given, at the cost of one set look-up;
  any other is answered once by the object's own `gettext` and remembered. What is
  remembered is bounded by the messages its catalogues hold.
- This holds because Django never changes a translation's catalogues or chain once it
  has built it. When it rebuilds (a test overriding LANGUAGES or LOCALE_PATHS, the
  development server seeing a .mo file change) it makes new objects, which are
  flattened afresh when next activated.
- `activate(language)` is `django.utils.translation.activate` with the language's
  translation flattened first: the request path's locale middleware calls it. Anything
  that activates a language otherwise (tasks, `translation.override`) gets Django's own
  look-up, with the same answers.
- Only `gettext` (and so `pgettext`, `{% translate %}`, `gettext_lazy`) is flattened;
  `ngettext` keeps Django's look-up.

Tested in core/tests/test_translations_flat.py: every message of every catalogue, with
and without a context, and messages of no catalogue, answer the same flattened or not,
for English, Spanish and Arabic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real


def _messages_of(translation_object: Any) -> frozenset[str]:
    """Every message any catalogue of the object or of its fallback chain holds (a
    plural entry's key is (message, form): its message counts too)."""
    messages: set[str] = set()
    link = translation_object
    while link is not None:
        catalogue = getattr(link, "_catalog", None)
        if catalogue is not None:
            # Django's TranslationCatalog has keys() but no iteration of its own.
            for key in catalogue.keys():  # noqa: SIM118
                messages.add(key[0] if isinstance(key, tuple) else key)
        link = getattr(link, "_fallback", None)
    return frozenset(messages)


def _flat_gettext(own: Callable[[str], str], messages: frozenset[str]) -> Callable[[str], str]:
    remembered: dict[str, str] = {}
    remembered_get = remembered.get

    def gettext(message: str) -> str:
        found = remembered_get(message)
        if found is None:
            if message not in messages:
                # Django's own look-up would walk the whole chain and give it back as is.
                return message
            found = remembered[message] = own(message)
        return found

    return gettext


def flatten(translation_object: Any) -> None:
    """Give this translation object the flat `gettext` (once; see the contract above)."""
    if "_flat_gettext" in vars(translation_object):
        return
    # The object's own gettext, bound before the instance attribute shadows it.
    own = translation_object.gettext
    flat = _flat_gettext(own, _messages_of(translation_object))
    translation_object._flat_gettext = flat
    translation_object.gettext = flat


def activate(language: str) -> None:
    """`translation.activate(language)`, the language's catalogues flattened first."""
    if settings.USE_I18N:
        flatten(trans_real.translation(language))
    translation.activate(language)
