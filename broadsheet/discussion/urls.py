from django.urls import path

from broadsheet.discussion import views

app_name = "discussion"

urlpatterns = [
    path("t/<id:thread_id>/", views.thread_page, name="thread"),
    path("t/<id:thread_id>/comments/", views.thread_comments, name="comments"),
    path("t/<id:thread_id>/post/", views.post_comment, name="post"),
    path("t/<id:thread_id>/preview/", views.preview, name="preview"),
    path("t/<id:thread_id>/passage/<str:block_id>/", views.passage, name="passage"),
    path("t/<id:thread_id>/close/", views.moderate_thread, {"verb": "close"}, name="close"),
    path("t/<id:thread_id>/reopen/", views.moderate_thread, {"verb": "reopen"}, name="reopen"),
    path("c/<id:comment_id>/", views.permalink, name="permalink"),
    path("c/<id:comment_id>/replies/", views.replies_page, name="replies"),
    path("c/<id:comment_id>/reply/", views.reply_form, name="reply"),
    path("c/<id:comment_id>/edit/", views.edit_comment, name="edit"),
    path("c/<id:comment_id>/delete/", views.delete_comment, name="delete"),
    path("c/<id:comment_id>/vote/", views.vote, name="vote"),
    path("c/<id:comment_id>/fragment/", views.comment_fragment, name="fragment"),
    path("avatar/<str:digest>.svg", views.avatar, name="avatar"),
]
