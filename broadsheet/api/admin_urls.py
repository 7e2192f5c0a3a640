"""API token admin URLs, mounted by wagtail_hooks at /admin/api/."""

from django.urls import path

from broadsheet.api import admin_views

app_name = "api_admin"

urlpatterns = [
    path("tokens/", admin_views.api_tokens, name="tokens"),
    path("tokens/<id:token_id>/revoke/", admin_views.revoke_api_token, name="revoke-token"),
]
