"""Merch is never oversold: 50 students race for the last 10 hoodies of one size.

Each size's stock is a Quota of its own, taken in the same locked transaction as every other sale
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
from quad.shop.models import Collection
from quad.shop.tests.factories import make_item, size

STOCK = 10
BUYERS = 50

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Row locks need the real PostgreSQL: run with DATABASE_URL=postgres://… (.ci/run does)",
)


@pytest.fixture
def race_window() -> Iterator[None]:
    with race_window_open(BUYERS):
        yield


def hoodies_on_sale() -> tuple[Any, Any, list[Any]]:
    """STOCK medium hoodies (and plenty of small ones), and BUYERS students each with a medium in their basket."""
    staff = make_person("Merch Staff", "merch.staff", student=False)
    staff.is_union_staff = True
    staff.save(update_fields=["is_union_staff"])
    president = make_person("Merch President", "merch.president")
    train(president)
    society = found_society(
        "Merch Society",
        president,
        make_person("Merch Treasurer", "merch.treasurer"),
        make_person("Merch Secretary", "merch.secretary"),
        staff=staff,
    )
    item = make_item(society, actor=president, variants=[("S", 2000, 100), ("M", 2000, STOCK)])
    medium, small = size(item, "M").variant, size(item, "S").variant
    people = [make_person(f"Wearer {n}", f"wearer{n}") for n in range(BUYERS)]
    for person in people:
        commerce.add_to_basket(person, medium)
    return medium, small, people


@pytest.mark.django_db(transaction=True)
def test_fifty_students_for_the_last_ten_hoodies_get_exactly_ten(race_window: None) -> None:
    medium, small, people = hoodies_on_sale()

    outcome = rush(people)

    print(f"\nlocked: {len(outcome.paid)} paid, {len(outcome.refused)} refused, {len(outcome.errors)} errors")
    assert outcome.errors == []
    assert len(outcome.paid) == STOCK
    assert len(outcome.refused) == BUYERS - STOCK
    assert all(REFUSAL.match(message) for message in outcome.refused), set(outcome.refused)
    assert sold(medium) == STOCK
    assert Collection.objects.filter(order_line__variant=medium).count() == STOCK
    assert commerce.places_left(medium) == 0
    assert commerce.places_left(small) == 100  # stock is per size


@pytest.mark.django_db(transaction=True)
def test_without_the_quota_lock_the_same_rush_oversells_stock(
    race_window: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: proves the lock is what holds the line above, not luck or timing."""
    monkeypatch.setattr(commerce, "LOCK_QUOTAS", False)
    medium, _small, people = hoodies_on_sale()

    outcome = rush(people)

    oversold = sold(medium) - STOCK
    print(f"\nunlocked: {sold(medium)} hoodies sold of {STOCK} in stock, oversold by {oversold}")
    assert outcome.errors == []
    assert oversold > 0
