"""Reads of the accounts app: profiles, an account's comments, its data export."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.core.paginator import Page, Paginator
from django.utils.module_loading import import_string

from broadsheet.accounts import conf
from broadsheet.accounts.identity import profile_of, uploaded_avatar_url
from broadsheet.accounts.models import Profile
from broadsheet.discussion.models import Comment
from broadsheet.discussion.selectors import comments_by_author, votes_by_account


def profile_for_editing(user: Any) -> Profile:
    """The account's profile, unsaved and empty when it has none yet (one query)."""
    return Profile.objects.filter(user=user).first() or Profile(user=user)


def has_verified_email(user: Any) -> bool:
    """True when the account confirmed at least one e-mail address (one query)."""
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def my_comments(user: Any, *, page: int) -> Page[Comment]:
    """One page of an account's comments, newest first, threads joined in: 2 queries
    (count and page) at any number of comments."""
    paginator = Paginator(comments_by_author(user.pk), conf.my_comments_page_size())
    return paginator.get_page(page)


def account_export(user: Any) -> dict[str, Any]:
    """Everything Broadsheet keeps about an account, as JSON-ready data (GDPR art. 15/20).

    A fixed number of queries: the account, its addresses, profile, comments, votes,
    and one per part other apps add (subscriptions, reports, reactions: conf.export_parts).
    """
    profile = Profile.objects.filter(user=user).first()
    comments = [
        {
            "id": comment.pk,
            "thread": {"title": comment.thread.title, "url": comment.thread.host_url},
            "url": comment.get_absolute_url(),
            "parent_id": comment.parent_id,
            "status": comment.status,
            "created_at": comment.created_at.isoformat(),
            "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
            "body": comment.body_source,
            "upvotes": comment.upvotes,
            "downvotes": comment.downvotes,
        }
        for comment in comments_by_author(user.pk)
    ]
    votes = [
        {"comment_id": vote.comment_id, "value": vote.value, "at": vote.created_at.isoformat()}
        for vote in votes_by_account(user.pk)
    ]
    data: dict[str, Any] = {
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "groups": sorted(user.groups.values_list("name", flat=True)),
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
        },
        "profile": {
            "display_name": profile.display_name if profile else "",
            "bio": profile.bio if profile else "",
            "avatar_url": uploaded_avatar_url(user) if profile_of(user) else None,
        },
        "comments": comments,
        "comment_votes": votes,
    }
    for part in conf.export_parts():
        data.update(import_string(part)(user))
    return data
