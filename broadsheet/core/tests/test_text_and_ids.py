"""The one boundary for outside text (core.text) and for ids (core.ids)."""

from __future__ import annotations

import pytest
from django.urls import resolve

from broadsheet.core.ids import MAX_ID, FormId, parse_id
from broadsheet.core.text import FormText, TextError, clean_text, is_clean_line


@pytest.mark.parametrize(
    "text",
    [
        "a\x00b",  # NUL: PostgreSQL refuses it, a C string ends at it
        "bell\x07",
        "esc\x1b[31m",
        "del\x7f",
        "c1\x85",
        "\ud800",  # a lone surrogate: no encoder writes it
        "x\udfffy",
        "\ufdd0",
        "\ufffe",
        "\U0001ffff",
        "\U0010fffe",
    ],
)
def test_controls_surrogates_and_non_characters_are_refused(text: str) -> None:
    with pytest.raises(TextError, match="U\\+"):
        clean_text(text)


def test_tabs_newlines_and_every_script_pass_and_line_ends_become_newlines() -> None:
    assert clean_text("a\tb\nc") == "a\tb\nc"
    assert clean_text("one\r\ntwo\rthree") == "one\ntwo\nthree"
    assert (
        clean_text("Ελληνικά, العربية, 日本語, 🦆, \u200d")
        == "Ελληνικά, العربية, 日本語, 🦆, \u200d"
    )


def test_single_line_text_refuses_line_breaks_and_tabs() -> None:
    assert clean_text("Gabriel Okafor", single_line=True) == "Gabriel Okafor"
    for text in ("Gabriel\nBcc: x@example.org", "a\rb", "a\tb"):
        with pytest.raises(TextError):
            clean_text(text, single_line=True)


@pytest.mark.parametrize("key", ["abc-123", "مقال", "a\x00b", "a\tb", "a\nb", "\ufffe", "\ud800"])
def test_is_clean_line_answers_as_clean_text_single_line_does(key: str) -> None:
    try:
        clean_text(key, single_line=True)
        accepted = True
    except TextError:
        accepted = False
    assert is_clean_line(key) is accepted


def test_the_form_field_answers_the_same_refusal_as_a_form_error() -> None:
    field = FormText(max_length=10)
    with pytest.raises(Exception, match="control character \\(U\\+0000\\)"):
        field.clean("a\x00b")
    assert field.clean("a\r\nb") == "a\nb"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        ("0042", 42),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("99999999999999999999", None),
        ("0", None),
        ("-1", None),
        ("²", None),  # str.isdigit() says yes; int() fails
        ("٣", None),  # int() reads Arabic-Indic digits
        ("1.0", None),
        (" 1", None),
        ("", None),
        (None, None),
        (True, None),
        (7, 7),
        (2**63, None),
    ],
)
def test_parse_id_takes_ascii_digits_within_a_database_key(raw: object, expected: object) -> None:
    assert parse_id(raw) == expected


def test_form_id_refuses_what_parse_id_refuses() -> None:
    field = FormId(required=False)
    assert field.clean("") is None
    assert field.clean("12") == 12
    for raw in ("²", str(2**63), "1e3"):
        with pytest.raises(Exception, match="not a valid number"):
            field.clean(raw)


def test_an_id_in_a_url_past_a_database_key_does_not_match() -> None:
    assert resolve(f"/discussion/c/{MAX_ID}/").kwargs == {"comment_id": MAX_ID}
    for too_big in (MAX_ID + 1, 10**19, 10**20):
        # Falls through to the CMS's page tree (a 404), never to the view with the number.
        assert resolve(f"/discussion/c/{too_big}/").url_name != "permalink"
