"""The one htmx responder: whether a request came from htmx, and its answers.

Every view that answers htmx with a fragment and a plain request with a page asks
``is_htmx``; a fragment that carries an error message (a 4xx answer) gets ``HX-Reswap``
through ``htmx_answer``, since htmx swaps only 2xx answers by default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def is_htmx(request: HttpRequest) -> bool:
    """htmx sends ``HX-Request: true`` with every request it makes."""
    return request.headers.get("HX-Request") == "true"


def with_reswap(response: HttpResponse, status: int, swap: str = "outerHTML") -> HttpResponse:
    """Let htmx swap a 4xx answer in: it carries the message the reader must see."""
    if status >= 400:
        response["HX-Reswap"] = swap
    return response


def htmx_answer(
    request: HttpRequest,
    *,
    fragment: str,
    page: str,
    context: Mapping[str, Any],
    status: int = 200,
    swap: str = "outerHTML",
) -> HttpResponse:
    """`fragment` for htmx (swapped in even when it is an error), `page` otherwise."""
    if is_htmx(request):
        return with_reswap(render(request, fragment, context, status=status), status, swap)
    return render(request, page, context, status=status)
