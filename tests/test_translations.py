"""Every word a reader sees is marked for translation, and the catalogues cover them.

The template check reads each template as Django's lexer does: what {% translate %} and
{% blocktranslate %} produce, variables and tags stand aside; any letter left in the text
between tags, or in an attribute people see or hear (alt, title, placeholder,
aria-label...), or in a quoted default a filter prints, is a string nobody can translate.
"""

from __future__ import annotations

import gettext
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.utils import translation
from django.utils.functional import Promise
from wagtail.admin.panels import InlinePanel

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted(
    path
    for path in (ROOT / "broadsheet").glob("**/templates/**/*")
    if path.suffix in {".html", ".txt"}
)
# Attributes whose value is shown or read aloud.
SPOKEN_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "label"}
# The same in every language: names of formats, the scheme a field expects, paths, the
# start of an embedding site's thread keys (the moderation queue's filter shows one).
UNTRANSLATED_WORDS = re.compile(r"\b(RSS|Atom|JSON|https?://|site:\d+:)|(?<![\w/])/[\w/.-]*")
# Blocks whose content is a class name or another machine value, not words.
MACHINE_BLOCKS = {"body_class"}
# A literal that is a machine value (an Open Graph type), not words.
MACHINE_VALUE = re.compile(r"^[a-z_]+$")
# A quoted literal a filter prints in place of a missing value, or a yes/no choice.
PRINTED_LITERAL = re.compile(r"""\|(?:default|default_if_none|yesno|pluralize):(["'])(.*?)\1""")
LETTER = re.compile(r"[^\W\d_]")
HOLE = "\x00"


def _skeleton(source: str) -> tuple[str, list[str]]:
    """The template's text with everything translated or computed replaced by HOLE, and
    the printed literals of its variables."""
    parts: list[str] = []
    literals: list[str] = []
    translating = commenting = False
    blocks: list[str] = []
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name, *arguments = token.contents.split() or [""]
            if name in {"blocktranslate", "blocktrans"}:
                translating = True
            elif name in {"endblocktranslate", "endblocktrans"}:
                translating = False
            elif name == "block":
                blocks.append(arguments[0] if arguments else "")
            elif name == "endblock" and blocks:
                blocks.pop()
            elif name == "comment":
                commenting = True
            elif name == "endcomment":
                commenting = False
            parts.append(HOLE)
        elif token.token_type == TokenType.VAR:
            literals += [
                value
                for _quote, value in PRINTED_LITERAL.findall(token.contents)
                if not MACHINE_VALUE.match(value)
            ]
            parts.append(HOLE)
        elif token.token_type == TokenType.TEXT and not commenting:
            machine = bool(blocks) and blocks[-1] in MACHINE_BLOCKS
            parts.append(HOLE if translating or machine else token.contents)
    return "".join(parts), literals


