"""One boundary for text from outside: every comment body, name, e-mail address and
website, from the HTML forms and from the API alike, passes `clean_text` once.

Refused, with a message the reader can act on: NUL and the other C0 controls (tab and
newline excepted), DEL and the C1 controls, lone surrogates (JSON can carry them; no
encoder can write them out) and Unicode non-characters. A carriage return, alone or
before a newline, becomes a newline, so a text reads the same from every client. Nothing
is cut or dropped silently: a text is stored as sent, or refused whole.

`FormText` (Django forms) and `MultiLineText`/`SingleLineText` (the API's schemas) are
the one value type in its two spellings; both call `clean_text`.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from pydantic import AfterValidator

_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff" + _NONCHARACTERS + "]")
_FORBIDDEN_ONE_LINE = re.compile("[\t\n\r]")


class TextError(ValueError):
    """A text holds a character Broadsheet refuses; the message is safe to show."""


def _describe(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return f"an unpaired surrogate (U+{code:04X})"
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"a control character (U+{code:04X})"
    return f"a Unicode non-character (U+{code:04X})"


def clean_text(value: str, *, single_line: bool = False) -> str:
    """`value` with line ends made newlines, or TextError naming the first character
    refused. `single_line` (names, addresses) refuses tabs and line breaks too."""
    found = _FORBIDDEN.search(value)
    if found is not None:
        raise TextError(f"The text contains {_describe(found.group())}; please remove it.")
    if single_line:
        if _FORBIDDEN_ONE_LINE.search(value) is not None:
            raise TextError("Please keep this on one line (no tabs or line breaks).")
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def is_clean_line(value: str) -> bool:
    """Whether `clean_text(value, single_line=True)` accepts `value`. A key from an address
    that fails this is no stored key (none holds a NUL; PostgreSQL would refuse the query)."""
    return _FORBIDDEN.search(value) is None and _FORBIDDEN_ONE_LINE.search(value) is None


def text_param(raw: object, *, max_length: int = 200) -> str:
    """A one-line text filter from a query string (a search, a name to filter by): as sent,
    or "" when `clean_text` refuses it (a NUL would make PostgreSQL refuse the query)."""
    try:
        return clean_text(str(raw or "").strip()[:max_length], single_line=True)
    except TextError:
        return ""


class FormText(forms.CharField):
    """A form field of outside text: `clean_text`, then the usual CharField checks."""

    def __init__(self, *, single_line: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)
        self.single_line = single_line
        # CharField's own NUL validator answers in its own words; ours names the fault.
        self.validators = [v for v in self.validators if not _is_null_validator(v)]

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""
        try:
            return clean_text(text, single_line=self.single_line)
        except TextError as error:
            raise forms.ValidationError(str(error), code="text") from None


def _is_null_validator(validator: object) -> bool:
    return isinstance(validator, ProhibitNullCharactersValidator)


def _clean_multi_line(value: str) -> str:
    return clean_text(value)


def _clean_single_line(value: str) -> str:
    return clean_text(value, single_line=True)


# The API schema's spelling of the same value (pydantic): Annotated[str, Field(max_length=…),
# MultiLineText] declares the length in the OpenAPI schema and refuses what clean_text does.
MultiLineText = AfterValidator(_clean_multi_line)
SingleLineText = AfterValidator(_clean_single_line)
