"""reverse(), remembered: answers that link every comment ask the same few URLs."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def reverse_kept(viewname: str, **kwargs: str | int) -> str:
    """reverse(viewname, kwargs=kwargs), kept per script prefix and URL configuration,
    all it reads besides its arguments: a reverse() cost more than a comment's whole
    view, and every discussion answer asks one."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reversed(viewname, tuple(sorted(kwargs.items())), get_script_prefix(), urlconf)


def id_url_format(viewname: str, kwarg: str) -> str:
    """The URL of `viewname` as a str.format() template with "{}" for its id argument
    `kwarg`: one reverse_kept() for every id, where an answer links many comments."""
    url = reverse_kept(viewname, **{kwarg: 0})
    head, _, tail = url.rpartition("/0/")
    return (
        head.replace("{", "{{").replace("}", "}}")
        + "/{}/"
        + tail.replace("{", "{{").replace("}", "}}")
    )


@lru_cache(maxsize=256)
def _reversed(
    viewname: str, kwargs: tuple[tuple[str, str | int], ...], script_prefix: str, urlconf: object
) -> str:
    return reverse(viewname, kwargs=dict(kwargs))
