"""Uploaded avatars: checked, cropped square, resized and re-encoded.

Re-encoding from decoded pixels is what strips EXIF, GPS, ICC and any other metadata (and
anything hidden after the image data): the stored file holds only what Pillow writes.
"""

from __future__ import annotations

import io
import secrets
import warnings

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from broadsheet.accounts import conf
from broadsheet.core.errors import ActionError

ACCEPTED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
# A decompression bomb check of our own: avatars never need more than this.
MAX_PIXELS = 40_000_000


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{max(1, round(n / 1024))} KB"


def process_avatar(data: bytes) -> ContentFile[bytes]:
    """A square JPEG of conf.avatar_size() pixels made from an uploaded image, without
    metadata; raises ActionError (field "avatar") for anything that is not a usable image."""
    limit = conf.avatar_max_bytes()
    if len(data) > limit:
        raise ActionError(
            _("That picture is larger than the limit of %(limit)s. Please choose a smaller one.")
            % {"limit": _size(limit)},
            field="avatar",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
            kind = opened.format or ""
            if kind not in ACCEPTED_FORMATS:
                raise ActionError(
                    _("Please upload a JPEG, PNG, WebP or GIF picture."), field="avatar"
                )
            if opened.width * opened.height > MAX_PIXELS:
                raise ActionError(_("That picture is too large to process."), field="avatar")
            opened.load()
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ):
        raise ActionError(
            _("That file is not a picture we can read. Please upload a JPEG, PNG, WebP or GIF."),
            field="avatar",
        ) from None
    # Honour the camera's orientation before the tag is thrown away with the rest.
    picture: Image.Image = ImageOps.exif_transpose(opened) or opened
    picture = picture.convert("RGBA") if picture.mode in ("P", "LA", "PA") else picture
    if picture.mode == "RGBA":
        background = Image.new("RGB", picture.size, (255, 255, 255))
        background.paste(picture, mask=picture.getchannel("A"))
        picture = background
    side = conf.avatar_size()
    square = ImageOps.fit(picture.convert("RGB"), (side, side), Image.Resampling.LANCZOS)
    clean = Image.new("RGB", square.size)
    clean.paste(square)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(12)}.jpg")
