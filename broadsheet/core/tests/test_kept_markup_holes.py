"""Holes in kept markup (core.kept_markup): the CSRF token and per-request values are
markers in what is kept, and each request's own values in what is served."""

from __future__ import annotations

from itertools import count

from django.template import Context, Template

from broadsheet.core.kept_markup import (
    CSRF_HOLE,
    filled,
    kept_parts,
    per_request,
    render_with_holes,
)


def test_per_request_outside_a_kept_render_is_the_value_itself() -> None:
    assert per_request(Context({}), lambda: "now") == "now"


def test_a_kept_render_holds_markers_and_each_request_gets_its_own_values() -> None:
    calls = count(1)
    template = Template("<input value='{{ csrf_token }}'>{{ x }}|{{ csrf_token }}")

    def render(context: dict[str, object]) -> str:
        return template.render(Context(context)) + per_request(
            context, lambda: f"fill {next(calls)}"
        )

    kept = render_with_holes(render, {"x": "<b>"})
    assert kept.pieces == ("<input value='", "'>&lt;b&gt;|", "", "")
    assert "fill" not in "".join(kept.pieces) and next(calls) == 1  # not called while kept
    assert filled(kept, "TOKEN-A") == "<input value='TOKEN-A'>&lt;b&gt;|TOKEN-Afill 2"
    assert filled(kept, "TOKEN-B") == "<input value='TOKEN-B'>&lt;b&gt;|TOKEN-Bfill 3"


def test_text_that_imitates_a_marker_is_kept_as_text() -> None:
    # The markers are drawn at random per process: a reader who guesses their shape
    # cannot write one, so what they write is never cut or filled.
    fake = "hole" + "0" * 32 + "c." + "hole" + "f" * 32 + "0."
    kept = render_with_holes(lambda context: f"{fake}{context['csrf_token']}", {})
    assert kept.pieces == (fake, "") and filled(kept, "T") == fake + "T"
    assert CSRF_HOLE not in fake


def test_djangos_csrf_tag_writes_the_marker_where_the_token_goes() -> None:
    kept = render_with_holes(
        lambda context: Template("{% csrf_token %}").render(Context(context)), {}
    )
    assert filled(kept, "abc") == '<input type="hidden" name="csrfmiddlewaretoken" value="abc">'


def _page(source: str) -> Template:
    return Template("{% load kept_markup_tags %}" + source)


def test_a_kept_hole_is_rendered_with_each_requests_own_context() -> None:
    kept_parts.clear()
    page = _page(
        '{% kept_markup key "p" %}<h1>{{ title }}</h1>{% kept_hole %}<p>{{ reader }}</p>'
        "{% endkept_hole %}{% csrf_token %}{% endkept_markup %}"
    )
    first = page.render(Context({"key": 1, "title": "A", "reader": "<ann>", "csrf_token": "T1"}))
    # The title is the kept one (same key); the reader and the token are each request's.
    second = page.render(Context({"key": 1, "title": "B", "reader": "bo", "csrf_token": "T2"}))
    token = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
    assert first == "<h1>A</h1><p>&lt;ann&gt;</p>" + token.format("T1")
    assert second == "<h1>A</h1><p>bo</p>" + token.format("T2")
    assert len(kept_parts) == 1
    kept_parts.clear()


def test_outside_a_kept_part_a_hole_is_its_own_markup() -> None:
    kept_parts.clear()
    page = _page(
        '{% kept_markup key "p" %}{{ a }}{% kept_hole %}{{ b }}{% endkept_hole %}'
        "{% endkept_markup %}"
    )
    assert page.render(Context({"key": None, "a": 1, "b": 2})) == "12"
    assert _page("{% kept_hole %}{{ b }}{% endkept_hole %}").render(Context({"b": 3})) == "3"
    assert len(kept_parts) == 0


def test_a_part_within_a_part_being_kept_is_kept_with_it() -> None:
    kept_parts.clear()
    page = _page(
        '{% kept_markup key "outer" %}<{{ a }}>{% kept_markup key "inner" %}{{ a }}'
        "{% kept_hole %}[{{ b }}]{% endkept_hole %}{% endkept_markup %}{% endkept_markup %}"
    )
    assert page.render(Context({"key": 1, "a": "x", "b": 1})) == "<x>x[1]"
    # The inner hole stays a hole of the outer part: each request's own value.
    assert page.render(Context({"key": 1, "a": "y", "b": 2})) == "<x>x[2]"
    assert len(kept_parts) == 1
    kept_parts.clear()


def test_a_part_with_a_token_is_rendered_afresh_for_a_request_without_one() -> None:
    kept_parts.clear()
    page = _page('{% kept_markup key "p" %}{{ a }}{% csrf_token %}{% endkept_markup %}')
    assert page.render(Context({"key": 1, "a": "x", "csrf_token": "T"})).startswith("x<input")
    # Django's tag writes nothing without a token: neither does the kept part.
    assert page.render(Context({"key": 1, "a": "y"})) == "y"
    kept_parts.clear()
