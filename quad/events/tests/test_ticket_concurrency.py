"""Tickets are never oversold: 50 students race for the last 10 places of an event.

The places are the event's Quota, taken in the same locked transaction as every other sale
(quad/commerce/tests/test_capacity_concurrency.py has the reasoning, and the SQLite runs). On
PostgreSQL the quota rows are locked; the control run switches the lock off, with the same race
window held open, and shows the same rush oversell, so the test can fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from conftest import found_society, make_person, train
from quad.commerce import services as commerce
from quad.commerce.tests.capacity_rush import REFUSAL, race_window_open, rush, sold
from quad.events import services
from quad.events.models import Ticket
from quad.events.tests.factories import in_days

PLACES = 10
BUYERS = 50

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Row locks need the real PostgreSQL: run with DATABASE_URL=postgres://… (.ci/run does)",
)


@pytest.fixture
def race_window() -> Iterator[None]:
    with race_window_open(BUYERS):
        yield


def ball_on_sale() -> tuple[Any, list[Any]]:
    """An event with PLACES places, and BUYERS students each with a ticket in their basket."""
    staff = make_person("Ball Staff", "ball.staff", student=False)
    staff.is_union_staff = True
    staff.save(update_fields=["is_union_staff"])
    president = make_person("Ball President", "ball.president")
    train(president)
    society = found_society(
        "Ball Society",
        president,
        make_person("Ball Treasurer", "ball.treasurer"),
        make_person("Ball Secretary", "ball.secretary"),
        staff=staff,
    )
    starts = in_days(30)
    event = services.create_event(
        society,
        actor=president,
        title="Winter ball",
        starts_at=starts,
        ends_at=starts.replace(hour=23),
        capacity=PLACES,
        venue="The Great Hall",
    )
    ticket_type = services.add_ticket_type(event, actor=president, name="Dinner and dance", price_pence=4500)
    people = [make_person(f"Dancer {n}", f"dancer{n}") for n in range(BUYERS)]
    for person in people:
        commerce.add_to_basket(person, ticket_type.variant)
    return ticket_type.variant, people


@pytest.mark.django_db(transaction=True)
def test_fifty_students_for_the_last_ten_tickets_get_exactly_ten(race_window: None) -> None:
    variant, people = ball_on_sale()

    outcome = rush(people)

    print(f"\nlocked: {len(outcome.paid)} paid, {len(outcome.refused)} refused, {len(outcome.errors)} errors")
    assert outcome.errors == []
    assert len(outcome.paid) == PLACES
    assert len(outcome.refused) == BUYERS - PLACES
    assert all(REFUSAL.match(message) for message in outcome.refused), set(outcome.refused)
    assert sold(variant) == PLACES
    assert Ticket.objects.filter(ticket_type__variant=variant, status=Ticket.Status.VALID).count() == PLACES
    assert commerce.places_left(variant) == 0


@pytest.mark.django_db(transaction=True)
def test_without_the_quota_lock_the_same_rush_oversells_tickets(
    race_window: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: proves the lock is what holds the line above, not luck or timing."""
    monkeypatch.setattr(commerce, "LOCK_QUOTAS", False)
    variant, people = ball_on_sale()

    outcome = rush(people)

    oversold = sold(variant) - PLACES
    print(f"\nunlocked: {sold(variant)} tickets sold of {PLACES} places, oversold by {oversold}")
    assert outcome.errors == []
    assert oversold > 0
    assert Ticket.objects.filter(ticket_type__variant=variant).count() > PLACES
