"""Every state change of events: creating and editing them, tickets, check-in, waiting lists, cancelling."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from quad.commerce import services as commerce
from quad.commerce.errors import OrderError
from quad.commerce.fulfilment import Fulfilment, register
from quad.commerce.models import Order, OrderLine, Product, Quota, Refund, Variant
from quad.core import audit
from quad.events import emails
from quad.events.errors import EventError
from quad.events.models import Event, Ticket, TicketType, WaitingListEntry
from quad.memberships.services import current_membership
from quad.societies.models import Society

KIND = "ticket"


def _check_times(starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    if ends_at <= starts_at:
        raise EventError("An event must end after it starts.")


def _check_place(venue: str, online_url: str) -> None:
    if not venue.strip() and not online_url.strip():
        raise EventError("Say where the event is: a place, an online link, or both.")


def _as_shown(value: Any) -> Any:
    """Times as people see and edit them (to the minute): seconds alone are not a change worth an email."""
    if isinstance(value, datetime.datetime):
        return value.replace(second=0, microsecond=0)
    return value


def tickets_taken(event: Event) -> int:
    """Places held by paid tickets and by orders still within their hold."""
    now = timezone.now()
    return (
        OrderLine.objects.filter(variant__ticket_type__event=event)
        .filter(commerce.holding_places(now))
        .aggregate(n=Sum("quantity"))["n"]
        or 0
    )


def create_event(
    society: Society,
    *,
    actor: Any,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int,
    description: str = "",
    venue: str = "",
    online_url: str = "",
    visibility: str = Event.Visibility.PUBLIC,
    image: ContentFile | None = None,
) -> Event:
    _check_times(starts_at, ends_at)
    _check_place(venue, online_url)
    if capacity < 1:
        raise EventError("Capacity must be at least 1.")
    with transaction.atomic():
        quota = Quota.objects.create(name=f"{society.name}: {title}"[:120], size=capacity)
        event = Event(
            society=society,
            title=title,
            description=description,
            starts_at=starts_at,
            ends_at=ends_at,
            venue=venue,
            online_url=online_url,
            visibility=visibility,
            capacity=quota,
            created_by=actor,
        )
        if image is not None:
            event.image.save(f"event-{society.slug}.png", image, save=False)
        event.save()
        audit.record("events.event.created", actor=actor, target=event, scope=society.audit_scope)
    return event


def update_event(
    event: Event,
    *,
    actor: Any,
    title: str,
    description: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    venue: str,
    online_url: str,
    visibility: str,
    capacity: int,
    image: ContentFile | None = None,
) -> Event:
    """Edit an event. Ticket holders are emailed when the time or the place changes."""
    _check_times(starts_at, ends_at)
    _check_place(venue, online_url)
    with transaction.atomic():
        event = Event.objects.select_for_update().select_related("capacity", "society").get(pk=event.pk)
        if event.status == Event.Status.CANCELLED:
            raise EventError("This event is cancelled.")
        Quota.objects.select_for_update().get(pk=event.capacity_id)
        taken = tickets_taken(event)
        if capacity < taken:
            raise EventError(f"{taken} places are already taken: capacity cannot be less than that.")
        changed = [
            name
            for name, new in (
                ("starts_at", starts_at),
                ("ends_at", ends_at),
                ("venue", venue),
                ("online_url", online_url),
            )
            if _as_shown(getattr(event, name)) != _as_shown(new)
        ]
        event.title, event.description, event.visibility = title, description, visibility
        event.starts_at, event.ends_at, event.venue, event.online_url = starts_at, ends_at, venue, online_url
        fields = ["title", "description", "visibility", "starts_at", "ends_at", "venue", "online_url", "updated_at"]
        if image is not None:
            event.image.save(f"event-{event.society.slug}.png", image, save=False)
            fields.append("image")
        event.save(update_fields=fields)
        grew = capacity > event.capacity.size
        event.capacity.size = capacity
        event.capacity.save(update_fields=["size"])
        audit.record(
            "events.event.updated",
            actor=actor,
            target=event,
            scope=event.society.audit_scope,
            data={"changed": changed, "capacity": capacity},
        )
        if changed:
            emails.event_changed(event, changed=changed)
        if grew:
            offer_free_places(event)
    return event


def add_ticket_type(
    event: Event,
    *,
    actor: Any,
    name: str,
    price_pence: int,
    member_price_pence: int | None = None,
    members_only: bool = False,
    per_person_limit: int = 4,
    sale_starts_at: datetime.datetime | None = None,
    sale_ends_at: datetime.datetime | None = None,
) -> TicketType:
    if price_pence < 0 or (member_price_pence is not None and member_price_pence < 0):
        raise EventError("Prices cannot be negative.")
    if member_price_pence is not None and member_price_pence > price_pence:
        raise EventError("The member price should not be more than the ordinary price.")
    if per_person_limit < 1:
        raise EventError("Each person must be able to buy at least one ticket.")
    if sale_starts_at and sale_ends_at and sale_ends_at <= sale_starts_at:
        raise EventError("Ticket sales must close after they open.")
    with transaction.atomic():
        product = Product.objects.create(
            seller=event.society,
            kind=KIND,
            name=name,
            sale_starts_at=sale_starts_at,
            sale_ends_at=sale_ends_at or event.ends_at,
            max_per_order=per_person_limit,
        )
        variant = Variant.objects.create(product=product, name="Standard", price_pence=price_pence)
        event.capacity.variants.add(variant)
        ticket_type = TicketType.objects.create(
            event=event,
            product=product,
            variant=variant,
            member_price_pence=member_price_pence,
            members_only=members_only,
            per_person_limit=per_person_limit,
        )
        audit.record(
            "events.ticket_type.created",
            actor=actor,
            target=ticket_type,
            scope=event.society.audit_scope,
            data={"price_pence": price_pence, "member_price_pence": member_price_pence},
        )
    return ticket_type


def update_ticket_type(
    ticket_type: TicketType, *, actor: Any, price_pence: int, member_price_pence: int | None, on_sale: bool
) -> TicketType:
    """A new price applies to later sales only: orders keep the price they were placed at."""
    if price_pence < 0 or (member_price_pence is not None and member_price_pence < 0):
        raise EventError("Prices cannot be negative.")
    with transaction.atomic():
        ticket_type.variant.price_pence = price_pence
        ticket_type.variant.save(update_fields=["price_pence"])
        ticket_type.member_price_pence = member_price_pence
        ticket_type.save(update_fields=["member_price_pence"])
        ticket_type.product.is_active = on_sale
        ticket_type.product.save(update_fields=["is_active"])
        audit.record(
            "events.ticket_type.updated",
            actor=actor,
            target=ticket_type,
            scope=ticket_type.event.society.audit_scope,
            data={"price_pence": price_pence, "member_price_pence": member_price_pence, "on_sale": on_sale},
        )
    return ticket_type


def cancel_event(event: Event, *, actor: Any, reason: str) -> Event:
    """Cancel: every ticket holder is refunded through the payment provider and emailed."""
    if not reason.strip():
        raise EventError("Tell ticket holders why the event is cancelled.")
    with transaction.atomic():
        event = Event.objects.select_for_update().select_related("society").get(pk=event.pk)
        if event.status == Event.Status.CANCELLED:
            raise EventError("This event is already cancelled.")
        event.status = Event.Status.CANCELLED
        event.cancelled_reason = reason.strip()
        event.save(update_fields=["status", "cancelled_reason", "updated_at"])
        Product.objects.filter(ticket_type__event=event).update(is_active=False)
        WaitingListEntry.objects.filter(event=event, status=WaitingListEntry.Status.WAITING).update(
            status=WaitingListEntry.Status.LEFT
        )
        holders = set(
            Ticket.objects.filter(event=event, status=Ticket.Status.VALID).values_list("holder__email", flat=True)
        )
        lines = OrderLine.objects.filter(
            variant__ticket_type__event=event, order__status=Order.Status.PAID
        ).select_related("order")
        for line in lines:
            left = line.total_pence - commerce.refunded_pence(line)
            if left > 0:
                commerce.refund_line(line, amount_pence=left, actor=actor, reason=f"Event cancelled: {reason.strip()}")
        Ticket.objects.filter(event=event, status=Ticket.Status.VALID).update(status=Ticket.Status.CANCELLED)
        for pending in Order.objects.filter(lines__variant__ticket_type__event=event, status=Order.Status.PENDING):
            commerce.cancel_order(pending, actor=actor)
        audit.record(
            "events.event.cancelled",
            actor=actor,
            target=event,
            scope=event.society.audit_scope,
            data={"reason": reason},
        )
        emails.event_cancelled(event, recipients=sorted(holders))
    return event


# --- Check-in ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanResult:
    outcome: str  # valid | already | wrong_event | cancelled | unknown
    ticket: Ticket | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "valid"


def check_in(event: Event, code: str, *, actor: Any) -> ScanResult:
    """Admit a ticket once. The conditional UPDATE makes a second scan — from any phone — lose."""
    code = code.strip()
    if not code or len(code) > 64:
        return ScanResult("unknown")
    try:
        ticket = Ticket.objects.select_related("holder", "ticket_type__product", "checked_in_by").get(code=code)
    except Ticket.DoesNotExist:
        return ScanResult("unknown")
    if ticket.event_id != event.pk:
        return ScanResult("wrong_event", ticket)
    if ticket.status != Ticket.Status.VALID:
        return ScanResult("cancelled", ticket)
    if ticket.checked_in_at is not None:  # Check-ins are never undone: no need to try the UPDATE.
        return ScanResult("already", ticket)
    now = timezone.now()
    admitted = Ticket.objects.filter(pk=ticket.pk, status=Ticket.Status.VALID, checked_in_at__isnull=True).update(
        checked_in_at=now, checked_in_by=actor
    )
    if admitted:  # This scan's UPDATE won: the row now holds exactly what it wrote.
        ticket.checked_in_at, ticket.checked_in_by = now, actor
        return ScanResult("valid", ticket)
    # Another scan won (perhaps a moment ago, from another phone): say when and by whom.
    ticket.refresh_from_db(fields=["checked_in_at", "checked_in_by", "status"])
    if ticket.status != Ticket.Status.VALID:
        return ScanResult("cancelled", ticket)
    return ScanResult("already", ticket)


def attendance(event: Event) -> tuple[int, int]:
    """(checked in, valid tickets) for the live count, in one query."""
    counts = Ticket.objects.filter(event=event, status=Ticket.Status.VALID).aggregate(
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)), valid=Count("pk")
    )
    return counts["checked_in"], counts["valid"]


# --- Waiting list ------------------------------------------------------------------------------


def join_waiting_list(event: Event, ticket_type: TicketType, *, user: Any) -> WaitingListEntry:
    if ticket_type.event_id != event.pk:
        raise EventError("That ticket is for another event.")
    if commerce.places_left(ticket_type.variant) != 0:
        raise EventError("There are places left: get a ticket instead.")
    fulfilment = TicketFulfilment()
    try:
        fulfilment.check_can_buy(user, ticket_type.variant, 1)
    except OrderError as error:
        raise EventError(str(error)) from error
    with transaction.atomic():
        if WaitingListEntry.objects.filter(
            event=event, user=user, status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED]
        ).exists():
            raise EventError("You are already on the waiting list.")
        entry = WaitingListEntry.objects.create(event=event, ticket_type=ticket_type, user=user)
        audit.record("events.waiting_list.joined", actor=user, target=event, scope=event.society.audit_scope)
    return entry


def leave_waiting_list(entry: WaitingListEntry, *, actor: Any) -> None:
    with transaction.atomic():
        entry = WaitingListEntry.objects.select_for_update(of=("self",)).select_related("offer_order").get(pk=entry.pk)
        if entry.status not in {WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED}:
            return
        offer = entry.offer_order if entry.status == WaitingListEntry.Status.OFFERED else None
        # Marked left first: cancelling the held order would otherwise record the offer as lapsed.
        entry.status = WaitingListEntry.Status.LEFT
        entry.save(update_fields=["status"])
        if offer is not None:
            commerce.cancel_order(offer, actor=actor)  # frees the place, which passes to the next person


def offer_free_places(event: Event) -> list[WaitingListEntry]:
    """Offer each free place to the next person waiting: a pending order held for them for
    WAITING_LIST_OFFER_HOURS. An offer nobody pays for expires, and the place passes on."""
    offered: list[WaitingListEntry] = []
    if event.status != Event.Status.SCHEDULED or event.starts_at <= timezone.now():
        return offered
    hold = datetime.timedelta(hours=settings.WAITING_LIST_OFFER_HOURS)
    for entry in WaitingListEntry.objects.filter(event=event, status=WaitingListEntry.Status.WAITING).select_related(
        "ticket_type__variant", "user"
    ):
        try:
            with transaction.atomic():
                order, _ = commerce.place_order(entry.user, items=[(entry.ticket_type.variant, 1)], hold=hold)
        except OrderError as error:
            if "Sold out" in str(error) or "left" in str(error):
                break  # No free place: stop offering.
            entry.status = WaitingListEntry.Status.LAPSED  # They can no longer buy (e.g. graduated).
            entry.save(update_fields=["status"])
            continue
        entry.status = WaitingListEntry.Status.OFFERED
        entry.offer_order = order
        entry.save(update_fields=["status", "offer_order"])
        audit.record("events.waiting_list.offered", actor=None, target=event, scope=event.society.audit_scope)
        emails.place_offered(entry)
        offered.append(entry)
    return offered


# --- Fulfilment --------------------------------------------------------------------------------


class TicketFulfilment(Fulfilment):
    kind = KIND
    label = "Ticket"

    def _ticket_type(self, variant: Variant) -> TicketType:
        return TicketType.objects.select_related("event__society").get(variant=variant)

    def check_can_buy(self, user: Any, variant: Variant, quantity: int) -> None:
        ticket_type = self._ticket_type(variant)
        event = ticket_type.event
        if not getattr(user, "is_student", False):
            raise OrderError("Tickets are for current students. Sign in with your verified student account.")
        if event.status == Event.Status.CANCELLED:
            raise OrderError("This event is cancelled.")
        if event.ends_at <= timezone.now():
            raise OrderError("This event has finished.")
        member = current_membership(user, event.society) is not None
        if (ticket_type.members_only or event.visibility == Event.Visibility.MEMBERS) and not member:
            raise OrderError(f"{ticket_type.name} tickets are for members of {event.society}. Join the society first.")
        # Tickets paid for, not places held: commerce asks again when an order is paid, and then the
        # order's own held places would count against it (a buyer of 3 of 4 was refused their own 3).
        # A second order placed meanwhile is refused at payment and refunded, as for memberships.
        already = (
            OrderLine.objects.filter(
                variant__ticket_type__event=event, order__buyer=user, order__status=Order.Status.PAID, released=False
            ).aggregate(n=Sum("quantity"))["n"]
            or 0
        )
        if already + quantity > ticket_type.per_person_limit:
            raise OrderError(
                f"Each person can have at most {ticket_type.per_person_limit} tickets for {event}; you have {already}."
            )

    def describe(self, variant: Variant) -> str:
        ticket_type = self._ticket_type(variant)
        return f"{ticket_type.event.title} — {ticket_type.name} ticket"

    def price_for(self, user: Any, variant: Variant) -> int:
        ticket_type = self._ticket_type(variant)
        if ticket_type.member_price_pence is not None and current_membership(user, ticket_type.event.society):
            return ticket_type.member_price_pence
        return variant.price_pence

    def on_paid(self, line: OrderLine) -> None:
        ticket_type = self._ticket_type(line.variant)
        buyer = line.order.buyer
        if buyer is None:
            raise OrderError("This order has no buyer any more.")
        tickets = Ticket.objects.bulk_create(
            [
                Ticket(event=ticket_type.event, ticket_type=ticket_type, holder=buyer, order_line=line)
                for _ in range(line.quantity)
            ]
        )
        WaitingListEntry.objects.filter(offer_order=line.order).update(status=WaitingListEntry.Status.CLAIMED)
        audit.record(
            "events.tickets.issued",
            actor=buyer,
            target=ticket_type.event,
            scope=ticket_type.event.society.audit_scope,
            data={"count": len(tickets), "line": line.pk},
        )
        emails.tickets_issued(line, tickets)

    def on_refunded(self, line: OrderLine, refund: Refund, *, fully_refunded: bool) -> None:
        if not fully_refunded:
            return
        Ticket.objects.filter(order_line=line, status=Ticket.Status.VALID).update(status=Ticket.Status.CANCELLED)
        offer_free_places(self._ticket_type(line.variant).event)

    def on_expired(self, line: OrderLine) -> None:
        WaitingListEntry.objects.filter(offer_order=line.order, status=WaitingListEntry.Status.OFFERED).update(
            status=WaitingListEntry.Status.LAPSED
        )
        offer_free_places(self._ticket_type(line.variant).event)


register(TicketFulfilment())
