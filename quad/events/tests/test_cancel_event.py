"""Cancelling an event: every ticket holder is refunded through the payment provider and emailed,
orders still awaiting payment are cancelled, and the waiting list is cleared."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from conftest import make_person
from quad.commerce import services as commerce
from quad.commerce.errors import OrderError
from quad.commerce.models import Order, OrderLine, Refund
from quad.core.models import AuditEvent
from quad.events import services
from quad.events.errors import EventError
from quad.events.models import Event, Ticket, TicketType, WaitingListEntry
from quad.events.tests.factories import buy_tickets, make_event, make_ticket_type, order_tickets


@pytest.fixture
def event(society: Any, committee_trained: Any) -> Event:
    return make_event(society, actor=committee_trained, title="Glacier trip", capacity=6)


@pytest.fixture
def ticket_type(event: Event, committee_trained: Any) -> TicketType:
    return make_ticket_type(event, actor=committee_trained, price_pence=2500, member_price_pence=2000)


@pytest.fixture
def scene(event: Event, ticket_type: TicketType, committee_trained: Any, member: Any, student: Any) -> dict[str, Any]:
    """Paid tickets (a member's two at the member price, a student's one), an RSVP, an order awaiting
    payment, and a queue: with capacity 6 the event is full."""
    rsvp = make_ticket_type(event, actor=committee_trained, name="Helper", price_pence=0)
    helper = make_person("Hal Helper", "hal.helper")
    buy_tickets(member, ticket_type, 2)
    buy_tickets(student, ticket_type)
    buy_tickets(helper, rsvp)
    pending = order_tickets(make_person("Pen Pending", "pen.pending"), ticket_type, 2)
    waiting = make_person("Wyn Waiting", "wyn.waiting")
    services.join_waiting_list(event, ticket_type, user=waiting)
    return {"helper": helper, "pending": pending, "waiting": waiting}


def test_cancelling_refunds_and_emails_every_ticket_holder(
    client,
    event,
    scene,
    committee_trained,
    member,
    student,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client.force_login(committee_trained)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("events:cancel-event", kwargs={"pk": event.pk}), {"reason": "The glacier has melted."}
        )

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The event is cancelled; every ticket holder is refunded and emailed."
    ]
    event.refresh_from_db()
    assert (event.status, event.cancelled_reason) == (Event.Status.CANCELLED, "The glacier has melted.")
    # Refunded in full through the provider that took the money (the test provider here).
    refunds = {r.order.buyer: r for r in Refund.objects.select_related("order__buyer")}
    assert {buyer: r.amount_pence for buyer, r in refunds.items()} == {member: 4000, student: 2500}
    assert all(r.provider_refund_id.startswith("test_refund_") for r in refunds.values())
    assert all(r.created_by == committee_trained for r in refunds.values())
    assert all(r.reason == "Event cancelled: The glacier has melted." for r in refunds.values())
    assert not Ticket.objects.filter(status=Ticket.Status.VALID).exists()
    assert OrderLine.objects.filter(kind="ticket", order__status=Order.Status.PAID, released=False).count() == 1  # RSVP
    # Every holder is told, free tickets too; nobody else is.
    cancelled = [m for m in mailoutbox if m.subject == "Glacier trip is cancelled"]
    assert sorted(m.to[0] for m in cancelled) == sorted([member.email, student.email, scene["helper"].email])
    assert all(len(m.to) == 1 for m in cancelled)
    assert AuditEvent.objects.filter(action="events.event.cancelled", actor=committee_trained).exists()


def test_cancelling_cancels_orders_awaiting_payment_and_clears_the_waiting_list(event, scene, committee_trained):
    services.cancel_event(event, actor=committee_trained, reason="Storm.")

    scene["pending"].refresh_from_db()
    assert scene["pending"].status == Order.Status.CANCELLED
    entry = WaitingListEntry.objects.get(user=scene["waiting"])
    assert entry.status == WaitingListEntry.Status.LEFT
    assert entry.offer_order is None  # the freed places were not offered to anyone


def test_an_offer_in_hand_is_withdrawn_too(event, ticket_type, scene, committee_trained, member):
    line = OrderLine.objects.filter(order__buyer=member, kind="ticket").get()
    commerce.refund_line(line, amount_pence=line.total_pence, actor=committee_trained, reason="Ill.")
    entry = WaitingListEntry.objects.get(user=scene["waiting"])
    assert entry.status == WaitingListEntry.Status.OFFERED

    services.cancel_event(event, actor=committee_trained, reason="Storm.")

    entry.refresh_from_db()
    assert entry.status != WaitingListEntry.Status.OFFERED
    assert entry.offer_order is not None
    entry.offer_order.refresh_from_db()
    assert entry.offer_order.status == Order.Status.CANCELLED
    # The member's refund was already made: not made twice.
    assert Refund.objects.filter(order__buyer=member).count() == 1


def test_a_cancelled_event_sells_nothing_and_cannot_be_cancelled_twice(event, ticket_type, committee_trained, student):
    services.cancel_event(event, actor=committee_trained, reason="Storm.")

    with pytest.raises(OrderError):
        commerce.add_to_basket(student, ticket_type.variant)
    with pytest.raises(EventError, match="already cancelled"):
        services.cancel_event(event, actor=committee_trained, reason="Storm again.")


def test_cancelling_needs_a_reason(client, event, scene, committee_trained):
    client.force_login(committee_trained)

    response = client.post(reverse("events:cancel-event", kwargs={"pk": event.pk}), {"reason": ""})

    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Tell ticket holders why the event is cancelled."]
    event.refresh_from_db()
    assert event.status == Event.Status.SCHEDULED
    assert not Refund.objects.exists()
    with pytest.raises(EventError, match="Tell ticket holders why"):
        services.cancel_event(event, actor=committee_trained, reason="   ")


def test_the_event_page_and_feed_say_it_is_cancelled(client, event, scene, committee_trained):
    services.cancel_event(event, actor=committee_trained, reason="The glacier has melted.")

    page = client.get(event.get_absolute_url()).content.decode()
    feed = client.get(reverse("events:society-feed", kwargs={"slug": event.society.slug})).content.decode()

    assert "This event is cancelled." in page and "The glacier has melted." in page
    assert "Add to basket" not in page
    assert "STATUS:CANCELLED" in feed
