"""The moderation queue's URLs, mounted by wagtail_hooks at /admin/moderation/."""

from django.urls import path, re_path

from broadsheet.moderation import views

app_name = "moderation_admin"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("act/", views.queue_action, name="act"),
    path("commenter/<str:key>/", views.commenter, name="commenter"),
    path("sanction/<id:sanction_id>/lift/", views.lift_sanction, name="lift"),
    # Only the two verbs: anything else is a 404, never a reopen. At most 18 digits: always
    # within a database key (core.ids), so a longer number is a 404, not a server error.
    re_path(
        r"^thread/(?P<thread_id>[0-9]{1,18})/(?P<verb>close|reopen)/$",
        views.thread_open_close,
        name="thread",
    ),
    path("audit/", views.audit_log, name="audit"),
]
