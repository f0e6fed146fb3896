"""A rush of buyers for the last places of a membership: the scene and the race, shared by
test_capacity_concurrency.py.

Each buyer runs in its own thread with its own database connection (closed at the end) and does
what the checkout does: `place_order` from their basket, then `confirm_payment` through the test
provider. Every thread waits at a barrier first, so they all reach the quota together.

Run as a module it plays the rush on a fresh *file-based* SQLite database in this process, the way
the embedded setup runs (WAL, IMMEDIATE transactions): pytest-django's SQLite test database lives in
memory, where threads cannot take SQLite's real file locks. It prints one JSON line:

    python -m quad.commerce.tests.capacity_rush DB_PATH [IMMEDIATE|DEFERRED] [BUYERS] [PLACES]
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from quad.core.tests.sqlite_file import open_file_database

SLEEP_IN_RACE_WINDOW = 0.05  # seconds between the capacity check and the order being written


@dataclass
class Outcome:
    paid: list[str] = field(default_factory=list)  # order references
    refused: list[str] = field(default_factory=list)  # OrderError messages
    errors: list[str] = field(default_factory=list)  # anything else that went wrong

    def as_dict(self) -> dict[str, Any]:
        return {"paid": self.paid, "refused": self.refused, "errors": self.errors}


def build_sale(*, places: int, buyers: int) -> tuple[Any, list[Any]]:
    """A society selling `places` memberships, and `buyers` students each with one in their basket."""
    from conftest import found_society, make_person, train
    from quad.commerce import services
    from quad.core.academic import current_academic_year
    from quad.memberships.services import create_membership_type

    staff = make_person("Rush Staff", "rush.staff", student=False)
    staff.is_union_staff = True
    staff.save(update_fields=["is_union_staff"])
    president = make_person("Rush President", "rush.president")
    train(president)
    society = found_society(
        "Rush Society",
        president,
        make_person("Rush Treasurer", "rush.treasurer"),
        make_person("Rush Secretary", "rush.secretary"),
        staff=staff,
    )
    membership_type = create_membership_type(
        society, actor=president, year=current_academic_year(), name="Full member", price_pence=500, limit=places
    )
    people = [make_person(f"Buyer {n}", f"buyer{n}") for n in range(buyers)]
    for person in people:
        services.add_to_basket(person, membership_type.variant)
    return membership_type.variant, people


def rush(people: list[Any], *, timeout: float = 60) -> Outcome:
    """Every person checks out their basket and pays, all at once; returns what each got."""
    from django.db import connection

    from quad.commerce import services
    from quad.commerce.errors import OrderError

    outcome = Outcome()
    lock = threading.Lock()
    barrier = threading.Barrier(len(people))

    def buy(person: Any) -> None:
        kind, detail = "errors", "did not run"
        try:
            connection.ensure_connection()  # connect before the start, so the race is the checkout
            barrier.wait(timeout=timeout)
            order, _ = services.place_order(person)
            services.confirm_payment(
                order, provider="test", payment_id=f"test-{order.reference}", amount_pence=order.total_pence
            )
            order.refresh_from_db()
            if order.status == order.Status.PAID:
                kind, detail = "paid", order.reference
            else:
                kind, detail = "errors", f"{order.reference} ended {order.status}"
        except OrderError as error:
            kind, detail = "refused", str(error)
        except Exception as error:
            kind, detail = "errors", repr(error)
        finally:
            connection.close()
        with lock:
            getattr(outcome, kind).append(detail)

    threads = [threading.Thread(target=buy, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        outcome.errors.append(f"{stuck} buyers never finished")
    return outcome


def sold(variant: Any) -> int:
    """Places taken by paid orders, counted in the database."""
    from django.db.models import Sum

    from quad.commerce.models import Order, OrderLine

    taken = OrderLine.objects.filter(variant=variant, order__status=Order.Status.PAID).aggregate(n=Sum("quantity"))
    return int(taken["n"] or 0)


def widen_race_window() -> None:
    time.sleep(SLEEP_IN_RACE_WINDOW)


# What a turned-away buyer is told: a clear refusal, never an error.
REFUSAL = re.compile(r"^(Sold out: |Only \d+ left for )")


@contextmanager
def race_window_open(buyers: int) -> Iterator[None]:
    """Every buyer at the quota at once, each on a connection of its own, and the race window held open.

    Shared by the membership, ticket and stock rushes (tests on PostgreSQL).
    """
    from django.db import connection

    from quad.commerce import services

    original = services._after_capacity_check
    services._after_capacity_check = widen_race_window  # type: ignore[assignment]
    pool = getattr(connection, "pool", None)  # settings' psycopg pool (DB_POOL_MAX_SIZE) would queue the buyers
    sizes = (pool.min_size, pool.max_size) if pool is not None else None
    if pool is not None:
        pool.resize(pool.min_size, max(pool.max_size, buyers + 5))
    try:
        yield
    finally:
        services._after_capacity_check = original  # type: ignore[assignment]
        if pool is not None and sizes is not None:
            pool.resize(*sizes)


def main(argv: list[str]) -> None:
    path = argv[0]
    mode = argv[1] if len(argv) > 1 else "IMMEDIATE"
    buyers = int(argv[2]) if len(argv) > 2 else 50
    places = int(argv[3]) if len(argv) > 3 else 10
    open_file_database(path, transaction_mode=mode)
    from django.db import connection

    from quad.commerce import services

    variant, people = build_sale(places=places, buyers=buyers)
    connection.close()
    # select_for_update does nothing on SQLite, so LOCK_QUOTAS is moot: only the transaction mode
    # stands between the buyers, with the race window held open.
    services._after_capacity_check = widen_race_window
    outcome = rush(people)
    result = outcome.as_dict()
    result.update(mode=connection.settings_dict["OPTIONS"]["transaction_mode"], sold=sold(variant), places=places)
    connection.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
