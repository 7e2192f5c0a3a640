"""Background work of the notifications app (django_tasks; the database backend and
``manage.py db_worker`` in production, run inline in the test suite)."""

from __future__ import annotations

from django_tasks import task

from broadsheet.notifications import actions


@task()
def queue_comment_notices_task(comment_id: int) -> list[int]:
    """Fan a new approved comment out to the subscriptions it concerns."""
    return actions.do_queue_comment_notices(comment_id=comment_id)


@task()
def send_digest_task(delivery_id: int) -> str:
    """Send one delivery (a digest) once; re-queues itself with back-off on failure."""
    return actions.do_send_delivery(delivery_id=delivery_id)


@task()
def send_confirmation_task(email: str) -> None:
    """Send the double opt-in e-mail. On failure the per-address limit is lifted, so the
    reader may ask again at once."""
    from broadsheet.notifications.mail import confirmation_message

    try:
        confirmation_message(email).send()
    except Exception:
        actions.forget_confirmation_request(email)
        raise


@task()
def send_commenter_notice_task(comment_id: int, kind: str, reason: str, until: str = "") -> bool:
    """E-mail a comment's author a moderator's decision ("rejected", "banned",
    "suspended" until `until`, an ISO date-time). False when there is nobody to write to
    (no address, or the comment is gone)."""
    from broadsheet.notifications.mail import commenter_notice_message

    message = commenter_notice_message(comment_id=comment_id, kind=kind, reason=reason, until=until)
    if message is None:
        return False
    message.send()
    return True
