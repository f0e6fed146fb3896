"""Reactions to lower apps' signals, and this app's part of the account page."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from quad.accounts import sections
from quad.accounts.models import User
from quad.accounts.signals import student_verified
from quad.societies import queries, services


@receiver(student_verified)
def seat_founding_committee_member(sender: Any, user: User, **kwargs: Any) -> None:
    services.claim_proposed_seats(user)


def committee_section(user: User) -> sections.Section | None:
    terms = list(queries.committee_roles_of(user))
    applications = list(user.society_applications.order_by("-applied_at")[:5])
    if not terms and not applications:
        return None
    return sections.Section(
        "societies/account_section.html",
        {"terms": terms, "applications": applications, "today": timezone.localdate()},
    )


sections.register(10, committee_section)
