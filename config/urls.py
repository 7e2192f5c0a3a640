from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.urls import serve_pattern

from broadsheet.articles import serving
from broadsheet.articles import views as article_views
from broadsheet.core.views import choose_language, healthz, javascript_catalogue

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("robots.txt", article_views.robots_txt, name="robots"),
    # The language switcher's links (a cookie, then back to the page: no CSRF token).
    path("language/<str:language>/", choose_language, name="choose-language"),
    path("jsi18n/<str:language>.js", javascript_catalogue, name="javascript-catalogue"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("news-sitemap.xml", article_views.news_sitemap, name="news-sitemap"),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("api/", include("broadsheet.api.urls")),
    path("discussion/", include("broadsheet.discussion.urls")),
    path("live/", include("broadsheet.realtime.urls")),
    path("notify/", include("broadsheet.notifications.urls")),
    path("moderation/", include("broadsheet.moderation.urls")),
    path("embed/", include("broadsheet.embed.urls")),
    path("me/", include("broadsheet.accounts.urls")),
    path("", include("broadsheet.articles.urls")),
]

# Media (uploaded images and their renditions) is public; one small server serves it
# itself, a bigger site puts it behind its reverse proxy or object storage.
urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
if settings.BROADSHEET_DEMO or settings.DEBUG:
    # The demo's outgoing mail, readable in the browser; absent (404) in production.
    urlpatterns.append(
        path("_dev/outbox/", include(("broadsheet.notifications.devmail", "dev-outbox")))
    )
# Wagtail's pages, served by Wagtail's view with the per-process routes of
# articles/serving.py (the same pattern and name, before Wagtail's own).
urlpatterns.append(re_path(serve_pattern, serving.serve, name="wagtail_serve"))
urlpatterns.append(path("", include(wagtail_urls)))

# A database outage is a 503 (JSON under /api/), never a traceback: core/views.py.
handler500 = "broadsheet.core.views.server_error"
