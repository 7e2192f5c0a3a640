from django.urls import path

from broadsheet.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("profile/", views.profile, name="profile"),
    path("comments/", views.my_comments, name="comments"),
    path("data.json", views.export, name="export"),
    path("delete/", views.delete_account, name="delete"),
]
