"""Public moderation URLs, mounted at /moderation/ (the queue is in the Wagtail admin:
see admin_urls.py and wagtail_hooks.py)."""

from django.urls import path

from broadsheet.moderation import views

app_name = "moderation"

urlpatterns = [
    path("report/<id:comment_id>/", views.report_comment, name="report"),
    # A moderator's decision on a held comment, taken where it shows on the article page.
    path("decide/<id:comment_id>/", views.decide_in_context, name="decide"),
]
