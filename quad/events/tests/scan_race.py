"""Two phones scan one ticket at the same moment: the scene, shared by test_check_in.py.

Each phone is a thread with its own database connection (closed at the end). Both read the ticket,
then wait for each other before writing (the check-in's clock is the meeting point), so every round
is the worst interleaving rather than a lucky one. `naive_check_in` is the control: read, then
write, with no condition on the write; it shows that the race is real, so the test can fail.

Run as a module it plays the rounds on a fresh *file-based* SQLite database, the way the embedded
setup runs (WAL, IMMEDIATE transactions): pytest-django's SQLite test database lives in memory,
where threads cannot take SQLite's real file locks. It prints one JSON line:

    python -m quad.events.tests.scan_race DB_PATH
"""

from __future__ import annotations

import datetime
import json
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from quad.core.tests.sqlite_file import open_file_database

ROUNDS = 5
TIMEOUT = 30  # seconds

CheckIn = Callable[..., Any]


def build_tickets(*, count: int = ROUNDS, tag: str = "race") -> tuple[Any, list[Any], list[Any]]:
    """An event with `count` paid tickets, and the two committee members at its door."""
    from conftest import found_society, make_person, train
    from quad.commerce.tests.factories import pay, place
    from quad.events import services

    staff = make_person("Door Staff", f"{tag}.staff", student=False)
    staff.is_union_staff = True
    staff.save(update_fields=["is_union_staff"])
    president = make_person("Pat Door", f"{tag}.president")
    secretary = make_person("Sol Door", f"{tag}.secretary")
    train(president)
    train(secretary)
    society = found_society(
        f"Door Society {tag}", president, make_person("Tess Door", f"{tag}.treasurer"), secretary, staff=staff
    )
    starts = datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0) + datetime.timedelta(days=1)
    event = services.create_event(
        society,
        actor=president,
        title="Door race",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        capacity=count,
        venue="The hall",
    )
    ticket_type = services.add_ticket_type(event, actor=president, name="Standard", price_pence=300)
    tickets: list[Any] = []
    for n in range(count):
        order = place(make_person(f"Guest {n}", f"{tag}.guest{n}"), (ticket_type.variant, 1))
        pay(order)
        tickets.extend(order.lines.get().tickets.all())
    return event, tickets, [president, secretary]


@contextmanager
def both_read_first(phones: int) -> Iterator[None]:
    """Until the block ends, the check-in's clock makes each phone wait for the others: every phone
    has read the ticket before any writes."""
    from django.utils import timezone

    from quad.events import services

    meet = threading.Barrier(phones)

    class Clock:
        def __getattr__(self, name: str) -> Any:
            return getattr(timezone, name)

        def now(self) -> datetime.datetime:
            meet.wait(timeout=TIMEOUT)
            return timezone.now()

    real = services.timezone
    services.timezone = Clock()  # type: ignore[assignment]
    try:
        yield
    finally:
        services.timezone = real


def naive_check_in(event: Any, code: str, *, actor: Any) -> Any:
    """The control: what check_in would be without its conditional update."""
    from quad.events import services
    from quad.events.models import Ticket

    ticket = Ticket.objects.get(code=code, event=event)
    if ticket.checked_in_at is not None:
        return services.ScanResult("already", ticket)
    ticket.checked_in_at = services.timezone.now()
    ticket.checked_in_by = actor
    ticket.save(update_fields=["checked_in_at", "checked_in_by"])
    return services.ScanResult("valid", ticket)


def scan_at_once(event: Any, code: str, doors: list[Any], *, check_in: CheckIn) -> dict[str, Any]:
    """Each door scans `code` in its own thread, all at once; what each was told."""
    from django.db import connection

    start = threading.Barrier(len(doors))
    lock = threading.Lock()
    got: dict[str, Any] = {"outcomes": [], "already_by": [], "errors": []}

    def scan(door: Any) -> None:
        try:
            connection.ensure_connection()  # connect before the start, so the race is the scan
            start.wait(timeout=TIMEOUT)
            result = check_in(event, code, actor=door)
            by = result.ticket.checked_in_by.display_name if result.outcome == "already" else None
            with lock:
                got["outcomes"].append(result.outcome)
                if by is not None:
                    got["already_by"].append((door.display_name, by))
        except Exception as error:  # reported to the test, not lost in the thread
            with lock:
                got["errors"].append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=scan, args=(door,)) for door in doors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT * 2)
    got["outcomes"].sort()
    return got


def rounds(*, check_in: CheckIn, tag: str) -> list[dict[str, Any]]:
    """One fresh ticket per round, scanned by both doors at once."""
    from quad.events.models import Ticket

    event, tickets, doors = build_tickets(tag=tag)
    played = []
    for ticket in tickets:
        with both_read_first(len(doors)):
            got = scan_at_once(event, ticket.code, doors, check_in=check_in)
        stored = Ticket.objects.select_related("checked_in_by").get(pk=ticket.pk)
        got["stored_by"] = stored.checked_in_by.display_name if stored.checked_in_by else None
        played.append(got)
    return played


def main(argv: list[str]) -> None:
    open_file_database(argv[0])
    from django.db import connection

    from quad.events import services

    outcome = {
        "conditional": rounds(check_in=services.check_in, tag="cond"),
        "naive": rounds(check_in=naive_check_in, tag="naive"),
    }
    connection.close()
    print(json.dumps(outcome))


if __name__ == "__main__":
    main(sys.argv[1:])
