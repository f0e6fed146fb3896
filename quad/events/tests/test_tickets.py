"""Buying tickets: member prices, members-only tickets, the per-person limit, and the tickets
issued on payment (unguessable codes, a QR code in the email and on the ticket page).

`member` is a current member of `society`; `student` is not.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from conftest import make_person
from quad.commerce import services as commerce
from quad.commerce.errors import OrderError
from quad.commerce.models import BasketItem, Order, OrderLine, Refund
from quad.commerce.tests.factories import pay
from quad.core.models import AuditEvent
from quad.events import services
from quad.events.emails import ticket_qr_svg
from quad.events.models import Event, Ticket, TicketType
from quad.events.tests.factories import buy_tickets, make_event, make_ticket_type, order_tickets


@pytest.fixture
def event(society: Any, committee_trained: Any) -> Event:
    return make_event(society, actor=committee_trained, title="Summit supper", capacity=30)


@pytest.fixture
def ticket_type(event: Event, committee_trained: Any) -> TicketType:
    return make_ticket_type(event, actor=committee_trained, price_pence=1200, member_price_pence=800)


def message_of(response: Any) -> str:
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


def add(client: Any, ticket_type: TicketType, quantity: int = 1) -> Any:
    return client.post(
        reverse("commerce:add-to-basket"),
        {"variant": ticket_type.variant_id, "quantity": quantity, "next": ticket_type.event.get_absolute_url()},
    )


def qr_of(ticket: Ticket) -> str:
    """The QR code's modules as drawn in SVG (the same at any scale or size)."""
    found = re.search(r'class="qrline"[^>]* d="([^"]+)"', ticket_qr_svg(ticket))
    assert found is not None
    return found.group(1)


def paid_price(user: Any) -> int:
    return OrderLine.objects.get(order__buyer=user, kind="ticket").unit_price_pence


# --- Prices and who may buy ----------------------------------------------------------------------


def test_members_pay_the_member_price_and_others_the_full_price(ticket_type, member, student):
    buy_tickets(member, ticket_type)
    buy_tickets(student, ticket_type)

    assert paid_price(member) == 800
    assert paid_price(student) == 1200


def test_a_lapsed_member_pays_the_full_price(ticket_type, member):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    member.memberships.update(starts_on=yesterday - datetime.timedelta(days=300), ends_on=yesterday)

    buy_tickets(member, ticket_type)

    assert paid_price(member) == 1200


def test_members_only_tickets_are_refused_to_non_members_with_the_reason(
    client, event, committee_trained, member, student
):
    members_type = make_ticket_type(event, actor=committee_trained, name="Members", members_only=True)
    client.force_login(student)

    response = add(client, members_type)

    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()
    assert message_of(response) == "Members tickets are for members of Hiking Society. Join the society first."
    assert not BasketItem.objects.exists()
    buy_tickets(member, members_type)
    assert Ticket.objects.filter(holder=member, ticket_type=members_type).count() == 1


def test_a_members_only_events_tickets_are_for_members(society, committee_trained, student):
    event = make_event(society, actor=committee_trained, visibility=Event.Visibility.MEMBERS)
    standard = make_ticket_type(event, actor=committee_trained)

    with pytest.raises(OrderError, match="Standard tickets are for members of Hiking Society"):
        order_tickets(student, standard)


@pytest.mark.parametrize(
    ("role", "reason"),
    [
        ("visitor", "Only current students can buy from societies"),
        ("graduate", "Graduates can no longer buy from societies"),
    ],
)
def test_tickets_are_for_current_students(client, request, ticket_type, role, reason):
    client.force_login(request.getfixturevalue(role))

    response = add(client, ticket_type)

    assert response.status_code == 403
    assert reason in response.content.decode()


def test_no_tickets_for_a_cancelled_or_finished_event(event, ticket_type, committee_trained, student):
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3), ends_at=timezone.now() - datetime.timedelta(hours=1)
    )
    with pytest.raises(OrderError):  # sales close when the event ends; either rule refuses it
        order_tickets(student, ticket_type)
    fresh = make_event(event.society, actor=committee_trained, title="Rained off")
    fresh_type = make_ticket_type(fresh, actor=committee_trained)
    services.cancel_event(fresh, actor=committee_trained, reason="Storm.")
    with pytest.raises(OrderError, match=r"not on sale|cancelled"):
        order_tickets(student, fresh_type)


# --- The per-person limit ------------------------------------------------------------------------


def test_one_person_may_buy_up_to_the_limit_in_one_order(ticket_type, student):
    tickets = buy_tickets(student, ticket_type, 4)

    assert len(tickets) == 4
    assert not Refund.objects.exists()


def test_the_limit_counts_tickets_already_bought(client, ticket_type, student):
    buy_tickets(student, ticket_type, 3)
    client.force_login(student)

    response = add(client, ticket_type, 2)

    assert message_of(response) == "Each person can have at most 4 tickets for Summit supper; you have 3."
    assert not BasketItem.objects.exists()
    assert len(buy_tickets(student, ticket_type, 1)) == 1


