from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from broadsheet.articles import metadata
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
