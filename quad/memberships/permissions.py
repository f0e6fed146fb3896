"""Memberships' fetch-and-authorise helpers (the society's own ones do the committee checks)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from quad.memberships.models import Membership, MembershipType
from quad.societies.models import Power
from quad.societies.permissions import CommitteeAccess, get_society_for_committee


def get_member_data_access(user: Any, slug: str) -> CommitteeAccess:
    """Member lists are personal data: the view-member-data power with valid GDPR training, only."""
    return get_society_for_committee(user, slug, power=Power.MEMBER_DATA)


def get_membership_for_removal(user: Any, slug: str, pk: int) -> Membership:
    access = get_society_for_committee(user, slug, power=Power.MEMBER_DATA)
    return get_object_or_404(Membership.objects.select_related("user", "society"), pk=pk, society=access.society)


def get_membership_type_for_finance(user: Any, slug: str, pk: int) -> tuple[CommitteeAccess, MembershipType]:
    access = get_society_for_committee(user, slug, power=Power.FINANCE)
    membership_type = get_object_or_404(
        MembershipType.objects.select_related("product", "variant", "quota"), pk=pk, society=access.society
    )
    return access, membership_type
