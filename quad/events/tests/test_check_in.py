"""Check-in at the door: every answer the scanner can give, through the service and through the
scan endpoint (JSON for the scanner's script, a partial for htmx), the live count, and two phones
scanning one ticket at the same moment.

The simultaneous scans run in threads with connections of their own: on PostgreSQL
(DATABASE_URL=postgres://…) in this process, with real commits; on SQLite in a subprocess on a
fresh *file* database, as capacity_rush.py explains. Either way the control (a naive read-then-write
check-in) shows that the race exists, so the conditional update is what wins it.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from conftest import make_person, train
from quad.core.models import AuditEvent, DataAccess
from quad.core.tests.sqlite_file import run_scene_module
from quad.events import services
from quad.events.models import Event, Ticket, TicketType
from quad.events.tests import scan_race
from quad.events.tests.factories import buy_tickets, make_event, make_ticket_type
from quad.societies.models import CommitteeTerm


@pytest.fixture
def event(society: Any, committee_trained: Any) -> Event:
    return make_event(society, actor=committee_trained, title="Quiz night", capacity=20)


@pytest.fixture
def ticket_type(event: Event, committee_trained: Any) -> TicketType:
    return make_ticket_type(event, actor=committee_trained, name="Entry", price_pence=200)


@pytest.fixture
def ticket(ticket_type: TicketType, member: Any) -> Ticket:
    [bought] = buy_tickets(member, ticket_type)
    return bought


@pytest.fixture
def door(society: Any) -> Any:
    """The Secretary: events power; trained for the door."""
    secretary = CommitteeTerm.objects.get(society=society, position__name="Secretary").user
    train(secretary)
    return secretary


def scan_url(event: Event) -> str:
    return reverse("events:scan", kwargs={"pk": event.pk})


def scan_json(client: Any, event: Event, code: str) -> dict[str, Any]:
    response = client.post(scan_url(event), {"code": code}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def scan_htmx(client: Any, event: Event, code: str) -> str:
    response = client.post(scan_url(event), {"code": code}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


# --- The answers -----------------------------------------------------------------------------------


def test_a_valid_ticket_is_admitted_once_then_already_checked_in_with_when_and_by_whom(
    event, ticket, committee_trained, door
):
    first = services.check_in(event, ticket.code, actor=committee_trained)

    assert first.outcome == "valid" and first.ok
    ticket.refresh_from_db()
    assert ticket.checked_in_by == committee_trained
    assert ticket.checked_in_at is not None
    assert abs(timezone.now() - ticket.checked_in_at) < datetime.timedelta(minutes=1)

    again = services.check_in(event, f"  {ticket.code}\n", actor=door)  # a scanner's stray whitespace

    assert again.outcome == "already" and not again.ok
    assert again.ticket is not None
    assert (again.ticket.checked_in_at, again.ticket.checked_in_by) == (ticket.checked_in_at, committee_trained)
    ticket.refresh_from_db()
    assert ticket.checked_in_by == committee_trained  # the second scan changed nothing


def test_a_ticket_for_another_event_is_the_wrong_event(event, ticket, society, committee_trained):
    other = make_event(society, actor=committee_trained, title="Pub quiz II")

    result = services.check_in(other, ticket.code, actor=committee_trained)

    assert result.outcome == "wrong_event"
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_a_cancelled_ticket_is_refused(event, ticket, committee_trained):
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.CANCELLED)

    assert services.check_in(event, ticket.code, actor=committee_trained).outcome == "cancelled"
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


@pytest.mark.parametrize(
    "code",
    [
        "",
        "   ",
        "not-a-ticket",
        "x" * 65,
        "x" * 100_000,
        "https://example.com/?q=1",
        "'; DROP TABLE events_ticket; --",
        "🎟️🎟️",
        "abc\x00def",
    ],
    ids=["empty", "blank", "unknown", "too-long", "huge", "a-url", "sql", "emoji", "nul"],
)
def test_malformed_huge_and_foreign_codes_are_not_tickets(client, event, ticket, committee_trained, code):
    client.force_login(committee_trained)

    answer = scan_json(client, event, code)

    assert answer == {"outcome": "unknown", "checked_in": 0, "valid": 1}
    assert not Ticket.objects.filter(checked_in_at__isnull=False).exists()


def test_another_societys_ticket_is_the_wrong_event(
    client, event, ticket, committee_trained, other_society, other_committee
):
    theirs = make_event(other_society, actor=other_committee, title="Chess blitz")
    their_type = make_ticket_type(theirs, actor=other_committee)
    [foreign] = buy_tickets(make_person("Fay Foreign", "fay.foreign"), their_type)
    client.force_login(committee_trained)

    answer = scan_json(client, event, foreign.code)

    assert answer == {"outcome": "wrong_event", "checked_in": 0, "valid": 1}
    foreign.refresh_from_db()
    assert foreign.checked_in_at is None


# --- The scan endpoint ---------------------------------------------------------------------------


def test_the_scanners_json_answers(client, event, ticket, ticket_type, committee_trained, door):
    buy_tickets(make_person("Nia Next", "nia.next"), ticket_type)
    client.force_login(door)

    assert scan_json(client, event, ticket.code) == {
        "outcome": "valid",
        "checked_in": 1,
        "valid": 2,
        "holder": "Mia Member",
        "ticket_type": "Entry",
    }
    client.force_login(committee_trained)
    again = scan_json(client, event, ticket.code)
    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None
    assert again == {
        "outcome": "already",
        "checked_in": 1,
        "valid": 2,
        "holder": "Mia Member",
        "ticket_type": "Entry",
        "checked_in_at": timezone.localtime(ticket.checked_in_at).isoformat(timespec="seconds"),
        "checked_in_by": door.display_name,
    }


def test_the_htmx_answers_are_unmistakable(client, event, ticket, committee_trained, door):
    client.force_login(door)

    valid = scan_htmx(client, event, ticket.code)
    assert "scan-valid" in valid and "✔ Valid" in valid and "Mia Member · Entry" in valid
    assert "<html" not in valid  # a partial, not a page
    assert "1</span> checked in of 1 ticket" in valid

    client.force_login(committee_trained)
    already = scan_htmx(client, event, ticket.code)
    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None
    at = timezone.localtime(ticket.checked_in_at).strftime("%H:%M")
    assert "scan-already" in already and "✖ Already checked in" in already
    assert f"at {at} by {door.display_name}" in already

    assert "✖ Not a ticket" in scan_htmx(client, event, "nonsense")
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.CANCELLED)
    assert "✖ Cancelled" in scan_htmx(client, event, ticket.code)


def test_a_plain_form_post_shows_the_answer_on_the_scanner_page(client, event, ticket, committee_trained):
    client.force_login(committee_trained)

    response = client.post(scan_url(event), {"code": ticket.code})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Check-in</h1>" in page
    assert "✔ Valid" in page


def test_the_wrong_event_answer_names_the_right_one(client, event, ticket, society, committee_trained):
    other = make_event(society, actor=committee_trained, title="Cheese and wine")
    client.force_login(committee_trained)

    answer = scan_htmx(client, other, ticket.code)

    assert "✖ Wrong event" in answer
    assert "This ticket is for Quiz night." in answer


def test_the_live_attendance_count(client, event, ticket, ticket_type, committee_trained):
    others = buy_tickets(make_person("Al Also", "al.also"), ticket_type, 2)
    Ticket.objects.filter(pk=others[1].pk).update(status=Ticket.Status.CANCELLED)  # not counted at all
    client.force_login(committee_trained)
    url = reverse("events:attendance", kwargs={"pk": event.pk})

    assert '<span class="stat">0</span> checked in of 2 ticket' in client.get(url).content.decode()
    services.check_in(event, ticket.code, actor=committee_trained)
    assert '<span class="stat">1</span> checked in of 2 ticket' in client.get(url).content.decode()
    services.check_in(event, others[0].code, actor=committee_trained)
    services.check_in(event, others[0].code, actor=committee_trained)  # twice counts once
    assert services.attendance(event) == (2, 2)
    scanner = client.get(reverse("events:scanner", kwargs={"pk": event.pk})).content.decode()
    assert '<span class="stat">2</span> checked in of 2 ticket' in scanner


def test_the_attendee_list_shows_who_checked_in_whom_and_is_audited(client, event, ticket, committee_trained):
    services.check_in(event, ticket.code, actor=committee_trained)
    client.force_login(committee_trained)

    page = client.get(reverse("events:attendees", kwargs={"pk": event.pk})).content.decode()

    assert "Mia Member" in page and "mia.member@" in page
    assert "by Priya President" in page
    audit = AuditEvent.objects.get(action="memberships.member_list.attendees_viewed")
    assert (audit.actor, audit.data["rows"]) == (committee_trained, 1)


def test_the_attendee_list_is_in_the_access_log_naming_each_holder_once(
    client, event, ticket, ticket_type, committee_trained, member
):
    al = make_person("Al Also", "al.also")
    buy_tickets(al, ticket_type, 2)  # two tickets, one person
    client.force_login(committee_trained)

    client.get(reverse("events:attendees", kwargs={"pk": event.pk}))

    access = DataAccess.objects.get()
    starts = timezone.localtime(event.starts_at)
    assert (access.actor, access.action, access.scope) == (
        committee_trained,
        "memberships.member_list.attendees_viewed",
        event.society.audit_scope,
    )
    assert access.what == f"Attendee list of Quiz night ({starts.day} {starts:%b %Y})"
    assert access.subject_count == 2
    assert {s.user for s in access.subjects.all()} == {member, al}
    assert AuditEvent.objects.get(action="memberships.member_list.attendees_viewed").data["rows"] == 3


# --- Two phones, one ticket, one moment --------------------------------------------------------


@pytest.fixture(scope="module")
def on_a_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("scan-race") / "quad.sqlite3"
    outcome: dict[str, Any] = run_scene_module("quad.events.tests.scan_race", str(path))
    return outcome


def play(kind: str, request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    if connection.vendor == "sqlite":
        return request.getfixturevalue("on_a_sqlite_file")[kind]
    check_in = services.check_in if kind == "conditional" else scan_race.naive_check_in
    return scan_race.rounds(check_in=check_in, tag=kind)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_scans_of_one_ticket_give_one_valid_and_one_already(request):
    played = play("conditional", request)

    assert len(played) == scan_race.ROUNDS
    for got in played:
        assert got["errors"] == []
        assert got["outcomes"] == ["already", "valid"]
        # The loser is told who won, and the ticket records the winner.
        [(loser, winner)] = got["already_by"]
        assert winner != loser
        assert got["stored_by"] == winner


@pytest.mark.django_db(transaction=True)
def test_without_the_conditional_update_both_phones_admit_the_ticket(request):
    """The control: the same scene with a read-then-write check-in lets one ticket in twice."""
    played = play("naive", request)

    assert all(got["errors"] == [] for got in played)
    assert all(got["outcomes"] == ["valid", "valid"] for got in played)
