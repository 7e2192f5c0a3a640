"""Holes in kept markup (core.kept_markup): the CSRF token and per-request values are
markers in what is kept, and each request's own values in what is served."""

from __future__ import annotations

from itertools import count

from django.template import Context, Template

from broadsheet.core.kept_markup import CSRF_HOLE, filled, per_request, render_with_holes


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
