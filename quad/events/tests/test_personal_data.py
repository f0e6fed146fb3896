"""Events' part of a subject access export and of an erasure: tickets and check-ins, waiting lists, and
what committee members ran. Erasure deletes waiting-list places and keeps tickets, held by the anonymous
stub, so attendance stays true. Run through the privacy services, as the views do.

The sample event, "Ceilidh", has two places: ``member`` holds one ticket, ``student`` the other, and
``second`` waits.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import make_person
from quad.events import services
from quad.events.models import Event, Ticket, TicketType, WaitingListEntry
from quad.events.tests.factories import buy_tickets, make_event, make_ticket_type
from quad.privacy import services as privacy
from quad.privacy.errors import PrivacyError

pytestmark = pytest.mark.django_db


def events_part(user: Any) -> dict[str, list[dict[str, Any]]]:
    document = privacy.export_document(user)
    return {
        section["title"]: section["rows"]
        for part in document["parts"]
        if part["app"] == "events"
        for section in part["sections"]
    }


@pytest.fixture
def event(society: Any, committee_trained: Any) -> Event:
    return make_event(society, actor=committee_trained, title="Ceilidh", capacity=2)


@pytest.fixture
def ticket_type(event: Event, committee_trained: Any) -> TicketType:
    return make_ticket_type(event, actor=committee_trained, price_pence=800)


@pytest.fixture
def sold_out(ticket_type: TicketType, member: Any, student: Any) -> tuple[Ticket, Ticket]:
    [mine] = buy_tickets(member, ticket_type)
    [theirs] = buy_tickets(student, ticket_type)
    return mine, theirs


@pytest.fixture
def second(db: None) -> Any:
    return make_person("Sid Second", "sid.second")


def test_the_export_holds_their_tickets_check_in_and_waiting_lists(
    event: Event, ticket_type: TicketType, sold_out: Any, member: Any, student: Any, second: Any, committee_trained: Any
) -> None:
    mine, _ = sold_out
    services.check_in(event, mine.code, actor=committee_trained)
    services.join_waiting_list(event, ticket_type, user=second)

    [ticket] = events_part(member)["Your tickets"]
    [waiting] = events_part(second)["Waiting lists"]

    mine.refresh_from_db()
    assert (ticket["event"], ticket["society"], ticket["ticket"], ticket["status"]) == (
        "Ceilidh",
        "Hiking Society",
        "Standard",
        "Valid",
    )
    assert ticket["starts"] == event.starts_at.isoformat()
    assert ticket["checked in"] == mine.checked_in_at.isoformat()
    assert (waiting["event"], waiting["status"]) == ("Ceilidh", "Waiting")
    text = json.dumps(events_part(member))
    assert student.email not in text and "Sam Student" not in text and mine.code not in text


def test_a_committee_member_sees_what_they_ran_without_the_attendees(
    event: Event, sold_out: Any, member: Any, committee_trained: Any
) -> None:
    mine, theirs = sold_out
    services.check_in(event, mine.code, actor=committee_trained)
    services.check_in(event, theirs.code, actor=committee_trained)

    part = events_part(committee_trained)

    assert [(e["event"], e["society"]) for e in part["Events you created"]] == [("Ceilidh", "Hiking Society")]
    assert [(c["event"], c["tickets"]) for c in part["Tickets you checked in"]] == [("Ceilidh", 2)]
    assert member.email not in json.dumps(part) and "Mia Member" not in json.dumps(part)


def test_erasure_deletes_waiting_list_places_and_keeps_tickets_for_attendance(
    event: Event,
    ticket_type: TicketType,
    sold_out: Any,
    member: Any,
    second: Any,
    su_staff: Any,
    committee_trained: Any,
) -> None:
    mine, _ = sold_out
    services.check_in(event, mine.code, actor=committee_trained)
    services.join_waiting_list(event, ticket_type, user=second)
    attendance_before = services.attendance(event)

    privacy.erase_account(second, actor=second)
    privacy.erase_account(member, actor=su_staff, reason="Their request")

    assert not WaitingListEntry.objects.filter(user=second).exists()
    mine.refresh_from_db()
    assert (mine.holder_id, mine.status) == (member.pk, Ticket.Status.VALID)
    assert mine.holder.display_name == f"Erased member {member.pk}"
    assert services.attendance(event) == attendance_before == (1, 2)


def test_erasing_twice_is_refused(second: Any, su_staff: Any) -> None:
    privacy.erase_account(second, actor=second)

    with pytest.raises(PrivacyError, match="already been erased"):
        privacy.erase_account(second, actor=su_staff, reason="Again")
