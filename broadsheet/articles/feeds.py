"""RSS 2.0 and Atom feeds, site-wide and per section."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from broadsheet.articles import selectors
from broadsheet.articles.metadata import absolute
from broadsheet.articles.models import ArticlePage, PublicationSettings, SectionPage

FEED_LENGTH = 30


class LatestArticlesFeed(Feed):
    def get_object(self, request: HttpRequest, section: str | None = None) -> SectionPage | None:
        self.request = request
        if section is None:
            return None
        return get_object_or_404(SectionPage.objects.live().public(), slug=section)

    def title(self, obj: SectionPage | None) -> str:
        name = PublicationSettings.load(request_or_site=self.request).name
        return f"{name}: {obj.title}" if obj else name

    def link(self, obj: SectionPage | None) -> str:
        return obj.full_url if obj else absolute("/")

    def feed_url(self, obj: SectionPage | None) -> str:
        return absolute(self.request.path)

    def description(self, obj: SectionPage | None) -> str:
        settings_ = PublicationSettings.load(request_or_site=self.request)
        return (obj.intro if obj and obj.intro else settings_.tagline) or settings_.name

    def items(self, obj: SectionPage | None) -> list[ArticlePage]:
        articles = selectors.articles_in_section(obj) if obj else selectors.live_articles()
        return list(articles[:FEED_LENGTH])

    def item_title(self, item: ArticlePage) -> str:
        return item.title

    def item_description(self, item: ArticlePage) -> str:
        return item.dek

    def item_link(self, item: ArticlePage) -> str:
        return item.full_url or ""

    def item_pubdate(self, item: ArticlePage) -> datetime:
        return item.first_published_at

    def item_updateddate(self, item: ArticlePage) -> datetime:
        return item.revised_at or item.last_published_at or item.first_published_at

    def item_author_name(self, item: ArticlePage) -> str:
        return ", ".join(b.author.name for b in item.byline.all())

    def item_categories(self, item: ArticlePage) -> list[str]:
        return [tag.name for tag in item.tags.all()]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description
