"""The database out of reach (stopped, restarting, refusing connections): pages answer a
short 503 page and the API its JSON error, with Retry-After and never a traceback; the
site serves again as soon as the database is back, with no restart.

The outage is real: the connection is pointed where no database answers (a port nobody
listens on for PostgreSQL, a directory that does not exist for SQLite), which is what
the driver meets when the server is down.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from broadsheet.discussion.testing import make_thread

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def database_unreachable() -> Iterator[None]:
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-broadsheet-dir/down.sqlite3"
    else:
        connection.settings_dict.update({"HOST": "127.0.0.1", "PORT": "9"})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_an_outage_is_a_503_page_and_json_error_and_the_site_recovers_by_itself(
    caplog: Any,
) -> None:
    thread = make_thread("outage", title="Outage", url="/outage/")
    client = Client(raise_request_exception=False)
    with database_unreachable():
        page = client.get(f"/discussion/t/{thread.pk}/")
        answer = client.get("/api/v1/threads/outage/comments")
    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    assert "Back in a moment" in page.content.decode()
    assert "Traceback" not in page.content.decode()
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "unavailable"
    assert any("Database unavailable" in r.getMessage() for r in caplog.records)
    # The same process, no restart: the next request opens a new connection.
    assert client.get(f"/discussion/t/{thread.pk}/").status_code == 200
    assert client.get("/api/v1/threads/outage/comments").status_code == 200
