"""Imports in the Wagtail admin (editors and administrators): upload an export, read
its dry-run report, start the import, watch it, read its report afterwards."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from broadsheet.core.errors import ActionError
from broadsheet.importers import actions, selectors
from broadsheet.importers.models import ImportRun
from broadsheet.importers.pipeline import SOURCES


class UploadForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("Kind of export"), choices=list(SOURCES.items()))
    export = forms.FileField(label=gettext_lazy("File"))


def _importer(request: HttpRequest) -> None:
    if not actions.can_import(request.user):
        raise Http404("Not found")


def access_import_run(request: HttpRequest, run_id: int) -> ImportRun:
    _importer(request)
    run = selectors.import_run_with_people(run_id)
    if run is None:
        raise Http404("No such import")
    return run


@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    _importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = actions.do_check_export(
                user=request.user,
                source=form.cleaned_data["source"],
                upload=form.cleaned_data["export"],
            )
        except ActionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect("importers_admin:run", run_id=run.pk)
    context = {"form": form, "runs": selectors.import_runs_recent()}
    return render(
        request, "importers/admin/imports.html", context, status=400 if form.errors else 200
    )


def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = access_import_run(request, run_id)
    context = {
        "run": run,
        "report": selectors.report_sections(run),
        "startable": actions.startable(run),
    }
    return render(request, "importers/admin/run.html", context)


@require_POST
def start(request: HttpRequest, run_id: int) -> HttpResponse:
    checked = access_import_run(request, run_id)
    try:
        run = actions.do_start_import(user=request.user, checked=checked)
    except ActionError as error:
        messages.error(request, error.message)
        return redirect("importers_admin:run", run_id=checked.pk)
    return redirect("importers_admin:run", run_id=run.pk)
