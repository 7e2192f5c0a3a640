from django.urls import path

from broadsheet.realtime import views

app_name = "realtime"

urlpatterns = [
    path("t/<id:thread_id>/", views.stream, name="stream"),
]