def test_more_than_the_limit_at_once_is_refused(client, ticket_type, student):
    client.force_login(student)

    response = add(client, ticket_type, 5)

    assert message_of(response) == "You can buy at most 4 of Standard at a time."
    with pytest.raises(OrderError, match="at most 4"):
        order_tickets(student, ticket_type, 5)


def test_two_orders_at_once_cannot_pass_the_limit_together(ticket_type, student):
    """Both orders were placed before either was paid: the second payment is returned in full."""
    first = order_tickets(student, ticket_type, 3)
    second = order_tickets(student, ticket_type, 3)

    pay(first)
    pay(second)

    second.refresh_from_db()
    assert second.status == Order.Status.CANCELLED
    assert Refund.objects.get(order=second).amount_pence == 3600
    assert Ticket.objects.filter(holder=student).count() == 3


# --- Tickets issued on payment -------------------------------------------------------------------


def test_tickets_are_issued_when_paid_for_with_unguessable_unique_codes(ticket_type, student, member):
    order = order_tickets(student, ticket_type, 3)
    assert not Ticket.objects.exists()  # nothing until the money is in

    pay(order)

    tickets = list(Ticket.objects.filter(order_line__order=order))
    assert len(tickets) == 3
    assert all(t.holder == student and t.status == Ticket.Status.VALID and t.checked_in_at is None for t in tickets)
    codes = [t.code for t in tickets] + [t.code for t in buy_tickets(member, ticket_type, 2)]
    assert len(set(codes)) == 5
    # 16 random bytes, URL-safe base64: 128 bits, nothing sequential or derived from the ticket.
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", code) for code in codes), codes
    assert AuditEvent.objects.get(action="events.tickets.issued", actor=student).data["count"] == 3


def test_free_tickets_are_an_rsvp_issued_at_once(event, committee_trained, student):
    rsvp = make_ticket_type(event, actor=committee_trained, name="RSVP", price_pence=0)

    order = order_tickets(student, rsvp)

    assert order.status == Order.Status.PAID
    assert Ticket.objects.filter(holder=student, ticket_type=rsvp).count() == 1


def test_the_confirmation_email_carries_each_tickets_qr_code(
    ticket_type, student, mailoutbox, django_capture_on_commit_callbacks
):
    order = order_tickets(student, ticket_type, 2)

    with django_capture_on_commit_callbacks(execute=True):
        pay(order)

    [email] = [m for m in mailoutbox if m.subject == "Your tickets for Summit supper"]
    assert email.to == [student.email]
    html = email.alternatives[0][0]
    for ticket in Ticket.objects.filter(holder=student):
        assert qr_of(ticket) in html
        assert reverse("events:ticket", kwargs={"code": ticket.code}) in email.body
    assert html.count("<svg") == 2


def test_the_ticket_page_shows_the_qr_code_to_its_holder_only(
    client, ticket_type, student, member, committee_trained, su_staff
):
    [ticket] = buy_tickets(student, ticket_type)
    url = ticket.get_absolute_url()

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    for someone_else in (member, committee_trained):
        client.force_login(someone_else)
        assert client.get(url).status_code == 404, someone_else
    for allowed in (student, su_staff):
        client.force_login(allowed)
        page = client.get(url).content.decode()
        assert qr_of(ticket) in page
        assert ticket.code in page
    client.force_login(student)
    assert client.get(reverse("events:ticket", kwargs={"code": "not-a-real-code"})).status_code == 404


def test_a_cancelled_tickets_page_shows_no_qr_code(client, ticket_type, student):
    [ticket] = buy_tickets(student, ticket_type)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.CANCELLED)
    client.force_login(student)

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert "This ticket is cancelled." in page
    assert "<svg" not in page


def test_a_fully_refunded_ticket_is_cancelled_and_its_place_freed(ticket_type, student, committee_trained):
    [ticket] = buy_tickets(student, ticket_type)
    line = OrderLine.objects.get(pk=ticket.order_line_id)
    left = commerce.places_left(ticket_type.variant)

    commerce.refund_line(line, amount_pence=line.total_pence, actor=committee_trained, reason="Ill.")

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CANCELLED
    assert commerce.places_left(ticket_type.variant) == (left or 0) + 1


def test_the_account_page_lists_my_tickets_and_my_calendar_link(client, ticket_type, student):
    buy_tickets(student, ticket_type)
    client.force_login(student)

    page = client.get(reverse("accounts:home")).content.decode()

    assert "Summit supper" in page
    assert "/events/feeds/tickets/" in page


def test_two_people_see_only_their_own_tickets_on_the_event_page(client, event, ticket_type, student):
    other = make_person("Ola Other", "ola.other")
    [mine] = buy_tickets(student, ticket_type)
    [theirs] = buy_tickets(other, ticket_type)
    client.force_login(student)

    page = client.get(event.get_absolute_url()).content.decode()

    assert mine.get_absolute_url() in page
    assert theirs.get_absolute_url() not in page
