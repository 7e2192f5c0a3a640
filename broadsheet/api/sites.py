"""/sites and /sites/{key}: the embedding sites, for integrations. Administrators (their
session or personal token) read and change every site; a site token reads and changes
its own site only; anyone else is refused.

The API does not import the embed app (entry points are siblings): the setting
BROADSHEET_API_SITES names an object with the ``SiteDirectory`` protocol below, imported
by name at call time, as the discussion engine does for its policy. Its answers are
plain dicts in ``SiteOut``'s shape; a site's public key addresses it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Protocol

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils.module_loading import import_string
from ninja import Field, Router, Schema

from broadsheet.api.schemas import ErrorOut
from broadsheet.api.security import WRITE_AUTH, api_token, writer
from broadsheet.api.tokens import check_token_allows
from broadsheet.core.errors import NotAllowed
from broadsheet.core.text import SingleLineText
from broadsheet.discussion.identity import Actor, actor_from_request

router = Router(tags=["sites"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

Sort = Literal["newest", "oldest", "top"]
ModerationMode = Literal["", "none", "new_commenters", "all"]


class SiteDirectory(Protocol):
    """What the API needs of the app that keeps embedding sites."""

    def sites(self, *, site_id: int | None = None) -> list[dict[str, Any]]:
        """Every site (or the one with `site_id`), in SiteOut's shape."""
        ...

    def site(self, key: str) -> dict[str, Any] | None:
        """The site with public key `key`, or None."""
        ...

    def update_site(self, *, key: str, actor: Actor, changes: dict[str, Any]) -> dict[str, Any]:
        """Change the given settings of a site through its write path (which checks the
        actor and the values: ActionError / NotAllowed); Http404 for an unknown key."""
        ...


def directory() -> SiteDirectory:
    """The object named by BROADSHEET_API_SITES (default ``broadsheet.embed.directory.SITES``)."""
    return import_string(settings.BROADSHEET_API_SITES)  # type: ignore[no-any-return]


class SiteOut(Schema):
    id: int
    key: str = Field(..., description="The public site key (data-site in the snippet)")
    name: str
    origins: list[str] = Field(..., description="Allowed origins, one rule each")
    is_active: bool
    comments_enabled: bool
    allow_guests: bool
    default_sort: Sort
    moderation_mode: ModerationMode = Field(..., description='"": as the publication')
    thread_key_prefix: str = Field(..., description="Every thread key of the site starts so")
    created_at: datetime


SiteName = Annotated[str, Field(min_length=1, max_length=120), SingleLineText]
OriginLine = Annotated[str, Field(min_length=1, max_length=300), SingleLineText]


class SiteChangeIn(Schema):
    """Only the fields given change."""

    name: SiteName | None = None
    origins: list[OriginLine] | None = Field(
        None, min_length=1, max_length=50, description="Replaces the allowed origins"
    )
    is_active: bool | None = None
    comments_enabled: bool | None = None
    allow_guests: bool | None = None
    default_sort: Sort | None = None
    moderation_mode: ModerationMode | None = None


def _reader_site_id(request: HttpRequest) -> int | None:
    """None for an administrator (every site), the site id of a site token; NotAllowed
    for anyone else."""
    token = api_token(request)
    if token is not None:
        check_token_allows(token, scope="read")
        if token.site_id is not None:
            return token.site_id
        user = token.user
    else:
        user = actor_from_request(request).user
    if user is None or not user.is_authenticated or not user.is_superuser:
        raise NotAllowed("Only administrators and site tokens read embedding sites.")
    return None


def _own(request: HttpRequest, site: dict[str, Any] | None) -> dict[str, Any]:
    if site is None:
        raise Http404("No such embedding site")
    token = api_token(request)
    if token is not None and token.site_id is not None and token.site_id != site["id"]:
        raise NotAllowed("This site token only acts on its own site.")
    return site


@router.get("/sites", response={200: list[SiteOut], **ERRORS}, summary="Embedding sites")
def list_sites(request: HttpRequest) -> list[dict[str, Any]]:
    return directory().sites(site_id=_reader_site_id(request))


@router.get("/sites/{key}", response={200: SiteOut, **ERRORS}, summary="One embedding site")
def get_site(request: HttpRequest, key: str) -> dict[str, Any]:
    _reader_site_id(request)
    return _own(request, directory().site(key))


@router.patch(
    "/sites/{key}",
    response={200: SiteOut, **ERRORS},
    summary="Change an embedding site's settings",
    auth=WRITE_AUTH,
)
def update_site(request: HttpRequest, key: str, payload: SiteChangeIn) -> dict[str, Any]:
    """Origins, on/off, comments and guests allowed, default sort, moderation mode, name;
    an administrator's session (with CSRF) or token (`write` scope), or the site's own
    site token. Recorded in the site's history in the admin."""
    actor = writer(request)
    _own(request, directory().site(key))
    changes = payload.model_dump(exclude_none=True)
    return directory().update_site(key=key, actor=actor, changes=changes)
