"""WordPress's links outward: pictures asked of the old site (a real HTTP server on
loopback here), and signed-in commenters linked to their accounts."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from PIL import Image as PILImage
from wagtail.images import get_image_model

from broadsheet.articles.testing import ensure_site_structure
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import make_user, thread_inconsistencies
from broadsheet.importers import fetching
from broadsheet.importers.fetching import ImageUnavailable, fetch_image
from broadsheet.importers.pipeline import run_import
from broadsheet.importers.report import ImportReport, Progress

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
UPLOADS = "https://oldledger.example/wp-content/uploads/"


def _jpeg() -> bytes:
    out = BytesIO()
    PILImage.new("RGB", (64, 48), "steelblue").save(out, "JPEG")
    return out.getvalue()


# path -> (status, content type, body, extra headers)
ROUTES: dict[str, tuple[int, str, bytes, dict[str, str]]] = {
    "/wp-content/uploads/2020/01/river.jpg": (
        301,
        "text/html",
        b"",
        {"Location": "/moved/river.jpg"},
    ),
    "/moved/river.jpg": (200, "image/jpeg", _jpeg(), {}),
    "/page.jpg": (200, "text/html", b"<html>a page</html>", {}),
    "/broken.png": (200, "image/png", b"\x89PNG not really", {}),
    "/loop.jpg": (302, "text/html", b"", {"Location": "/loop.jpg"}),
}


class OldSite(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status, kind, body, headers = ROUTES.get(self.path, (404, "text/html", b"gone", {}))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def old_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), OldSite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def export_with(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = (DATA / "wordpress-export.xml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    out = tmp_path / "export.xml"
    out.write_text(text, encoding="utf-8")
    return out


def wordpress(path: Path, **options: Any) -> ImportReport:
    return run_import("wordpress", path, dry_run=False, progress=Progress(), **options)


def test_pictures_missing_from_the_uploads_folder_are_fetched_where_the_old_site_answers(
    old_site: str, tmp_path: Path
) -> None:
    ensure_site_structure()
    export = export_with(tmp_path, (UPLOADS, f"{old_site}/wp-content/uploads/"))
    rehearsal = run_import(
        "wordpress",
        export,
        dry_run=True,
        progress=Progress(),
        fetch_images=True,
        fetch_private=True,
    )
    assert rehearsal.counts["images to fetch from the old site (on the real run)"] == 2
    assert not get_image_model().objects.exists()

    report = wordpress(export, fetch_images=True, fetch_private=True)
    assert report.counts["images fetched from the old site"] == 1
    image = get_image_model().objects.get()
    assert (image.width, image.height) == (64, 48)
    assert image.file.name.endswith(".jpg")
    (missing,) = report.notes["images missing (not in --media-dir, not fetched)"]
    assert "gone.png: the old site answered 404" in missing

    again = wordpress(export, fetch_images=True, fetch_private=True)
    assert again.counts["images imported before"] == 1
    assert get_image_model().objects.count() == 1


def test_the_guard_refuses_private_addresses_unless_allowed(old_site: str, tmp_path: Path) -> None:
    ensure_site_structure()
    export = export_with(tmp_path, (UPLOADS, f"{old_site}/wp-content/uploads/"))
    report = wordpress(export, fetch_images=True)
    notes = report.notes["images missing (not in --media-dir, not fetched)"]
    assert len(notes) == 2
    assert all("not asked" in note and "private or special address" in note for note in notes)
    assert not get_image_model().objects.exists()


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/page.jpg", "not an image (text/html)"),
        ("/broken.png", "not a readable image"),
        ("/loop.jpg", "too many redirects"),
        ("/nothing.gif", "the old site answered 404"),
    ],
)
def test_only_readable_images_are_taken(old_site: str, path: str, reason: str) -> None:
    with pytest.raises(ImageUnavailable, match=re.escape(reason)):
        fetch_image(old_site + path, allow_private=True)


def test_a_picture_over_the_size_limit_is_refused(
    old_site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetching, "MAX_BYTES", 100)
    with pytest.raises(ImageUnavailable, match="larger than"):
        fetch_image(old_site + "/moved/river.jpg", allow_private=True)


def test_only_http_addresses_are_asked() -> None:
    with pytest.raises(ImageUnavailable, match="only http and https"):
        fetch_image("file:///etc/passwd")


def test_signed_in_commenters_are_linked_to_their_verified_account_and_guests_never(
    tmp_path: Path,
) -> None:
    ensure_site_structure()
    mara = make_user("mara", name="Mara Q.")
    EmailAddress.objects.create(user=mara, email="Mara@OldLedger.example", verified=True)
    rosa = make_user("rosa", name="Rosa L.")
    EmailAddress.objects.create(user=rosa, email="rosa@example.org", verified=True)
    export = export_with(
        tmp_path,
        # Omar's reply was written by WordPress user 2 (Mara, signed in) ...
        (
            "<wp:comment_parent>11</wp:comment_parent>\n\t\t\t<wp:comment_user_id>0<",
            "<wp:comment_parent>11</wp:comment_parent>\n\t\t\t<wp:comment_user_id>2<",
        ),
        # ... and the spam by user 9, who has no account here.
        (
            "spam]]></wp:comment_approved>\n\t\t\t<wp:comment_type><![CDATA[comment]]>"
            "</wp:comment_type>\n\t\t\t<wp:comment_parent>0</wp:comment_parent>\n\t\t\t"
            "<wp:comment_user_id>0<",
            "spam]]></wp:comment_approved>\n\t\t\t<wp:comment_type><![CDATA[comment]]>"
            "</wp:comment_type>\n\t\t\t<wp:comment_parent>0</wp:comment_parent>\n\t\t\t"
            "<wp:comment_user_id>9<",
        ),
    )
    report = wordpress(export)

    linked = Comment.objects.get(author=mara)
    assert linked.body_source == "Not so fast."
    assert (linked.guest_name, linked.guest_email) == ("", "")
    # Rosa's guest comment names her address, which her account here has: not linked.
    assert not Comment.objects.filter(author=rosa).exists()
    assert Comment.objects.get(guest_email="rosa@example.org").guest_name == "Rosa"
    assert report.counts["comments linked to accounts here (by the WordPress user's e-mail)"] == 1
    (unlinked,) = report.notes[
        "WordPress users whose comments stay guest comments (no account here with a "
        "verified address of theirs)"
    ]
    assert unlinked == "user 9"
    assert all(thread_inconsistencies(t) == [] for t in Thread.objects.all())
