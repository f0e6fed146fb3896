from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from quad.events.models import Event, Ticket
from quad.memberships.models import Membership


def member_society_ids(user: Any) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    today = timezone.localdate()
    return list(
        Membership.objects.filter(
            user=user, status=Membership.Status.ACTIVE, starts_on__lte=today, ends_on__gte=today
        ).values_list("society_id", flat=True)
    )


def visible_events(user: Any) -> QuerySet[Event]:
    """Public events, and members-only events of the viewer's own societies."""
    events = Event.objects.select_related("society", "society__category")
    return events.filter(Q(visibility=Event.Visibility.PUBLIC) | Q(society_id__in=member_society_ids(user)))


def calendar(
    user: Any,
    *,
    society_slug: str = "",
    category_slug: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> QuerySet[Event]:
    events = visible_events(user).filter(status=Event.Status.SCHEDULED, society__status="active")
    now = timezone.now()
    events = events.filter(ends_at__date__gte=start) if start else events.filter(ends_at__gte=now)
    if end:
        events = events.filter(starts_at__date__lte=end)
    if society_slug:
        events = events.filter(society__slug=society_slug)
    if category_slug:
        events = events.filter(society__category__slug=category_slug)
    return events.order_by("starts_at", "id")


def upcoming_for_society(society: Any, user: Any, *, limit: int = 5) -> QuerySet[Event]:
    return calendar(user, society_slug=society.slug)[:limit]


def tickets_of(user: Any) -> QuerySet[Ticket]:
    return Ticket.objects.filter(holder=user).select_related("event__society", "ticket_type__product")


def attendees(event: Event) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(event=event, status=Ticket.Status.VALID)
        .select_related("holder", "ticket_type__product", "checked_in_by")
        .order_by("holder__display_name", "id")
    )
