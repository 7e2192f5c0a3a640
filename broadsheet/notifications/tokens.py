"""Signed tokens in e-mail links (django.core.signing: JSON, HMAC with a salt, never
pickled). Each kind has its own salt, so a token of one kind is useless as another.

- confirm: the address to confirm; valid for CONFIRM_MAX_AGE.
- unsubscribe: bound to one subscription id *and* its address, so it cannot be turned
  into a token for another subscription; valid as long as the subscription exists
  (RFC 8058 links must keep working).
- manage: the address whose subscriptions a guest may list and cancel; MANAGE_MAX_AGE.
"""

from __future__ import annotations

from django.core import signing

CONFIRM_SALT = "broadsheet.notifications.confirm"
UNSUBSCRIBE_SALT = "broadsheet.notifications.unsubscribe"
MANAGE_SALT = "broadsheet.notifications.manage"
CONFIRM_MAX_AGE = 3 * 24 * 3600
MANAGE_MAX_AGE = 30 * 24 * 3600


def confirm_token(email: str) -> str:
    return signing.dumps({"e": email}, salt=CONFIRM_SALT, compress=True)


def email_from_confirm_token(token: str) -> str | None:
    return _email(token, CONFIRM_SALT, CONFIRM_MAX_AGE)


def manage_token(email: str) -> str:
    return signing.dumps({"e": email}, salt=MANAGE_SALT, compress=True)


def email_from_manage_token(token: str) -> str | None:
    return _email(token, MANAGE_SALT, MANAGE_MAX_AGE)


def unsubscribe_token(subscription_id: int, email: str) -> str:
    return signing.dumps({"s": subscription_id, "e": email}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(subscription id, address) from a genuine token, else None."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    sid, email = data.get("s"), data.get("e")
    if not isinstance(sid, int) or not isinstance(email, str):
        return None
    return sid, email


def _email(token: str, salt: str, max_age: int) -> str | None:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    email = data.get("e") if isinstance(data, dict) else None
    return email if isinstance(email, str) else None
