from django.urls import path

from broadsheet.notifications import views

app_name = "notifications"

urlpatterns = [
    path("t/<id:thread_id>/subscribe/", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("mine/", views.mine, name="mine"),
    path("mine/cancel/<id:subscription_id>/", views.cancel, name="cancel"),
    path("mine/mentions/", views.mentions, name="mentions"),
    path("mine/<str:token>/", views.mine_token, name="mine-token"),
]
