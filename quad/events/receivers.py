"""Events' parts of the mini site, the account page and the management navigation."""

from __future__ import annotations

from typing import Any

from quad.accounts import sections as account_sections
from quad.accounts.models import User
from quad.events import queries, services  # noqa: F401  (services registers the ticket fulfilment)
from quad.societies import sections as site_sections
from quad.societies.models import Society


def events_section(society: Society, viewer: Any) -> site_sections.Section | None:
    events = list(queries.upcoming_for_society(society, viewer))
    if not events:
        return None
    return site_sections.Section("events/site_section.html", {"events": events, "society": society})


def account_section(user: User) -> account_sections.Section | None:
    from quad.events.views import my_feed_url

    tickets = list(queries.tickets_of(user).order_by("-event__starts_at")[:20])
    if not tickets:
        return None
    return account_sections.Section(
        "events/account_section.html", {"tickets": tickets, "feed_url": my_feed_url(user.pk)}
    )


site_sections.register("events", events_section)
site_sections.register_manage_link("Events", "events:society-events")
account_sections.register(4, account_section)
