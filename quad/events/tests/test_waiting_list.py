"""The waiting list of a sold-out event: join, be offered a freed place (a held order, by email),
pass an unclaimed offer on, leave, claim.

The sample event has one place, taken by `member`; `student` and `second` wait in that order.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from conftest import make_person
from quad.commerce import services as commerce
from quad.commerce.models import Order, OrderLine
from quad.commerce.tests.factories import lapse, pay
from quad.core.models import AuditEvent
from quad.events import services
from quad.events.errors import EventError
from quad.events.models import Event, Ticket, TicketType, WaitingListEntry
from quad.events.tests.factories import buy_tickets, edit_event, make_event, make_ticket_type, order_tickets

WAITING = WaitingListEntry.Status


@pytest.fixture
def event(society: Any, committee_trained: Any) -> Event:
    return make_event(society, actor=committee_trained, title="Ceilidh", capacity=1)


@pytest.fixture
def ticket_type(event: Event, committee_trained: Any) -> TicketType:
    return make_ticket_type(event, actor=committee_trained, price_pence=800)


@pytest.fixture
def sold_out(ticket_type: TicketType, member: Any) -> Ticket:
    """`member` holds the only place."""
    [ticket] = buy_tickets(member, ticket_type)
    return ticket


@pytest.fixture
def second(db: None) -> Any:
    return make_person("Sid Second", "sid.second")


def entry_of(user: Any) -> WaitingListEntry:
    return WaitingListEntry.objects.select_related("offer_order").get(user=user)


def refund_ticket(ticket: Ticket, *, actor: Any) -> None:
    line = OrderLine.objects.get(pk=ticket.order_line_id)
    commerce.refund_line(line, amount_pence=line.total_pence, actor=actor, reason="Cannot come.")


def message_of(response: Any) -> str:
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


# --- Joining -------------------------------------------------------------------------------------


def test_student_joins_the_waiting_list_of_a_sold_out_event(client, event, ticket_type, sold_out, student):
    client.force_login(student)

    response = client.post(
        reverse("events:join-waiting-list", kwargs={"pk": event.pk}), {"ticket_type": ticket_type.pk}
    )

    assert response.status_code == 302
    assert message_of(response).startswith("You are on the waiting list.")
    entry = entry_of(student)
    assert (entry.status, entry.ticket_type, entry.offer_order) == (WAITING.WAITING, ticket_type, None)
    assert AuditEvent.objects.filter(action="events.waiting_list.joined", actor=student).exists()
    page = client.get(event.get_absolute_url()).content.decode()
    assert "You are on the waiting list" in page
    assert "Join the waiting list" not in page


def test_cannot_join_twice(event, ticket_type, sold_out, student):
    services.join_waiting_list(event, ticket_type, user=student)

    with pytest.raises(EventError, match="already on the waiting list"):
        services.join_waiting_list(event, ticket_type, user=student)


def test_cannot_join_while_places_are_left(event, ticket_type, student):
    with pytest.raises(EventError, match="There are places left"):
        services.join_waiting_list(event, ticket_type, user=student)
    assert not WaitingListEntry.objects.exists()


def test_joining_without_choosing_tickets_is_refused_with_a_message(client, event, sold_out, student):
    client.force_login(student)
    url = reverse("events:join-waiting-list", kwargs={"pk": event.pk})

    for posted in ({}, {"ticket_type": "not-a-number"}, {"ticket_type": "999999"}):
        response = client.post(url, posted)
        assert response.status_code == 302, posted
        assert message_of(response) == "Choose the tickets you want to wait for."
    assert not WaitingListEntry.objects.exists()


def test_members_only_tickets_keep_their_rule_on_the_waiting_list(
    event, committee_trained, sold_out, student, ticket_type
):
    members_type = make_ticket_type(event, actor=committee_trained, name="Members", members_only=True)

    with pytest.raises(EventError, match="Members tickets are for members of Hiking Society"):
        services.join_waiting_list(event, members_type, user=student)


# --- Offers ----------------------------------------------------------------------------------------


def test_a_refund_offers_the_place_to_the_first_in_the_queue_by_email_with_a_held_order(
    event, ticket_type, sold_out, student, second, committee_trained, mailoutbox, django_capture_on_commit_callbacks
):
    services.join_waiting_list(event, ticket_type, user=student)
    services.join_waiting_list(event, ticket_type, user=second)

    with django_capture_on_commit_callbacks(execute=True):
        refund_ticket(sold_out, actor=committee_trained)

    entry = entry_of(student)
    assert entry.status == WAITING.OFFERED
    order = entry.offer_order
    assert order is not None
    assert (order.status, order.buyer, order.total_pence) == (Order.Status.PENDING, student, 800)
    assert order.lines.get().variant == ticket_type.variant
    assert entry_of(second).status == WAITING.WAITING  # one place, one offer
    assert commerce.places_left(ticket_type.variant) == 0  # the place is held for the offer
    [offer] = [m for m in mailoutbox if m.to == [student.email]]
    assert offer.subject == "A place for Ceilidh is yours if you want it"
    assert reverse("commerce:order", kwargs={"reference": order.reference}) in offer.body
    assert not [m for m in mailoutbox if m.to == [second.email]]


def test_an_expired_order_offers_its_place(
    event, ticket_type, student, second, mailoutbox, django_capture_on_commit_callbacks
):
    walked_away = order_tickets(make_person("Wes Walkaway", "wes.walkaway"), ticket_type)
    services.join_waiting_list(event, ticket_type, user=student)

    lapse(walked_away)
    with django_capture_on_commit_callbacks(execute=True):
        assert commerce.expire_orders() == 1

    entry = entry_of(student)
    assert entry.status == WAITING.OFFERED
    assert entry.offer_order is not None and entry.offer_order.status == Order.Status.PENDING
    assert [m.to for m in mailoutbox] == [[student.email]]


def test_an_unpaid_offer_that_expires_passes_to_the_next_person(
    event, ticket_type, sold_out, student, second, committee_trained, mailoutbox, django_capture_on_commit_callbacks
):
    services.join_waiting_list(event, ticket_type, user=student)
    services.join_waiting_list(event, ticket_type, user=second)
    refund_ticket(sold_out, actor=committee_trained)
    first_offer = entry_of(student).offer_order
    assert first_offer is not None

    lapse(first_offer)
    with django_capture_on_commit_callbacks(execute=True):
        commerce.expire_orders()

    assert entry_of(student).status == WAITING.LAPSED
    entry = entry_of(second)
    assert entry.status == WAITING.OFFERED
    assert entry.offer_order is not None and entry.offer_order.status == Order.Status.PENDING
    assert [m.to for m in mailoutbox] == [[second.email]]


def test_claiming_an_offer_issues_the_ticket(event, ticket_type, sold_out, student, committee_trained):
    services.join_waiting_list(event, ticket_type, user=student)
    refund_ticket(sold_out, actor=committee_trained)
    offer = entry_of(student).offer_order
    assert offer is not None

    pay(offer)

    assert entry_of(student).status == WAITING.CLAIMED
    ticket = Ticket.objects.get(holder=student)
    assert (ticket.event, ticket.status) == (event, Ticket.Status.VALID)
    assert AuditEvent.objects.filter(action="events.waiting_list.offered", target_id=str(event.pk)).count() == 1


def test_growing_the_capacity_offers_the_new_places(
    event, ticket_type, sold_out, student, second, committee_trained, django_capture_on_commit_callbacks
):
    services.join_waiting_list(event, ticket_type, user=student)
    services.join_waiting_list(event, ticket_type, user=second)

    edit_event(event, actor=committee_trained, capacity=3)

    assert entry_of(student).status == entry_of(second).status == WAITING.OFFERED


# --- Leaving ---------------------------------------------------------------------------------------


def test_leaving_the_waiting_list(client, event, ticket_type, sold_out, student):
    services.join_waiting_list(event, ticket_type, user=student)
    client.force_login(student)

    response = client.post(reverse("events:leave-waiting-list", kwargs={"pk": event.pk}))

    assert response.status_code == 302
    assert message_of(response) == "You have left the waiting list."
    assert entry_of(student).status == WAITING.LEFT
    # Gone from the queue: they may join again, at the back.
    services.join_waiting_list(event, ticket_type, user=student)
    assert WaitingListEntry.objects.filter(user=student, status=WAITING.WAITING).count() == 1


def test_leaving_with_an_offer_in_hand_passes_the_place_on(
    event, ticket_type, sold_out, student, second, committee_trained, mailoutbox, django_capture_on_commit_callbacks
):
    services.join_waiting_list(event, ticket_type, user=student)
    services.join_waiting_list(event, ticket_type, user=second)
    refund_ticket(sold_out, actor=committee_trained)
    offer = entry_of(student).offer_order
    assert offer is not None

    with django_capture_on_commit_callbacks(execute=True):
        services.leave_waiting_list(entry_of(student), actor=student)

    assert entry_of(student).status == WAITING.LEFT
    offer.refresh_from_db()
    assert offer.status == Order.Status.CANCELLED
    assert entry_of(second).status == WAITING.OFFERED
    assert [m.to for m in mailoutbox] == [[second.email]]
