"""Sign up, confirm the address from a real e-mail, sign in and out, reset a password:
django-allauth's flows over HTTP, on our templates, with mail through real SMTP."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client

from broadsheet.articles.models import PublicationSettings
from broadsheet.notifications.testing import Mailbox
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db

CONFIRM_LINK = r"http://testserver/accounts/confirm-email/[^/\s]+/"
RESET_LINK = r"http://testserver/accounts/password/reset/key/[^\s]+/"


def sign_up(client: Client, username: str = "rosa", email: str = "rosa@example.org") -> Any:
    return client.post(
        "/accounts/signup/",
        {"email": email, "username": username, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_the_sign_up_page_is_ours_and_accessible(client: Client) -> None:
    page = client.get("/accounts/signup/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Create an account</h1>" in html
    assert 'class="masthead"' in html  # our base template
    assert '<label for="id_email">' in html
    assert "<script>" not in html and " style=" not in html


def test_a_reader_signs_up_confirms_by_mail_and_signs_in_by_email(
    client: Client, smtp: Mailbox
) -> None:
    answer = sign_up(client)
    assert answer.status_code == 302
    assert answer["Location"] == "/"  # "optional" verification: signed in at once
    rosa = get_user_model().objects.get(username="rosa")
    assert not EmailAddress.objects.get(user=rosa).verified

    [mail] = smtp.to("rosa@example.org")
    # In the publication's voice, not allauth's stock "Hello from 127.0.0.1!".
    body = smtp.text(mail)
    name = PublicationSettings.load().name
    assert mail["Subject"] == "Confirm your e-mail address"
    assert "Hello from" not in body and "Thank you for using" not in body
    assert f'the account "rosa" at {name}' in body
    link = smtp.link(mail, CONFIRM_LINK)
    confirm_page = client.get(link)
    assert "Please confirm that <strong>rosa@example.org</strong>" in confirm_page.content.decode()
    assert not EmailAddress.objects.get(user=rosa).verified  # GET alone confirms nothing
    confirmed = client.post(link, follow=True)
    assert confirmed.redirect_chain[-1][0] == "/me/"
    assert "You have confirmed rosa@example.org" in confirmed.content.decode()
    assert EmailAddress.objects.get(user=rosa).verified

    client.post("/accounts/logout/")
    assert client.get("/me/").status_code == 302
    signed_in = client.post("/accounts/login/", {"login": "rosa@example.org", "password": PASSWORD})
    assert signed_in.status_code == 302
    overview = client.get("/me/")
    assert overview.status_code == 200
    assert 'Signed in as <strong dir="auto">rosa</strong>' in overview.content.decode()
    assert "not confirmed yet" not in overview.content.decode()


def test_an_unconfirmed_reader_is_told_so(client: Client, smtp: Mailbox) -> None:
    sign_up(client)  # "optional" verification: signed in at once
    assert "Your e-mail address is not confirmed yet" in client.get("/me/").content.decode()


def test_a_wrong_password_keeps_the_reader_out(client: Client, rosa: Any) -> None:
    answer = client.post("/accounts/login/", {"login": "rosa", "password": "not it"})
    assert answer.status_code == 200
    assert "form-error" in answer.content.decode()
    assert client.get("/me/").status_code == 302


def test_a_reader_resets_a_forgotten_password(client: Client, rosa: Any, smtp: Mailbox) -> None:
    answer = client.post("/accounts/password/reset/", {"email": "rosa@example.org"})
    assert answer.status_code == 302
    [mail] = smtp.to("rosa@example.org")
    assert "Hello from" not in smtp.text(mail)
    assert mail["Subject"] == "Reset your password"
    link = smtp.link(mail, RESET_LINK)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    new = "another long pass phrase"
    done = client.post(form_page.redirect_chain[-1][0], {"password1": new, "password2": new})
    assert done.status_code == 302
    rosa.refresh_from_db()
    assert rosa.check_password(new)
    assert Client().login(username="rosa", password=new)


def test_me_sends_a_signed_out_reader_to_sign_in(client: Client) -> None:
    answer = client.get("/me/comments/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/?next=/me/comments/")
