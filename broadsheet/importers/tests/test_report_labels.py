"""An import report's names, stored in English, shown in the editor's language
(importers/report_labels.py, issue 19)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import translation

from broadsheet.discussion.testing import make_user
from broadsheet.importers.models import ImportRun
from broadsheet.importers.report_labels import LABELS, label_shown
from broadsheet.importers.selectors import report_sections

BROADSHEET = Path(__file__).resolve().parents[2]


def _report_names() -> list[str]:
    """Each name the source gives ``report.count`` and ``report.note``: its literals, and
    its f-strings with "x" for each value."""
    names = []
    for path in BROADSHEET.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"count", "note"}
                and ast.unparse(node.func.value).endswith("report")
                and node.args
            ):
                continue
            first = node.args[0]
            if isinstance(first, ast.IfExp):
                names += [ast.literal_eval(first.body), ast.literal_eval(first.orelse)]
            elif isinstance(first, ast.JoinedStr):
                names.append(
                    "".join(
                        str(part.value) if isinstance(part, ast.Constant) else "x"
                        for part in first.values
                    )
                )
            else:
                names.append(ast.literal_eval(first))
    return sorted(set(names))


def test_the_scan_finds_the_importers_names() -> None:
    names = _report_names()
    assert "comments created" in names and "threads matched by x" in names
    assert len(names) > 60


def test_every_name_an_importer_reports_is_known_and_translated() -> None:
    unknown = [name for name in _report_names() if not LABELS.knows(name)]
    assert not unknown
    for language in ("es", "ar"):
        with translation.override(language):
            untranslated = [name for name in _report_names() if label_shown(name) == name]
        assert not untranslated, language


def test_old_reports_read_in_the_language_and_unknown_names_stay() -> None:
    run = ImportRun(
        source="disqus",
        report={
            "counts": {
                "comments created": 12,
                "comments pending review": 2,
                "threads matched by identifier": 3,
                "records skipped for a bad value": 1,
                "a name from another version": 4,
            },
            "notes": {"records skipped for a bad value": ["comment 7: no date"]},
            "notes_left_out": {},
        },
    )
    with translation.override("es"):
        view = report_sections(run)
    assert dict(view.counts) == {
        "comentarios creados": 12,
        "comentarios pendientes de revisión": 2,
        "hilos encontrados por identificador": 3,
        "registros omitidos por un valor incorrecto": 1,
        "a name from another version": 4,
    }
    assert [note.category for note in view.notes] == ["registros omitidos por un valor incorrecto"]
    assert view.notes[0].lines == ["comment 7: no date"]


@pytest.mark.django_db
def test_the_run_page_reads_in_spanish(client: Client) -> None:
    eve = make_user("eve", name="Eve Editor")
    eve.user_permissions.add(
        Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin"),
        Permission.objects.get(codename="run_import", content_type__app_label="importers"),
    )
    client.force_login(eve)
    run = ImportRun.objects.create(
        source="isso",
        status="done",
        report={"counts": {"comments read": 5, "threads created": 1}, "notes": {}},
    )
    page = client.get(
        reverse("importers_admin:run", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "comentarios leídos" in page and "hilos creados" in page
    assert "comments read" not in page