class _Visible(HTMLParser):
    """The text and spoken attributes of an HTML skeleton, outside scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._hidden += 1
        self.found += [value or "" for name, value in attrs if name in SPOKEN_ATTRIBUTES]

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.found.append(data)


def unmarked_strings(source: str, *, html: bool) -> list[str]:
    """The pieces of `source` a reader would see untranslated."""
    skeleton, literals = _skeleton(source)
    if html:
        parser = _Visible()
        parser.feed(skeleton)
        parser.close()
        pieces = parser.found
    else:
        pieces = [skeleton]
    found = []
    for piece in [*pieces, *literals]:
        for text in piece.split(HOLE):
            if LETTER.search(UNTRANSLATED_WORDS.sub("", text)):
                found.append(" ".join(text.split()))
    return found


def test_the_check_finds_unmarked_text_attributes_and_defaults() -> None:
    source = (
        '{% load i18n %}<p title="Link here">Hello <b>{{ name }}</b></p>'
        '<img alt="{% translate "Fine" %}"><p>{% translate "Fine too" %}</p>'
        "{% blocktranslate %}Also fine {{ x }}{% endblocktranslate %}"
        '{{ thread.title|default:"A discussion" }}<script src="x.js"></script>'
        '<p><a href="/feed/">RSS</a> &middot; 42</p>'
        "{% block body_class %}page-home{% endblock %}{% block title %}News{% endblock %}"
    )
    assert unmarked_strings(source, html=True) == ["Link here", "Hello", "News", "A discussion"]
    assert unmarked_strings("{% if x %}Dear reader{% endif %}", html=False) == ["Dear reader"]


@pytest.mark.parametrize(
    "path",
    TEMPLATES,
    ids=lambda path: str(path.relative_to(ROOT / "broadsheet")),
)
def test_every_string_a_reader_sees_is_marked_for_translation(path: Path) -> None:
    found = unmarked_strings(path.read_text(), html=path.suffix == ".html")
    assert not found, f"{path.relative_to(ROOT)}: not marked for translation: {found}"


# --- the catalogues ---------------------------------------------------------------------

LOCALE = ROOT / "broadsheet" / "locale"
SHIPPED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _entries(po: Path) -> list[tuple[str, str, list[str], bool]]:
    """(context, msgid, translations, fuzzy) of each entry of a .po file (plain parser:
    the format's quoted, possibly continued strings)."""
    entries = []
    current: dict[str, object] = {}
    key = ""

    def finish() -> None:
        if current.get("msgid"):
            translations = [str(v) for k, v in sorted(current.items()) if k.startswith("msgstr")]
            entries.append(
                (
                    str(current.get("msgctxt", "")),
                    str(current["msgid"]),
                    translations,
                    bool(current.get("fuzzy")),
                )
            )

    for line in po.read_text().splitlines():
        if not line.strip():
            finish()
            current, key = {}, ""
        elif line.startswith("#,") and "fuzzy" in line:
            current["fuzzy"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] = str(current[key]) + _unquote(line)
        else:
            key, _space, value = line.partition(" ")
            current[key] = _unquote(value)
    finish()
    return entries


def _unquote(quoted: str) -> str:
    return quoted[1:-1].encode().decode("unicode_escape").encode("latin-1").decode()


@pytest.mark.parametrize("language", SHIPPED)
@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_catalogue_is_complete_and_compiled(language: str, domain: str) -> None:
    po = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    entries = _entries(po)
    assert entries
    untranslated = [msgid for _c, msgid, texts, fuzzy in entries if fuzzy or not all(texts)]
    assert not untranslated, f"{po.relative_to(ROOT)}: untranslated or fuzzy: {untranslated}"
    # The committed .mo is the .po compiled (`make messages`): each entry reads back.
    with open(po.with_suffix(".mo"), "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    for context, msgid, texts, _fuzzy in entries:
        key = f"{context}\x04{msgid}" if context else msgid
        if len(texts) == 1:
            assert catalogue.gettext(key) == texts[0], (po.name, msgid)
        else:
            assert catalogue._catalog[(key, 0)] == texts[0], (po.name, msgid)  # type: ignore[attr-defined]


# --- what Wagtail's editing screens show of our models ---------------------------------


def _admin_models() -> list[type[Any]]:
    """Our models that Wagtail edits: snippets, page types and settings (Django's own
    admin registers none of ours)."""
    from django.contrib import admin
    from wagtail.contrib.settings.registry import registry as settings_registry
    from wagtail.models import get_page_models
    from wagtail.snippets.models import get_snippet_models

    found = [*get_snippet_models(), *get_page_models(), *settings_registry]
    found += [model for model in admin.site._registry]
    # The models their inline panels edit (an article's bylines, its related links).
    found += [
        model._meta.get_field(panel.relation_name).related_model
        for model in list(found)
        for attribute in ("panels", "content_panels")
        for panel in _walk(model.__dict__.get(attribute, []))
        if isinstance(panel, InlinePanel)
    ]
    return sorted(
        {model for model in found if model.__module__.startswith("broadsheet.")},
        key=lambda model: model._meta.label,
    )


def _shown_texts(model: type[Any]) -> list[tuple[str, object]]:
    """(where, text) of every label, help text and choice an edit form of `model` shows."""
    meta = model._meta
    texts: list[tuple[str, object]] = [
        ("verbose_name", meta.verbose_name),
        ("verbose_name_plural", meta.verbose_name_plural),
    ]
    for field in meta.get_fields():
        if field.auto_created or not getattr(field, "editable", False):
            continue
        if field.name in {"page", "content_object"} or field.model is not model:
            continue  # the parental key of an inline; Wagtail's Page fields
        texts.append((f"{field.name}.verbose_name", field.verbose_name))
        if field.help_text:
            texts.append((f"{field.name}.help_text", field.help_text))
        # Language names stay in their own language: a reader finds theirs.
        if list(field.choices or []) != list(settings.LANGUAGES):
            texts += [(f"{field.name}.choices[{v!r}]", label) for v, label in field.flatchoices]
    for panels in ("panels", "content_panels"):
        for panel in _walk(model.__dict__.get(panels, [])):
            for attribute in ("heading", "label", "help_text"):
                value = panel.__dict__.get(attribute)
                if value:
                    texts.append((f"{panels}: {type(panel).__name__}.{attribute}", value))
    return texts


def _walk(panels: list[Any]) -> list[Any]:
    return [item for panel in panels for item in [panel, *_walk(getattr(panel, "children", []))]]


def _block_labels(block: Any, where: str) -> list[tuple[str, object]]:
    from wagtail.blocks.base import Block

    texts = [(where, block.meta.label)]
    if getattr(block.meta, "help_text", None):
        texts.append((f"{where}.help_text", block.meta.help_text))
    for name, child in getattr(block, "child_blocks", {}).items():
        assert isinstance(child, Block)
        texts += _block_labels(child, f"{where}.{name}")
    return texts


def test_the_model_check_finds_plain_labels() -> None:
    from broadsheet.realtime.models import LiveEvent

    texts = dict(_shown_texts(LiveEvent))
    assert not isinstance(texts["channel.verbose_name"], Promise)
    assert not isinstance(texts["at.help_text"], Promise)


@pytest.mark.parametrize("model", _admin_models(), ids=lambda model: model._meta.label)
def test_every_label_an_editor_sees_is_translated(model: type[Any]) -> None:
    texts = _shown_texts(model)
    if model.__name__ == "ArticlePage":
        body = model._meta.get_field("body").stream_block
        texts += _block_labels(body, "body")[1:]
    plain = [(where, text) for where, text in texts if not isinstance(text, Promise)]
    assert not plain, f"{model._meta.label}: not marked for translation: {plain}"
    for language in SHIPPED:
        catalogue = translation.trans_real.translation(language)._catalog  # type: ignore[attr-defined]
        english = [str(text._args[0]) for _where, text in texts]  # type: ignore[attr-defined]
        missing = [text for text in english if text not in catalogue]
        assert not missing, f"{model._meta.label}: not in the {language} catalogue: {missing}"
