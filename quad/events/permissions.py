"""Fetch-and-authorise helpers for events and tickets."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from quad.core.permissions import not_found
from quad.events.models import Event, Ticket
from quad.events.queries import member_society_ids
from quad.societies.models import Power
from quad.societies.permissions import CommitteeAccess, committee_access
from quad.societies.queries import terms_of


def can_see_event(user: Any, event: Event) -> bool:
    if event.visibility == Event.Visibility.PUBLIC and event.society.is_public:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_union_staff:
        return True
    return event.society_id in member_society_ids(user) or bool(terms_of(user, event.society))


def get_visible_event(user: Any, pk: int) -> Event:
    """Members-only events do not exist for anyone but the society's members, committee and staff."""
    event = get_object_or_404(Event.objects.select_related("society", "society__category", "capacity"), pk=pk)
    if not can_see_event(user, event):
        raise not_found()
    return event


def get_event_for_committee(
    user: Any,
    pk: int,
    *,
    power: str | None = Power.EVENTS,
    related: tuple[str, ...] = ("society__category", "capacity"),
) -> tuple[CommitteeAccess, Event]:
    """The event and the committee's access to its society. `related` is what to fetch with it (the
    society always comes): the scanner, asked hundreds of times a minute, needs nothing more."""
    event = get_object_or_404(Event.objects.select_related("society", *related), pk=pk)
    return committee_access(user, event.society, power=power), event


def get_ticket_for_holder(user: Any, code: str) -> Ticket:
    """A ticket's page is its holder's (and union staff's): its code is the key to the door."""
    ticket = get_object_or_404(
        Ticket.objects.select_related("event__society", "ticket_type__product", "holder"), code=code
    )
    if not getattr(user, "is_authenticated", False) or (ticket.holder_id != user.pk and not user.is_union_staff):
        raise not_found()
    return ticket
