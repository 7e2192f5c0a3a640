"""Row ids from outside (URLs, query strings, form fields, JSON): ASCII digits only, in
the range of a 64-bit signed integer (every database's primary key), or nothing.

Python's int() reads "٣" and "²"-like digits, and an id past 2**63 - 1 makes the database
driver raise rather than find nothing; both must be a 4xx, never a 500. Every id taken
from a request goes through `parse_id` or the `id` path converter."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.urls import register_converter

MAX_ID = 2**63 - 1
# The last page number any listing takes: past it, (page - 1) × page size would overflow
# a 64-bit OFFSET at some page size.
MAX_PAGE = 1_000_000_000
_DIGITS = re.compile(r"[0-9]{1,19}", re.ASCII)


def parse_id(raw: object) -> int | None:
    """A positive id from `raw` (a str or int), or None when it is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _DIGITS.fullmatch(raw):
        value = int(raw)
    else:
        return None
    return value if 0 < value <= MAX_ID else None


def parse_page(raw: object) -> int | None:
    """A page number from 1 to MAX_PAGE from `raw`, or None when it is not one."""
    value = parse_id(raw)
    return value if value is not None and value <= MAX_PAGE else None


class IdConverter:
    """`<id:name>` in a URL pattern: like `<int:name>`, but a value past MAX_ID does not
    match (404) instead of reaching the database."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        parsed = parse_id(value)
        if parsed is None and value.strip("0") != "":
            raise ValueError(value)
        return parsed if parsed is not None else 0

    def to_url(self, value: int) -> str:
        return str(int(value))


class FormId(forms.Field):
    """A form field holding an id: `parse_id`, or the form error "not a valid number"."""

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        parsed = parse_id(str(value).strip())
        if parsed is None:
            raise forms.ValidationError("That is not a valid number.", code="invalid")
        return parsed


class UnicodeSlugConverter:
    """`<unicode_slug:name>` in a URL pattern: a slug as Wagtail and taggit make them,
    letters and digits of every script, "-" and "_". Django's `slug` is ASCII only, so a
    tag such as "περιεχόμενο" had no address, and a page linking it answered 500."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(IdConverter, "id")
register_converter(UnicodeSlugConverter, "unicode_slug")
