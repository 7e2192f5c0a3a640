from django.urls import path
from django.views.generic import RedirectView

from broadsheet.articles import feeds, views

app_name = "articles"

urlpatterns = [
    path("react/<id:article_id>/", views.react, name="react"),
    path("tags/<unicode_slug:slug>/", views.tag_page, name="tag"),
    path("authors/<unicode_slug:slug>/", views.author_page, name="author"),
    path("search/", views.search, name="search"),
    # The address readers guess: the site-wide RSS feed.
    path("feed/", RedirectView.as_view(pattern_name="articles:feed-rss", permanent=True)),
    path("feed/rss/", feeds.LatestArticlesFeed(), name="feed-rss"),
    path("feed/atom/", feeds.LatestArticlesAtomFeed(), name="feed-atom"),
    path("feed/<unicode_slug:section>/rss/", feeds.LatestArticlesFeed(), name="section-feed-rss"),
    path(
        "feed/<unicode_slug:section>/atom/",
        feeds.LatestArticlesAtomFeed(),
        name="section-feed-atom",
    ),
]
