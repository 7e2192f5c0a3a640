from __future__ import annotations

from collections.abc import Hashable
from typing import Any, NamedTuple

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString

from broadsheet.articles import metadata
from broadsheet.core.kept_markup import HoledMarkup, keepable_token, kept_by_look
from broadsheet.core.lru import BoundedLRU, setting_bytes
from broadsheet.discussion.templatetags.discussion_tags import render_discussion

register = template.Library()


@register.simple_tag(takes_context=True)
def article_discussion(context: template.Context, page: object) -> SafeString:
    """The discussion under an article: thread "article-<page id>", registered on first view."""
    request = context["request"]
    return render_discussion(
        request,
        thread_key=f"article-{page.pk}",  # type: ignore[attr-defined]
        title=page.title,  # type: ignore[attr-defined]
        url=page.get_url(request) or "",  # type: ignore[attr-defined]
    )


@register.filter
def absolute(url: str) -> str:
    """A path's public address, on SITE_URL (see articles.metadata.absolute)."""
    return metadata.absolute(url)


REACTIONS_TEMPLATE = "articles/includes/reactions.html"


class ArticleLook(NamedTuple):
    pk: int


class TallyLook(NamedTuple):
    up: int
    down: int
    points: int
    mine: int


# ((ArticleLook, TallyLook), language, time zone, script prefix) -> the buttons cut at the
# CSRF token (core.kept_markup.kept_by_look)
kept_reactions: BoundedLRU[Hashable, HoledMarkup] = BoundedLRU(
    setting_bytes("BROADSHEET_KEPT_FORMS_BYTES", 512 * 1024)
)


@register.simple_tag(takes_context=True)
def reaction_buttons(context: template.Context) -> SafeString:
    """articles/includes/reactions.html for the page's article ("What do you think?"). The
    same for every reader with the same tally and own reaction but for the CSRF token:
    kept per process with the token as a hole, keyed by what the template reads
    (ArticleLook, TallyLook; test_kept_reactions parses it). With an error to show it is
    rendered afresh."""
    token = keepable_token(context.get("csrf_token"))
    if token is None or context.get("reaction_error"):
        values: dict[str, Any] = {str(name): value for name, value in context.flatten().items()}
        return SafeString(get_template(REACTIONS_TEMPLATE).render(values))
    tally = context["reactions"]
    page = ArticleLook(context["page"].pk)
    reactions = TallyLook(tally["up"], tally["down"], tally["points"], tally["mine"])
    render = get_template(REACTIONS_TEMPLATE).render
    look = (page, reactions)
    return kept_by_look(kept_reactions, look, render, {"page": page, "reactions": reactions}, token)
