"""Pictures asked of the old site, for attachments missing from --media-dir.

Through the webhooks' outbound guard (broadsheet.embed.webhooks.guard): only http(s),
only public addresses (checked after DNS, and the connection made to the address
checked), a timeout per step and a deadline for the whole answer, a size limit, and
only images (the answer's type and Pillow reading it both say so). Redirects are
followed a few times, each one through the guard again (old sites moved to https).
"""

from __future__ import annotations

from io import BytesIO
from urllib.parse import urljoin

from PIL import Image, UnidentifiedImageError

from broadsheet.embed.webhooks import guard

TIMEOUT_SECONDS = 10
DEADLINE_SECONDS = 30
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 3
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


class ImageUnavailable(Exception):
    """The picture could not be fetched, or was no picture; says why."""


def fetch_image(url: str, *, allow_private: bool = False) -> BytesIO:
    """The picture at `url`, checked, as a file in memory."""
    for _ in range(MAX_REDIRECTS + 1):
        try:
            answer = guard.get(
                url,
                allow_private=allow_private,
                timeout=TIMEOUT_SECONDS,
                deadline=DEADLINE_SECONDS,
                max_response_bytes=MAX_BYTES,
            )
        except guard.OutboundRefused as error:
            raise ImageUnavailable(f"not asked: {error}") from None
        except OSError as error:
            raise ImageUnavailable(f"no answer: {error or type(error).__name__}") from None
        if answer.status in (301, 302, 303, 307, 308) and answer.location:
            url = urljoin(url, answer.location)
            continue
        break
    else:
        raise ImageUnavailable("too many redirects")
    if answer.status != 200:
        raise ImageUnavailable(f"the old site answered {answer.status}")
    if not answer.complete:
        raise ImageUnavailable(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
    kind = answer.content_type.split(";")[0].strip().lower()
    if kind not in IMAGE_TYPES:
        raise ImageUnavailable(f"not an image ({kind or 'no type given'})")
    try:
        with Image.open(BytesIO(answer.body)) as picture:
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ImageUnavailable(f"not a readable image: {error}") from None
    return BytesIO(answer.body)
