"""Avatars drawn locally: a symmetric 5×5 identicon from a keyed hash of the author.

No third-party requests (no Gravatar): the image URL carries only a digest that cannot
be turned back into an e-mail address, and the picture is a pure function of that
digest, so the view needs no database and browsers may cache it for a year.
"""

from __future__ import annotations

import re

from django.urls import reverse

from broadsheet.core.hashing import Purpose, keyed_hash

DIGEST_LENGTH = 16
DIGEST_PATTERN = re.compile(r"^[0-9a-f]{16}$")
MIN_CELLS = 5  # of the 5×5 face, so that no picture looks empty


def identity_digest(identity: str) -> str:
    """A keyed hash of an author identity ("u:<id>" or "g:<name>|<e-mail>")."""
    return keyed_hash(Purpose.AVATAR, identity, digest_size=DIGEST_LENGTH // 2)


def comment_identity(*, author_id: int | None, guest_name: str, guest_email: str) -> str:
    if author_id is not None:
        return f"u:{author_id}"
    return f"g:{guest_name.strip().casefold()}|{guest_email.strip().casefold()}"


def avatar_url(identity: str) -> str:
    return reverse("discussion:avatar", kwargs={"digest": identity_digest(identity)})


def identicon_svg(digest: str) -> str:
    """The SVG picture for a digest: a hue and a mirrored 5×5 pattern from its bits."""
    if not DIGEST_PATTERN.match(digest):
        raise ValueError("not an avatar digest")
    bits = int(digest, 16)
    hue = bits % 360
    cells = []
    for row in range(5):
        for col in range(3):
            if (bits >> (9 + row * 3 + col)) & 1:
                cells.append((col, row))
                if col < 2:
                    cells.append((4 - col, row))
    if len(cells) < MIN_CELLS:
        # A face of one or two cells reads as an empty or broken picture: add a cross.
        cells = sorted({*cells, (2, 1), (1, 2), (2, 2), (3, 2), (2, 3)})
    rects = "".join(f'<rect x="{x + 1}" y="{y + 1}" width="1" height="1"/>' for x, y in cells)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 7 7" width="64" height="64" '
        'shape-rendering="crispEdges">'
        f'<rect width="7" height="7" fill="hsl({hue} 35% 90%)"/>'
        f'<g fill="hsl({hue} 55% 38%)">{rects}</g></svg>'
    )
