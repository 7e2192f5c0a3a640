from django.urls import path

from broadsheet.discussion import views

app_name = "discussion"

urlpatterns = [
    path("t/<int:thread_id>/", views.thread_page, name="thread"),
    path("t/<int:thread_id>/comments/", views.thread_comments, name="comments"),
    path("t/<int:thread_id>/post/", views.post_comment, name="post"),
    path("t/<int:thread_id>/preview/", views.preview, name="preview"),
    path("t/<int:thread_id>/passage/<str:block_id>/", views.passage, name="passage"),
    path("t/<int:thread_id>/close/", views.moderate_thread, {"verb": "close"}, name="close"),
    path("t/<int:thread_id>/reopen/", views.moderate_thread, {"verb": "reopen"}, name="reopen"),
    path("c/<int:comment_id>/", views.permalink, name="permalink"),
    path("c/<int:comment_id>/replies/", views.replies_page, name="replies"),
    path("c/<int:comment_id>/reply/", views.reply_form, name="reply"),
    path("c/<int:comment_id>/edit/", views.edit_comment, name="edit"),
    path("c/<int:comment_id>/delete/", views.delete_comment, name="delete"),
    path("c/<int:comment_id>/vote/", views.vote, name="vote"),
    path("c/<int:comment_id>/fragment/", views.comment_fragment, name="fragment"),
    path("avatar/<str:digest>.svg", views.avatar, name="avatar"),
]
