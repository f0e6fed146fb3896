"""The scanner's endpoint stays cheap: a fixed number of SQL queries a scan, however many tickets the
event has (bench/checkin.py measures the scans per second these buy), and the answer it gives from
what it wrote agrees with the database."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import make_person
from quad.events import services
from quad.events.models import Event, Ticket, TicketType
from quad.events.tests.factories import buy_tickets, make_event, make_ticket_type

# The session and the user; the event with its society; the committee check (terms with positions and
# training in one query); the ticket with its holder and type; the conditional UPDATE; the live count.
SCAN_VALID = 7
# "Already checked in" is read from the ticket as fetched: no UPDATE is tried.
SCAN_ALREADY = 6


@pytest.fixture
def event(society: Any, committee_trained: Any) -> Event:
    return make_event(society, actor=committee_trained, title="Quiz night", capacity=50)


@pytest.fixture
def ticket_type(event: Event, committee_trained: Any) -> TicketType:
    return make_ticket_type(event, actor=committee_trained, name="Entry", price_pence=200)


def scan(client: Any, event: Event, code: str) -> dict[str, Any]:
    response = client.post(
        reverse("events:scan", kwargs={"pk": event.pk}), {"code": code}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    return response.json()


def test_scan_queries_do_not_grow_with_tickets(
    client, event, ticket_type, member, committee_trained, django_assert_num_queries
):
    client.force_login(committee_trained)
    [first] = buy_tickets(member, ticket_type)
    with django_assert_num_queries(SCAN_VALID):
        assert scan(client, event, first.code)["outcome"] == "valid"
    with django_assert_num_queries(SCAN_ALREADY):
        assert scan(client, event, first.code)["outcome"] == "already"

    more = [ticket for n in range(6) for ticket in buy_tickets(make_person(f"Guest {n}", f"guest.{n}"), ticket_type)]
    with django_assert_num_queries(SCAN_VALID):
        answer = scan(client, event, more[0].code)
    with django_assert_num_queries(SCAN_ALREADY):
        again = scan(client, event, more[0].code)

    assert (answer["outcome"], answer["checked_in"], answer["valid"]) == ("valid", 2, 7)
    assert (again["outcome"], again["checked_in"], again["valid"]) == ("already", 2, 7)


def test_the_admitted_ticket_says_what_the_database_holds(event, ticket_type, member, committee_trained):
    [ticket] = buy_tickets(member, ticket_type)

    result = services.check_in(event, ticket.code, actor=committee_trained)

    stored = Ticket.objects.get(pk=ticket.pk)
    assert result.outcome == "valid"
    assert result.ticket is not None
    assert (result.ticket.checked_in_at, result.ticket.checked_in_by) == (stored.checked_in_at, committee_trained)
    assert stored.checked_in_by == committee_trained
    assert services.attendance(event) == (1, 1)


def test_a_ticket_cancelled_between_the_read_and_the_update_is_cancelled_not_admitted(
    event, ticket_type, member, committee_trained, monkeypatch
):
    """The conditional UPDATE, not the read before it, decides: a refund landing in between wins."""
    [ticket] = buy_tickets(member, ticket_type)
    real_filter = Ticket.objects.filter

    def filter_after_a_refund(*args: Any, **kwargs: Any) -> Any:
        if "checked_in_at__isnull" in kwargs:  # the check-in's UPDATE is about to run
            Ticket.objects.exclude(status=Ticket.Status.CANCELLED).filter(pk=ticket.pk).update(
                status=Ticket.Status.CANCELLED
            )
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Ticket.objects, "filter", filter_after_a_refund)
    result = services.check_in(event, ticket.code, actor=committee_trained)
    monkeypatch.undo()

    assert result.outcome == "cancelled"
    assert Ticket.objects.get(pk=ticket.pk).checked_in_at is None
