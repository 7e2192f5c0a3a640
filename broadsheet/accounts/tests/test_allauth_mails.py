"""Every e-mail django-allauth can send with our settings, and the pages of it a reader
reaches, are in our words and templates, never its stock text ("You are receiving this
email because...", "Hello from example.com!", "Email Addresses")."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import allauth
import pytest
from django.conf import settings as django_settings
from django.test import Client

from broadsheet.notifications.testing import Mailbox
from tests.personas import PASSWORD

OURS = Path(django_settings.BASE_DIR) / "broadsheet" / "templates" / "account" / "email"
STOCK = Path(allauth.__file__).parent / "templates" / "account" / "email"
STOCK_PHRASES = ("You are receiving this", "Hello from", "Thank you for using")

# Mails of features our settings leave off: security notifications
# (ACCOUNT_EMAIL_NOTIFICATIONS), sign-in and password reset by code.
NOT_SENT_HERE = {
    "base_notification",
    "email_changed",
    "email_confirm",
    "email_deleted",
    "password_changed",
    "password_reset",
    "password_set",
    "login_code",
    "password_reset_code",
}


def test_those_features_are_indeed_off() -> None:
    assert not getattr(django_settings, "ACCOUNT_EMAIL_NOTIFICATIONS", False)
    assert not getattr(django_settings, "ACCOUNT_LOGIN_BY_CODE_ENABLED", False)
    assert not getattr(django_settings, "ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED", False)


def test_every_mail_allauth_can_send_here_has_our_template() -> None:
    missing = []
    for stock in sorted(STOCK.glob("*.txt")):
        name = stock.name.removesuffix(".txt").removesuffix("_message").removesuffix("_subject")
        if name not in NOT_SENT_HERE and not (OURS / stock.name).exists():
            missing.append(stock.name)
    assert missing == []


@pytest.mark.django_db
def test_signing_up_with_a_taken_address_is_answered_on_our_page(
    client: Client, rosa: Any, smtp: Mailbox
) -> None:
    # With optional e-mail verification allauth answers on the form (the mail
    # "account_already_exists", ours too, goes out only under mandatory verification).
    answer = client.post(
        "/accounts/signup/",
        {
            "email": "rosa@example.org",
            "username": "rosa2",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    html = answer.content.decode()
    assert answer.status_code == 200
    assert 'class="masthead"' in html and "form-error" in html
    assert smtp.to("rosa@example.org") == []


@pytest.mark.django_db
def test_a_reset_for_an_unknown_address_is_answered_in_our_words(
    client: Client, smtp: Mailbox
) -> None:
    client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    [mail] = smtp.to("nobody@example.org")
    assert mail["Subject"] == "No account with this address"
    text = smtp.text(mail)
    assert "create an account here" in text
    assert not any(phrase in text for phrase in STOCK_PHRASES)


@pytest.mark.django_db
def test_the_e_mail_addresses_page_is_ours(client: Client, rosa: Any) -> None:
    client.force_login(rosa)
    html = client.get("/accounts/email/").content.decode()
    assert "<h1>Your e-mail addresses</h1>" in html
    assert "rosa@example.org" in html and "confirmed, main address" in html
    assert "Email Addresses" not in html and "account/js/" not in html
    answer = client.post(
        "/accounts/email/", {"action_add": "", "email": "rosa.l@example.org"}, follow=True
    )
    assert "rosa.l@example.org" in answer.content.decode()


@pytest.mark.django_db
def test_sign_in_to_comment_comes_back_to_the_same_discussion(client: Client, rosa: Any) -> None:
    from broadsheet.discussion.testing import make_thread

    thread = make_thread(title="Room for the river")
    here = f"/discussion/t/{thread.pk}/?sort=oldest"
    html = client.get(here).content.decode()
    link = re.search(r'<a href="([^"]+)">Sign in to comment</a>', html)
    assert link is not None
    login = client.get(unescape(link.group(1)))
    assert login.status_code == 200
    next_field = re.search(r'name="next" value="([^"]+)"', login.content.decode())
    assert next_field is not None
    answer = client.post(
        "/accounts/login/",
        {"login": "rosa", "password": PASSWORD, "next": unescape(next_field.group(1))},
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"{here}#discussion"
