"""What events holds about a person: their tickets and check-ins, waiting-list places, and the events and
check-ins they ran as a committee member. Registered with `quad.core.personal_data`.

Erasure deletes waiting-list places and keeps tickets (paid for, and counted in attendance) held by the
anonymous stub.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count

from quad.core.personal_data import Erasure, ExportSection, Holding, PersonalData, iso, register
from quad.events.models import Event, Ticket, WaitingListEntry


def _export(user: Any) -> list[ExportSection]:
    tickets = (
        Ticket.objects.filter(holder=user)
        .select_related("event__society", "ticket_type__product", "order_line__order")
        .order_by("event__starts_at", "id")
    )
    waiting = (
        WaitingListEntry.objects.filter(user=user)
        .select_related("event__society", "ticket_type__product")
        .order_by("created_at", "id")
    )
    created = Event.objects.filter(created_by=user).select_related("society").order_by("starts_at", "id")
    checked_in = (
        Ticket.objects.filter(checked_in_by=user)
        .exclude(holder=user)
        .values("event__title", "event__starts_at")
        .annotate(tickets=Count("id"))
        .order_by("event__starts_at")
    )
    return [
        ExportSection(
            "Your tickets",
            [
                {
                    "event": t.event.title,
                    "society": t.event.society.name,
                    "starts": iso(t.event.starts_at),
                    "ticket": t.ticket_type.name,
                    "order": t.order_line.order.reference,
                    "status": t.get_status_display(),
                    "checked in": iso(t.checked_in_at),
                }
                for t in tickets
            ],
            note="Each ticket's QR code is not included: it is a key to the door, not information about you.",
        ),
        ExportSection(
            "Waiting lists",
            [
                {
                    "event": w.event.title,
                    "society": w.event.society.name,
                    "ticket": w.ticket_type.name,
                    "joined": iso(w.created_at),
                    "status": w.get_status_display(),
                }
                for w in waiting
            ],
        ),
        ExportSection(
            "Events you created",
            [{"event": e.title, "society": e.society.name, "starts": iso(e.starts_at)} for e in created],
        ),
        ExportSection(
            "Tickets you checked in",
            [
                {"event": row["event__title"], "starts": iso(row["event__starts_at"]), "tickets": row["tickets"]}
                for row in checked_in
            ],
            note="The ticket holders are not named here.",
        ),
    ]


def _erase(user: Any, erasure: Erasure) -> None:
    erasure.count("waiting-list places", WaitingListEntry.objects.filter(user=user).delete()[0])
    if Ticket.objects.filter(holder=user).exists():
        erasure.keep("Tickets (paid for, and counted in attendance), held by the anonymous stub.")


register(
    PersonalData(
        app="events",
        title="Events and tickets",
        models=("events.Event", "events.Ticket", "events.WaitingListEntry"),
        holdings=(
            Holding(
                what="Your tickets: which event, which ticket, whether and when you were checked in at the door",
                why="To let you in, and so the society knows who came (attendance and safety)",
                basis="Contract; legitimate interests (safety at events)",
                kept="With the order they were bought in; held by an anonymous stub once your account is erased",
            ),
            Holding(
                what="Waiting lists you join",
                why="To offer you a place that comes free (held for you for "
                f"{settings.WAITING_LIST_OFFER_HOURS} hours, WAITING_LIST_OFFER_HOURS)",
                basis="Contract",
                kept="With the event; deleted if your account is erased",
            ),
            Holding(
                what="Events you create and tickets you check in as a committee member",
                why="So the society can account for what it runs",
                basis="Legitimate interests",
                kept="With the event",
            ),
        ),
        export=_export,
        erase=_erase,
    )
)
