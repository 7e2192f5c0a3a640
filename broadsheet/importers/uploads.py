"""Exports uploaded in the admin, kept until their import has run.

They hold readers' e-mail and IP addresses, so they stay out of MEDIA_ROOT (which the
web server serves): under ``var/imports/`` (settings.VAR_DIR), one random folder per
upload. The task worker reads them there, so it must share that folder with the web
processes (as it shares the database). An import that finishes deletes its file.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename

# Large enough for any real export header, small enough to read at once.
SNIFF_BYTES = 512
SQLITE_HEADER = b"SQLite format 3\x00"


def uploads_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def store_upload(upload: UploadedFile) -> str:
    """Write `upload` to its own folder; returns its name relative to uploads_dir()."""
    folder = secrets.token_hex(12)
    name = get_valid_filename(Path(upload.name or "export").name)[-100:] or "export"
    target = uploads_dir() / folder / name
    target.parent.mkdir(parents=True, mode=0o700)
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return f"{folder}/{name}"


def upload_path(relative: str) -> Path:
    path = (uploads_dir() / relative).resolve()
    if uploads_dir().resolve() not in path.parents:
        raise ValueError(f"{relative!r} is not an upload")
    return path


def remove_upload(relative: str) -> None:
    if relative:
        shutil.rmtree(upload_path(relative).parent, ignore_errors=True)


def looks_like(source_kind: str, head: bytes) -> bool:
    """The file's first bytes are what `source_kind` ("xml" or "sqlite") starts with.
    Only a first check, for a clear answer at upload: the import reads it properly."""
    if source_kind == "sqlite":
        return head.startswith(SQLITE_HEADER)
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")
