"""The webhook delivery log's admin URLs, mounted by wagtail_hooks at /admin/embed/."""

from django.urls import path

from broadsheet.embed import admin_views

app_name = "embed_admin"

urlpatterns = [
    path("webhooks/<id:endpoint_id>/", admin_views.deliveries, name="deliveries"),
    path("webhooks/<id:endpoint_id>/<str:verb>/", admin_views.endpoint_action, name="endpoint"),
    path("deliveries/<id:delivery_id>/redeliver/", admin_views.redeliver, name="redeliver"),
]
