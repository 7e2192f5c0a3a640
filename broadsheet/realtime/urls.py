from django.urls import path

from broadsheet.realtime import views

app_name = "realtime"

urlpatterns = [
    path("t/<int:thread_id>/", views.stream, name="stream"),
]
