"""The moderation queue's URLs, mounted by wagtail_hooks at /admin/moderation/."""

from django.urls import path

from broadsheet.moderation import views

app_name = "moderation_admin"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("act/", views.queue_action, name="act"),
    path("commenter/<str:key>/", views.commenter, name="commenter"),
    path("sanction/<int:sanction_id>/lift/", views.lift_sanction, name="lift"),
    path("thread/<int:thread_id>/<str:verb>/", views.thread_open_close, name="thread"),
    path("audit/", views.audit_log, name="audit"),
]
