"""One function per email about events and tickets. Each queues on commit; all are essential mail."""

from __future__ import annotations

from collections.abc import Sequence

import segno
from django.conf import settings
from django.urls import reverse

from quad.commerce.models import OrderLine
from quad.core.emails import queue_email
from quad.events.models import Event, Ticket, WaitingListEntry


def _event_url(event: Event) -> str:
    return settings.SITE_URL + reverse("events:event", kwargs={"pk": event.pk})


def ticket_qr_svg(ticket: Ticket, *, scale: int = 5, fluid: bool = False) -> str:
    """The ticket's code as an inline SVG QR code (no network, no image files).

    `fluid` leaves out the fixed width and height (a viewBox instead), so the page's CSS can size it."""
    return str(
        segno.make(ticket.code, error="m").svg_inline(scale=scale, dark="#1b1f24", light="#ffffff", omitsize=fluid)
    )


def tickets_issued(line: OrderLine, tickets: Sequence[Ticket]) -> None:
    if line.order.buyer is None or not tickets:
        return
    event = tickets[0].event
    queue_email(
        "events/emails/tickets_issued",
        to=[line.order.buyer.email],
        context={
            "event": event,
            "tickets": [
                {
                    "ticket": t,
                    "qr": ticket_qr_svg(t, scale=4),
                    "url": settings.SITE_URL + reverse("events:ticket", kwargs={"code": t.code}),
                }
                for t in tickets
            ],
            "event_url": _event_url(event),
        },
    )


def event_changed(event: Event, *, changed: list[str]) -> None:
    holders = sorted(
        set(Ticket.objects.filter(event=event, status=Ticket.Status.VALID).values_list("holder__email", flat=True))
    )
    labels = {"starts_at": "start time", "ends_at": "end time", "venue": "place", "online_url": "online link"}
    queue_email(
        "events/emails/event_changed",
        to=holders,
        context={"event": event, "changed": [labels[c] for c in changed], "event_url": _event_url(event)},
    )


def event_cancelled(event: Event, *, recipients: Sequence[str]) -> None:
    queue_email("events/emails/event_cancelled", to=list(recipients), context={"event": event})


def place_offered(entry: WaitingListEntry) -> None:
    order = entry.offer_order
    if order is None:
        return
    queue_email(
        "events/emails/place_offered",
        to=[entry.user.email],
        context={
            "entry": entry,
            "event": entry.event,
            "order": order,
            "order_url": settings.SITE_URL + reverse("commerce:order", kwargs={"reference": order.reference}),
        },
    )
