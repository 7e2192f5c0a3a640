"""Public embed URLs, mounted at /embed/ (CORS: broadsheet.embed.middleware)."""

from django.urls import path

from broadsheet.embed import views

app_name = "embed"

urlpatterns = [
    path("thread", views.thread_fragment, name="thread"),
    path("frame", views.thread_frame, name="frame"),
    path("counts", views.comment_counts, name="counts"),
    path("reader", views.reader_token, name="reader"),
    path("comment/<id:comment_id>", views.comment_fragment, name="comment"),
    path("edit/<id:comment_id>", views.edit_form, name="edit"),
    path("replies/<id:comment_id>", views.replies, name="replies"),
    path("report/<id:comment_id>", views.report_comment, name="report"),
    path("subscribe/<id:thread_id>", views.subscribe, name="subscribe"),
    path("signin", views.signin, name="signin"),
    path("sso", views.sso, name="sso"),
]
