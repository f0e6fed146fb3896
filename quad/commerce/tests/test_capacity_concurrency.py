"""Nothing is ever oversold: 50 buyers race for the last 10 places (DESIGN.md, "Capacity").

On PostgreSQL the quota rows are locked (`SELECT … FOR UPDATE`) in the transaction that takes the
places; the control run switches the lock off and shows the race, so the test can fail. On SQLite
`select_for_update` does nothing: IMMEDIATE transactions make writers queue instead; the SQLite
runs use a real file database in a subprocess (see capacity_rush.py for why).

Both PostgreSQL runs widen the race window the same way (a 50 ms pause between the capacity check
and the order being written); only the lock differs between them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from quad.commerce import services
from quad.commerce.models import Order, Payment
from quad.commerce.tests.capacity_rush import REFUSAL, build_sale, race_window_open, rush, sold
from quad.core.tests.sqlite_file import run_scene_module
from quad.memberships.models import Membership

PLACES = 10
BUYERS = 50

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Row locks need the real PostgreSQL: run with DATABASE_URL=postgres://… (.ci/run does)",
)


# The SQLite rushes run in a subprocess on a database file of their own, whatever the suite runs on:
# once (in the SQLite pass of .ci/run) is enough.
sqlite_pass = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="The SQLite rush needs no PostgreSQL; it runs in the SQLite pass"
)


@pytest.fixture
def race_window() -> Iterator[None]:
    with race_window_open(BUYERS):
        yield


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_for_the_last_ten_places_get_exactly_ten(race_window: None) -> None:
    variant, people = build_sale(places=PLACES, buyers=BUYERS)

    outcome = rush(people)

    print(f"\nlocked: {len(outcome.paid)} paid, {len(outcome.refused)} sold out, {len(outcome.errors)} errors")
    assert outcome.errors == []
    assert len(outcome.paid) == PLACES
    assert len(outcome.refused) == BUYERS - PLACES
    assert all(REFUSAL.match(message) for message in outcome.refused), set(outcome.refused)
    assert sold(variant) == PLACES
    assert Order.objects.filter(status=Order.Status.PAID).count() == PLACES
    assert Payment.objects.count() == PLACES
    assert (
        Membership.objects.filter(membership_type__variant=variant, status=Membership.Status.ACTIVE).count() == PLACES
    )
    assert services.places_left(variant) == 0


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_without_the_quota_lock_the_same_rush_oversells(race_window: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: proves the lock is what holds the line above, not luck or timing."""
    monkeypatch.setattr(services, "LOCK_QUOTAS", False)
    variant, people = build_sale(places=PLACES, buyers=BUYERS)

    outcome = rush(people)

    oversold = sold(variant) - PLACES
    print(f"\nunlocked: {sold(variant)} sold of {PLACES} places, oversold by {oversold}")
    assert outcome.errors == []
    assert oversold > 0


def _sqlite_rush(tmp_path: Path, mode: str) -> dict[str, object]:
    return run_scene_module("quad.commerce.tests.capacity_rush", str(tmp_path / "rush.sqlite3"), mode)


@sqlite_pass
def test_on_sqlite_immediate_transactions_make_the_buyers_queue(tmp_path: Path) -> None:
    outcome = _sqlite_rush(tmp_path, "IMMEDIATE")

    assert outcome["mode"] == "IMMEDIATE"
    assert outcome["errors"] == []
    assert len(outcome["paid"]) == PLACES  # type: ignore[arg-type]
    refused = outcome["refused"]
    assert isinstance(refused, list)
    assert len(refused) == BUYERS - PLACES
    assert all(REFUSAL.match(message) for message in refused), set(refused)
    assert outcome["sold"] == PLACES


@sqlite_pass
def test_on_sqlite_deferred_transactions_fail_buyers_instead_of_queueing(tmp_path: Path) -> None:
    """The SQLite control: SQLite never lets two writers in, but without IMMEDIATE a buyer who read
    the quota and then tries to write is turned away with "database is locked" (an error page),
    where IMMEDIATE would have made them wait their turn for a clear answer."""
    outcome = _sqlite_rush(tmp_path, "DEFERRED")

    assert outcome["mode"] == "DEFERRED"
    errors = outcome["errors"]
    assert isinstance(errors, list)
    assert any("database is locked" in error for error in errors)
    sold_places = outcome["sold"]
    assert isinstance(sold_places, int)
    assert sold_places <= PLACES
