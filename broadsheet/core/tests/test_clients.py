"""Client IPs: X-Forwarded-For is believed only from configured proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from broadsheet.core import clients


@pytest.fixture(autouse=True)
def _forget_proxies() -> None:
    clients._trusted_networks.cache_clear()


def test_without_trusted_proxies_the_header_is_ignored(rf: RequestFactory, settings) -> None:
    settings.BROADSHEET_TRUSTED_PROXIES = []
    request = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert clients.client_ip(request) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_last_untrusted_hop_is_the_client(
    rf: RequestFactory, settings
) -> None:
    settings.BROADSHEET_TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = rf.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7, 10.0.0.5"
    )
    # 6.6.6.6 was written by the client itself; 198.51.100.7 is what our proxy saw.
    assert clients.client_ip(request) == "198.51.100.7"


def test_ip_hashes_are_stable_keyed_and_do_not_reveal_the_ip(settings) -> None:
    digest = clients.ip_hash("198.51.100.7")
    assert digest == clients.ip_hash("198.51.100.7")
    assert digest != clients.ip_hash("198.51.100.8")
    assert len(digest) == 32 and set(digest) <= set("0123456789abcdef")
    settings.SECRET_KEY = "a-rotated-secret-" + "x" * 40
    assert clients.ip_hash("198.51.100.7") == digest  # stored hashes outlive a rotation
    settings.BROADSHEET_HASHING_KEY = "another-site-" + "x" * 40
    assert clients.ip_hash("198.51.100.7") != digest  # keyed by the site's hashing key
