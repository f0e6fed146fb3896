"""iCal feeds: a society's public events for anyone, and a student's own tickets behind a signed link.

Each feed is parsed with icalendar, as a calendar app would read it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import signing
from django.urls import reverse
from icalendar import Calendar

from quad.events.models import Event, TicketType
from quad.events.tests.factories import buy_tickets, make_event, make_ticket_type
from quad.events.views import feed_token, my_feed_url

LINK = "https://meet.example.org/quiz"


def parse(response: Any) -> dict[str, Any]:
    """The feed's events by title."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return {str(entry["SUMMARY"]): entry for entry in calendar.walk("VEVENT")}


def society_feed(society: Any) -> str:
    return reverse("events:society-feed", kwargs={"slug": society.slug})


def my_feed(user: Any) -> str:
    return reverse("events:my-feed", kwargs={"token": feed_token(user.pk)})


@pytest.fixture
def events(society: Any, committee_trained: Any) -> dict[str, Event]:
    return {
        "walk": make_event(society, actor=committee_trained, title="Moonlight walk", description="Bring a torch."),
        "quiz": make_event(
            society, actor=committee_trained, title="Online quiz", venue="", online_url=LINK, description="Teams of 4."
        ),
        "members": make_event(
            society, actor=committee_trained, title="Members' dinner", visibility=Event.Visibility.MEMBERS
        ),
    }


@pytest.fixture
def quiz_tickets(events: dict[str, Event], committee_trained: Any) -> TicketType:
    return make_ticket_type(events["quiz"], actor=committee_trained, price_pence=0)


def test_the_society_feed_is_valid_ical_with_its_public_events(client, society, events):
    feed = parse(client.get(society_feed(society)))

    assert set(feed) == {"Moonlight walk", "Online quiz"}
    walk = feed["Moonlight walk"]
    event = events["walk"]
    assert walk.decoded("DTSTART") == event.starts_at
    assert walk.decoded("DTEND") == event.ends_at
    assert str(walk["LOCATION"]) == event.venue
    assert str(walk["UID"]) == f"event-{event.pk}@union.example.ac.uk"
    assert str(walk["URL"]).endswith(event.get_absolute_url())
    assert str(walk["DESCRIPTION"]) == "Bring a torch."
    assert str(feed["Online quiz"]["LOCATION"]) == "Online"


def test_public_feeds_never_carry_members_only_events_or_online_links(client, society, events, member):
    client.force_login(member)  # even a member's own view of the public feed

    feed = parse(client.get(society_feed(society)))
    raw = client.get(society_feed(society)).content.decode()

    assert "Members' dinner" not in feed
    assert LINK not in raw


def test_the_personal_feed_carries_my_events_with_their_online_links(
    client, events, quiz_tickets, committee_trained, member, student
):
    members_type = make_ticket_type(events["members"], actor=committee_trained, price_pence=0)
    buy_tickets(member, quiz_tickets)
    buy_tickets(member, members_type)
    buy_tickets(student, quiz_tickets)

    feed = parse(client.get(my_feed(member)))  # no sign-in: calendar apps cannot

    assert set(feed) == {"Online quiz", "Members' dinner"}  # my tickets' events, members-only too
    assert str(feed["Online quiz"]["DESCRIPTION"]) == f"Teams of 4.\n\nJoin online: {LINK}"
    assert "Moonlight walk" not in feed


def test_the_account_page_link_is_the_personal_feed(client, quiz_tickets, member):
    buy_tickets(member, quiz_tickets)

    url = my_feed_url(member.pk)

    assert url.startswith("http")
    path = url[url.index("/events/") :]
    assert set(parse(client.get(path))) == {"Online quiz"}


def test_a_tampered_or_foreign_token_is_not_found(client, quiz_tickets, member, student):
    buy_tickets(member, quiz_tickets)
    token = feed_token(member.pk)
    value, _, signature = token.rpartition(":")
    forged_for_member = f"{feed_token(student.pk).rpartition(':')[0]}:{signature}"
    other_salt = signing.dumps(member.pk)  # signed, but not for feeds

    for bad in (f"{value}:{signature[:-1]}x", forged_for_member, str(member.pk), "nonsense", other_salt):
        response = client.get(reverse("events:my-feed", kwargs={"token": bad}))
        assert response.status_code == 404, bad


def test_cancelled_tickets_leave_the_personal_feed(client, quiz_tickets, member):
    [ticket] = buy_tickets(member, quiz_tickets)
    ticket.status = ticket.Status.CANCELLED
    ticket.save(update_fields=["status"])

    assert parse(client.get(my_feed(member))) == {}


def test_a_feed_of_an_unknown_society_is_not_found(client, db):
    assert client.get(reverse("events:society-feed", kwargs={"slug": "no-such-society"})).status_code == 404
