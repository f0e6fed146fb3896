"""The union-wide calendar: filters (society, category, dates, this week), who sees members-only
events, and a number of queries that does not grow with the number of events."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from quad.events import services
from quad.events.models import Event
from quad.events.tests.factories import in_days, make_event
from quad.societies.models import Category
from quad.societies.services import suspend_society

CALENDAR = reverse("events:calendar")


def titles(response: Any) -> list[str]:
    return [event.title for event in response.context["events"]]


@pytest.fixture
def chess(other_society: Any) -> Any:
    """Chess Club, moved to a category of its own."""
    games, _ = Category.objects.get_or_create(slug="games", defaults={"name": "Games"})
    other_society.category = games
    other_society.save(update_fields=["category"])
    return other_society


def test_the_calendar_lists_upcoming_events_in_order(client, society, committee_trained):
    make_event(society, actor=committee_trained, title="Later", starts_at=in_days(9))
    make_event(society, actor=committee_trained, title="Sooner", starts_at=in_days(2))
    make_event(society, actor=committee_trained, title="Over", starts_at=in_days(-3))
    cancelled = make_event(society, actor=committee_trained, title="Off", starts_at=in_days(4))
    services.cancel_event(cancelled, actor=committee_trained, reason="Storm.")

    response = client.get(CALENDAR)

    assert response.status_code == 200
    assert titles(response) == ["Sooner", "Later"]


def test_filter_by_society_and_by_category(client, society, committee_trained, chess, other_committee):
    make_event(society, actor=committee_trained, title="Hike")
    make_event(chess, actor=other_committee, title="Blitz")

    assert titles(client.get(CALENDAR, {"society": society.slug})) == ["Hike"]
    assert titles(client.get(CALENDAR, {"society": chess.slug})) == ["Blitz"]
    assert titles(client.get(CALENDAR, {"category": "games"})) == ["Blitz"]
    assert titles(client.get(CALENDAR, {"category": "sport-outdoors"})) == ["Hike"]
    assert titles(client.get(CALENDAR, {"category": "games", "society": society.slug})) == []
    assert titles(client.get(CALENDAR, {"society": "no-such-society"})) == []


def test_filter_by_dates(client, society, committee_trained):
    for day in (1, 5, 10, 20):
        make_event(society, actor=committee_trained, title=f"Day {day}", starts_at=in_days(day))
    start = (timezone.localdate() + datetime.timedelta(days=4)).isoformat()
    end = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()

    assert titles(client.get(CALENDAR, {"start": start, "end": end})) == ["Day 5", "Day 10"]
    assert titles(client.get(CALENDAR, {"start": start})) == ["Day 5", "Day 10", "Day 20"]
    assert titles(client.get(CALENDAR, {"end": end})) == ["Day 1", "Day 5", "Day 10"]
    # A date that is not one is ignored, not an error.
    assert titles(client.get(CALENDAR, {"start": "31/02/2026"})) == ["Day 1", "Day 5", "Day 10", "Day 20"]


def test_this_week_runs_from_today_to_sunday(client, society, committee_trained):
    today = timezone.localdate()
    for day in range(14):
        make_event(society, actor=committee_trained, title=f"Day {day}", starts_at=in_days(day, hour=12))
    sunday = 6 - today.weekday()

    response = client.get(CALENDAR, {"week": "this"})

    assert titles(response) == [f"Day {day}" for day in range(sunday + 1)]
    assert response.context["this_week"] is True


def test_members_only_events_are_listed_for_members_only(
    client, society, committee_trained, member, student, committee_untrained
):
    make_event(society, actor=committee_trained, title="Open hike")
    make_event(society, actor=committee_trained, title="Members' bothy night", visibility=Event.Visibility.MEMBERS)

    assert titles(client.get(CALENDAR)) == ["Open hike"]
    client.force_login(student)
    assert titles(client.get(CALENDAR)) == ["Open hike"]
    client.force_login(member)
    assert titles(client.get(CALENDAR)) == ["Open hike", "Members' bothy night"]


def test_a_suspended_societys_events_are_not_listed(client, society, committee_trained, su_staff):
    make_event(society, actor=committee_trained, title="Hike")
    suspend_society(society, actor=su_staff, reason="Unpaid affiliation.")

    assert titles(client.get(CALENDAR)) == []


def test_htmx_gets_just_the_results(client, society, committee_trained):
    make_event(society, actor=committee_trained, title="Hike")

    response = client.get(CALENDAR, {"society": society.slug}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "Hike" in html
    assert "<html" not in html and "<form" not in html


def test_the_mini_site_lists_the_societys_upcoming_events(client, society, committee_trained, chess, other_committee):
    make_event(society, actor=committee_trained, title="Hike")
    make_event(chess, actor=other_committee, title="Blitz")

    page = client.get(reverse("societies:mini-site", kwargs={"slug": society.slug})).content.decode()

    assert "Hike" in page
    assert "Blitz" not in page


# --- Query counts --------------------------------------------------------------------------------

# Anonymous: events, categories, societies. A member: the session, the user and their memberships too.
CALENDAR_QUERIES = {"anonymous": 3, "member": 6}


def _events(society: Any, actor: Any, count: int, *, start: int) -> None:
    for n in range(start, start + count):
        visibility = Event.Visibility.MEMBERS if n % 5 == 0 else Event.Visibility.PUBLIC
        make_event(society, actor=actor, title=f"Event {n}", starts_at=in_days(1 + n % 20), visibility=visibility)


@pytest.mark.parametrize("role", CALENDAR_QUERIES)
def test_calendar_queries_do_not_grow_with_events(
    role, client, request, society, committee_trained, chess, other_committee, django_assert_num_queries
):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    _events(society, committee_trained, 3, start=0)
    _events(chess, other_committee, 2, start=3)
    with django_assert_num_queries(CALENDAR_QUERIES[role]):
        response = client.get(CALENDAR)
    small = len(response.context["events"])

    _events(society, committee_trained, 25, start=5)
    _events(chess, other_committee, 20, start=30)
    with django_assert_num_queries(CALENDAR_QUERIES[role]):
        response = client.get(CALENDAR)

    assert (small, len(response.context["events"])) == ((4, 40) if role == "anonymous" else (5, 46))
