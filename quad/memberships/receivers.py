"""Memberships' parts of the account page and the mini site's Join section."""

from __future__ import annotations

from typing import Any

from quad.accounts import sections as account_sections
from quad.accounts.models import User
from quad.memberships import queries
from quad.memberships.services import current_membership
from quad.societies import sections as site_sections
from quad.societies.models import Society


def account_section(user: User) -> account_sections.Section | None:
    memberships = list(queries.memberships_of(user))
    if not memberships:
        return None
    return account_sections.Section("memberships/account_section.html", {"memberships": memberships})


def join_section(society: Society, viewer: Any) -> site_sections.Section | None:
    if society.status != Society.Status.ACTIVE:
        return None
    return site_sections.Section(
        "memberships/join_section.html",
        {
            "society": society,
            "types": queries.on_sale(society),
            "membership": current_membership(viewer, society),
            "viewer": viewer,
        },
    )


account_sections.register(5, account_section)
site_sections.register("join", join_section)
site_sections.register_manage_link("Memberships", "memberships:membership-types")
site_sections.register_manage_link("Members", "memberships:member-list")
