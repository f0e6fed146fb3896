"""Mailings' links into the rest of Quad: the welcome email, the account page's news choices, the
management area's navigation and its "last emailed" line, and the article page's email action."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.timesince import timesince

from quad.accounts import sections as account_sections
from quad.accounts.models import User
from quad.mailings import services
from quad.mailings.models import NewsPreference
from quad.memberships import queries as membership_queries
from quad.memberships.models import Membership
from quad.memberships.signals import membership_started
from quad.news.sections import register_article_action
from quad.societies import sections as site_sections
from quad.societies.models import Power, Society


def welcome_new_member(sender: Any, membership: Membership, **kwargs: Any) -> None:
    # After the membership is saved for good: a rolled-back checkout welcomes nobody. Robust: a
    # welcome that fails to render is logged, never reported as a failure of the paid checkout.
    transaction.on_commit(lambda: services.send_welcome(membership), robust=True)


def news_choices(user: User) -> account_sections.Section | None:
    memberships = [m for m in membership_queries.memberships_of(user) if m.status == Membership.Status.ACTIVE]
    if not memberships:
        return None
    off = set(NewsPreference.objects.filter(user=user, receive=False).values_list("society_id", flat=True))
    societies = sorted({m.society for m in memberships}, key=lambda society: society.name)
    return account_sections.Section(
        "mailings/account_section.html",
        {"choices": [(society, society.pk not in off) for society in societies]},
    )


def last_emailed_fact(society: Society) -> site_sections.ManageFact:
    latest = services.last_emailed(society)
    value = f"{timesince(latest)} ago ({timezone.localtime(latest):%-d %B %Y})" if latest else "never"
    warning = ""
    if services.members_not_emailed(society):
        warning = (
            f"Not emailed for over {settings.MAILINGS_STALE_DAYS} days: members who never hear from you ask for refunds"
        )
    return site_sections.ManageFact("Members last emailed", value, warning)


membership_started.connect(welcome_new_member, dispatch_uid="mailings.welcome_new_member")
account_sections.register(6, news_choices)
site_sections.register_manage_link("Email", "mailings:society-mailings")
site_sections.register_manage_fact(last_emailed_fact)
register_article_action("Email this article to members", "mailings:email-article", Power.EMAIL)
