"""One function per email about memberships. Each queues on commit."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse

from quad.accounts.models import User
from quad.core.emails import queue_email
from quad.memberships.models import Membership
from quad.societies.models import CommitteeTerm


def member_removed(membership: Membership) -> None:
    queue_email(
        "memberships/emails/member_removed",
        to=[membership.user.email],
        context={"membership": membership, "society": membership.society},
    )


def graduating_soon(user: User) -> None:
    queue_email(
        "memberships/emails/graduating_soon",
        to=[user.email],
        context={"user": user, "account_url": settings.SITE_URL + reverse("accounts:home")},
    )


def graduated(user: User, *, memberships: Sequence[Membership], terms: Sequence[CommitteeTerm]) -> bool:
    queue_email(
        "memberships/emails/graduated",
        to=[user.email],
        context={"user": user, "memberships": memberships, "terms": terms},
    )
    return True
