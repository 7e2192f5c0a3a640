"""The people of the test suite, defined once (a pytest plugin loaded by the root conftest).

Every test meets the same cast, whatever app it tests:

- ``rosa`` (reader), ``layla`` (reader), ``tom`` (trusted commenter), ``max_user``
  (moderator: Wagtail's "Moderators" group and the discussion's moderate permission),
  ``eve`` (editor: staff, "Editors" group), ``ada`` (administrator): accounts, each with a
  verified primary address ``<username>@example.org`` and the password ``PASSWORD``;
- ``reader_rosa``, ``moderator_max``: those people as they act on a discussion (an
  ``Actor`` for the write paths); ``guest_gabriel``, ``guest_layla``: guests known only by
  their reader cookie; ``editor_eve``: Eve as she works, signed in to the admin (a
  ``Client``), since editors act through Wagtail rather than the discussion's paths.

``make_persona(key)`` builds one inside a test that needs it by hand (a second browser, a
hypothesis walk). A test module may still define a fixture of the same name when it needs
a different *thing* (a thread on an article, say), never a different person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.test import Client

from broadsheet.discussion.identity import Actor
from broadsheet.discussion.testing import guest, make_user, member

PASSWORD = "a long pass phrase"  # make_user gives every test account this one


@dataclass(frozen=True)
class Persona:
    username: str
    name: str
    groups: tuple[str, ...] = ()
    staff: bool = False
    moderator: bool = False
    superuser: bool = False


PERSONAS = {
    "rosa": Persona("rosa", "Rosa Lindqvist"),
    "layla": Persona("layla", "Layla Mansour"),
    "tom": Persona("tom", "Tom Trusted", groups=("Trusted commenters",)),
    "max": Persona("max", "Max Moderator", groups=("Moderators",), moderator=True),
    "eve": Persona("eve", "Eve Editor", groups=("Editors",), staff=True),
    "ada": Persona("ada", "Ada Admin", staff=True, superuser=True),
}


def make_persona(key: str) -> Any:
    """The account of ``PERSONAS[key]``, created now (the groups come from data migrations)."""
    persona = PERSONAS[key]
    user = make_user(
        persona.username, name=persona.name, staff=persona.staff, moderator=persona.moderator
    )
    if persona.superuser:
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    for group in persona.groups:
        user.groups.add(Group.objects.get(name=group))
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def rosa(db: None) -> Any:
    return make_persona("rosa")


@pytest.fixture
def layla(db: None) -> Any:
    return make_persona("layla")


@pytest.fixture
def tom(db: None) -> Any:
    return make_persona("tom")


@pytest.fixture
def max_user(db: None) -> Any:
    return make_persona("max")


@pytest.fixture
def eve(db: None) -> Any:
    return make_persona("eve")


@pytest.fixture
def ada(db: None) -> Any:
    return make_persona("ada")


@pytest.fixture
def reader_rosa(rosa: Any) -> Actor:
    return member(rosa)


@pytest.fixture
def moderator_max(max_user: Any) -> Actor:
    return member(max_user)


@pytest.fixture
def guest_gabriel() -> Actor:
    return guest("gabriel-cookie")


@pytest.fixture
def guest_layla() -> Actor:
    return guest("layla-cookie")


@pytest.fixture
def editor_eve(eve: Any) -> Client:
    client = Client()
    client.force_login(eve)
    return client
