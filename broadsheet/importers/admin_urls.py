"""The admin's import pages, mounted by wagtail_hooks at /admin/imports/."""

from django.urls import path

from broadsheet.importers import admin_views

app_name = "importers_admin"

urlpatterns = [
    path("", admin_views.imports, name="imports"),
    path("<id:run_id>/", admin_views.run_detail, name="run"),
    path("<id:run_id>/start/", admin_views.start, name="start"),
]
