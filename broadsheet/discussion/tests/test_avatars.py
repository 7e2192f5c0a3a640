"""Identicons: local, deterministic, and no way back to an e-mail address."""

from __future__ import annotations

import re

import pytest

from broadsheet.discussion.avatars import (
    MIN_CELLS,
    avatar_url,
    comment_identity,
    identicon_svg,
    identity_digest,
)


def test_the_same_author_always_gets_the_same_picture() -> None:
    identity = comment_identity(author_id=None, guest_name="Gabriel", guest_email="G@Example.org ")
    assert identity == comment_identity(
        author_id=None, guest_name=" gabriel", guest_email="g@example.org"
    )
    assert identicon_svg(identity_digest(identity)) == identicon_svg(identity_digest(identity))


def test_different_authors_get_different_pictures() -> None:
    pictures = {identicon_svg(identity_digest(f"u:{n}")) for n in range(50)}
    assert len(pictures) == 50


def test_the_url_carries_a_keyed_digest_not_the_address() -> None:
    url = avatar_url(
        comment_identity(author_id=None, guest_name="Gabriel", guest_email="gabriel@example.org")
    )
    assert re.fullmatch(r"/discussion/avatar/[0-9a-f]{16}\.svg", url)
    assert "gabriel" not in url


def test_pictures_are_mirrored_like_a_face() -> None:
    svg = identicon_svg("00ff00ff00ff00ff")
    cells = set(re.findall(r'<rect x="(\d)" y="(\d)" width="1"', svg))
    assert cells
    assert all((str(6 - int(x)), y) in cells for x, y in cells)


def test_only_digests_are_drawn() -> None:
    with pytest.raises(ValueError):
        identicon_svg("<script>")


@pytest.mark.parametrize("digest", ["0000000000000000", "0000000000000200", "ffffffffff0001ff"])
def test_no_picture_looks_empty(digest: str) -> None:
    """Issue 14: a digest whose pattern bits are (nearly) all clear drew one cell, which
    reads as an empty avatar; every picture has at least MIN_CELLS cells."""
    cells = re.findall(r'<rect x="\d" y="\d" width="1"', identicon_svg(digest))
    assert len(cells) >= MIN_CELLS
