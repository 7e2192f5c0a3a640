"""The profile page: display name, bio, and an avatar that is cropped, resized and
stored without its metadata; names and pictures then show in the discussion."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from broadsheet.accounts.models import Profile
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.presentation import build_groups
from broadsheet.discussion.selectors import comments_for_thread
from broadsheet.discussion.sorting import Sort
from broadsheet.discussion.testing import make_thread, member, post

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
MAKE = 0x010F


def jpeg_with_exif(size: tuple[int, int] = (800, 600)) -> bytes:
    """A camera-like JPEG: EXIF with the camera make and a GPS position."""
    picture = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[MAKE] = "Rosa's Camera"
    exif[GPS_IFD] = {1: "N", 2: (52.0, 22.0, 0.0), 3: "E", 4: (4.0, 53.0, 0.0)}
    out = io.BytesIO()
    picture.save(out, format="JPEG", exif=exif, comment=b"secret comment")
    return out.getvalue()


def upload(data: bytes, name: str = "me.jpg", kind: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=kind)


@pytest.fixture
def rosa_client(client: Client, rosa: Any) -> Client:
    client.force_login(rosa)
    return client


def test_the_test_picture_really_carries_metadata() -> None:
    picture = Image.open(io.BytesIO(jpeg_with_exif()))
    assert picture.getexif()[MAKE] == "Rosa's Camera"
    assert picture.info.get("comment") == b"secret comment"


def test_an_avatar_is_stored_square_small_and_without_metadata(
    rosa_client: Client, rosa: Any
) -> None:
    answer = rosa_client.post(
        "/me/profile/",
        {"display_name": "Rosa L.", "bio": "River person.", "avatar": upload(jpeg_with_exif())},
    )
    assert answer.status_code == 302
    profile = Profile.objects.get(user=rosa)
    assert (profile.display_name, profile.bio) == ("Rosa L.", "River person.")
    with profile.avatar.open("rb") as stored:
        data = stored.read()
    picture = Image.open(io.BytesIO(data))
    assert picture.format == "JPEG"
    assert picture.size == (256, 256)
    assert len(picture.getexif()) == 0
    assert "exif" not in picture.info and "comment" not in picture.info
    assert b"Rosa's Camera" not in data and b"secret comment" not in data
    assert "Your profile is saved." in rosa_client.get("/me/profile/").content.decode()


def test_a_new_avatar_replaces_the_old_file(
    rosa_client: Client, rosa: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rosa_client.post("/me/profile/", {"avatar": upload(jpeg_with_exif())})
    first = Profile.objects.get(user=rosa).avatar
    storage, first_name = first.storage, str(first.name)
    with django_capture_on_commit_callbacks(execute=True):
        rosa_client.post("/me/profile/", {"avatar": upload(jpeg_with_exif((300, 900)))})
    second = str(Profile.objects.get(user=rosa).avatar.name)
    assert second != first_name
    assert storage.exists(second) and not storage.exists(first_name)
    with django_capture_on_commit_callbacks(execute=True):
        rosa_client.post("/me/profile/", {"remove_avatar": "on"})
    assert not Profile.objects.get(user=rosa).avatar
    assert not storage.exists(second)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4 not a picture", "cv.pdf", "not a picture we can read"),
        (b"GIF89a" + b"\x00" * 20, "broken.gif", "not a picture we can read"),
    ],
)
def test_what_is_not_a_picture_is_refused_clearly(
    rosa_client: Client, rosa: Any, data: bytes, name: str, message: str
) -> None:
    answer = rosa_client.post(
        "/me/profile/", {"display_name": "Rosa", "avatar": upload(data, name, "image/gif")}
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    assert message in html
    assert 'value="Rosa"' in html  # what she typed is kept
    assert not Profile.objects.filter(user=rosa).exists()


def test_an_unsupported_format_is_named(rosa_client: Client) -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="BMP")
    answer = rosa_client.post("/me/profile/", {"avatar": upload(out.getvalue(), "a.bmp")})
    assert answer.status_code == 400
    assert "Please upload a JPEG, PNG, WebP or GIF picture." in answer.content.decode()


def test_a_too_large_upload_is_refused_with_the_limit(rosa_client: Client, settings: Any) -> None:
    settings.BROADSHEET_ACCOUNTS_AVATAR_MAX_BYTES = 1024
    answer = rosa_client.post("/me/profile/", {"avatar": upload(jpeg_with_exif())})
    assert answer.status_code == 400
    assert "larger than the limit of 1 KB" in answer.content.decode()


def test_a_transparent_png_is_flattened_on_white(rosa_client: Client, rosa: Any) -> None:
    out = io.BytesIO()
    Image.new("RGBA", (64, 32), (0, 0, 0, 0)).save(out, format="PNG")
    assert (
        rosa_client.post("/me/profile/", {"avatar": upload(out.getvalue(), "a.png")}).status_code
        == 302
    )
    with Profile.objects.get(user=rosa).avatar.open("rb") as stored:
        picture = Image.open(stored)
        picture.load()
    assert picture.getpixel((128, 128)) == (255, 255, 255)


def test_the_display_name_and_avatar_replace_username_and_identicon_in_the_discussion(
    client: Client, rosa: Any
) -> None:
    thread = make_thread(title="Room for the river")
    post(thread, member(rosa), "My first comment.")
    client.force_login(rosa)
    client.post(
        "/me/profile/", {"display_name": "Rosa of the River", "avatar": upload(jpeg_with_exif())}
    )
    avatar_url = Profile.objects.get(user=rosa).avatar.url

    reader = Client()
    html = reader.get(f"/discussion/t/{thread.pk}/").content.decode()
    assert "Rosa of the River" in html
    assert f'src="{avatar_url}"' in html
    assert ">Rosa Lindqvist<" not in html


def test_the_discussion_costs_the_same_queries_with_profiles(
    client: Client, rosa: Any, layla: Any, django_assert_num_queries: Any, settings: Any
) -> None:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.discussion.policy.default_policy"
    thread = make_thread()
    for user in (rosa, layla):
        Profile.objects.create(user=user, display_name=f"{user.username} shown")
        parent = post(thread, member(user), "Top.")
        post(thread, member(layla if user == rosa else rosa), "Reply.", parent=parent)
    # The badges' look-ups (the team, once a minute; the thread's byline accounts, once per
    # publish) are kept in the shared cache: warm them as any earlier page would have.
    build_groups(comments_for_thread(thread, sort=Sort.NEWEST).roots, {}, actor=Actor())
    with django_assert_num_queries(2):  # top-level comments, their replies: profiles joined
        page = comments_for_thread(thread, sort=Sort.NEWEST)
        groups = build_groups(page.roots, page.replies, actor=Actor())
    names = {g.root.name for g in groups} | {r.name for g in groups for r in g.replies}
    assert names == {"rosa shown", "layla shown"}
