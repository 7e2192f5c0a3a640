"""Public embed URLs, mounted at /embed/ (CORS: broadsheet.embed.middleware)."""

from django.urls import path

from broadsheet.embed import views

app_name = "embed"

urlpatterns = [
    path("thread", views.thread_fragment, name="thread"),
    path("frame", views.thread_frame, name="frame"),
    path("counts", views.comment_counts, name="counts"),
    path("reader", views.reader_token, name="reader"),
    path("report/<id:comment_id>", views.report_comment, name="report"),
    path("signin", views.signin, name="signin"),
    path("sso", views.sso, name="sso"),
]
