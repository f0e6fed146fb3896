"""Short-hands for events tests: events and ticket types through the services, tickets through the checkout.

Times are whole minutes, as the event form sends them, so an edit that keeps the form's values
changes nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from quad.commerce.models import Order
from quad.commerce.tests.factories import pay, place
from quad.events import services
from quad.events.models import Event, Ticket, TicketType


def in_days(days: float, *, hour: int = 19) -> datetime.datetime:
    """`days` from now at `hour`:00 local time."""
    day = timezone.localtime() + datetime.timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def make_event(
    society: Any,
    *,
    actor: Any,
    title: str = "Night walk",
    starts_at: datetime.datetime | None = None,
    hours: int = 2,
    capacity: int = 50,
    venue: str = "Students' Union, Room 2",
    online_url: str = "",
    visibility: str = Event.Visibility.PUBLIC,
    description: str = "Bring a torch.",
) -> Event:
    starts = starts_at or in_days(7)
    return services.create_event(
        society,
        actor=actor,
        title=title,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=hours),
        capacity=capacity,
        venue=venue,
        online_url=online_url,
        visibility=visibility,
        description=description,
    )


def make_ticket_type(
    event: Event,
    *,
    actor: Any,
    name: str = "Standard",
    price_pence: int = 500,
    member_price_pence: int | None = None,
    members_only: bool = False,
    per_person_limit: int = 4,
) -> TicketType:
    return services.add_ticket_type(
        event,
        actor=actor,
        name=name,
        price_pence=price_pence,
        member_price_pence=member_price_pence,
        members_only=members_only,
        per_person_limit=per_person_limit,
    )


def order_tickets(user: Any, ticket_type: TicketType, quantity: int = 1) -> Order:
    """A pending order for `quantity` tickets (a free one is paid at once)."""
    return place(user, (ticket_type.variant, quantity))


def buy_tickets(user: Any, ticket_type: TicketType, quantity: int = 1) -> list[Ticket]:
    """Order and pay as the checkout does; the tickets issued for that order."""
    order = order_tickets(user, ticket_type, quantity)
    if order.status == Order.Status.PENDING:
        pay(order)
    return list(Ticket.objects.filter(order_line__order=order))


def edit_event(event: Event, *, actor: Any, **changes: Any) -> Event:
    """`update_event` with the event's current values, except `changes`."""
    event.refresh_from_db()
    values: dict[str, Any] = {
        "title": event.title,
        "description": event.description,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "venue": event.venue,
        "online_url": event.online_url,
        "visibility": event.visibility,
        "capacity": event.capacity.size,
    }
    return services.update_event(event, actor=actor, **(values | changes))
