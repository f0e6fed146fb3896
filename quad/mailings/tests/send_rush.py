"""Committee members pressing Send at the same moment: the scene and the race, shared by
test_send_concurrency.py.

Each press runs in its own thread with its own database connection (closed at the end) and does what
the send view does: load the mailing and call `send_mailing`. Every thread waits at a barrier first,
so they all reach the daily cap's check together; `race_window_open` then holds each of them for a
moment between the check and the write, where a race would slip through.

Run as a module it plays both rushes on a fresh *file-based* SQLite database in this process, the way
the embedded setup runs (WAL, IMMEDIATE transactions): pytest-django's SQLite test database lives in
memory, where threads cannot take SQLite's real file locks. It prints one JSON line:

    python -m quad.mailings.tests.send_rush DB_PATH [IMMEDIATE|DEFERRED]
"""

from __future__ import annotations

import datetime
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

SLEEP_IN_RACE_WINDOW = 0.05  # seconds between the cap check and the mailing being scheduled
MEMBERS = 5

# What a committee member who lost the race is told: a clear refusal, never an error.
CAP_REFUSAL = re.compile(r"^.+ has \d+ mailings on \d+ \w+ already, the union's daily limit\.")
ALREADY = re.compile(r"^This mailing is (scheduled|sending|sent) already\.$")


@dataclass
class Outcome:
    started: list[int] = field(default_factory=list)  # mailing ids that went
    refused: list[str] = field(default_factory=list)  # MailingError messages
    errors: list[str] = field(default_factory=list)  # anything else that went wrong

    def as_dict(self) -> dict[str, Any]:
        return {"started": self.started, "refused": self.refused, "errors": self.errors}


def build_scene(*, drafts: int, prefix: str = "rush") -> tuple[Any, list[str], list[Any]]:
    """A society with MEMBERS current members (joined through the checkout, free) and `drafts` news
    drafts to all of them. Returns (its trained President, member addresses, drafts)."""
    from conftest import found_society, join, make_person, train
    from quad.core.academic import current_academic_year
    from quad.mailings import services
    from quad.memberships.services import create_membership_type

    staff = make_person(f"{prefix} staff", f"{prefix}.staff", student=False)
    staff.is_union_staff = True
    staff.save(update_fields=["is_union_staff"])
    president = make_person(f"{prefix} president", f"{prefix}.president")
    train(president)
    society = found_society(
        f"{prefix.title()} Society",
        president,
        make_person(f"{prefix} treasurer", f"{prefix}.treasurer"),
        make_person(f"{prefix} secretary", f"{prefix}.secretary"),
        staff=staff,
    )
    membership_type = create_membership_type(
        society, actor=president, year=current_academic_year(), name="Member", price_pence=0
    )
    members = [make_person(f"{prefix} member {n}", f"{prefix}.member.{n}") for n in range(MEMBERS)]
    for person in members:
        join(person, membership_type)
    made = [
        services.create_mailing(society, actor=president, subject=f"News {n}", body="Hello.") for n in range(drafts)
    ]
    return president, [person.email for person in members], made


def press_send(mailing_ids: list[int], actor: Any, *, timeout: float = 60) -> Outcome:
    """Send each mailing (an id may appear more than once: two people on one draft), all at once."""
    from django.db import connection

    from quad.mailings import services
    from quad.mailings.errors import MailingError
    from quad.mailings.models import Mailing

    outcome = Outcome()
    lock = threading.Lock()
    barrier = threading.Barrier(len(mailing_ids))

    def press(mailing_id: int) -> None:
        kind: str = "errors"
        detail: int | str = "did not run"
        try:
            connection.ensure_connection()  # connect before the start, so the race is the send
            mailing = Mailing.objects.get(pk=mailing_id)
            barrier.wait(timeout=timeout)
            sent = services.send_mailing(mailing, actor=actor)
            kind, detail = "started", sent.pk
        except MailingError as error:
            kind, detail = "refused", str(error)
        except Exception as error:
            kind, detail = "errors", repr(error)
        finally:
            connection.close()
        with lock:
            getattr(outcome, kind).append(detail)

    threads = [threading.Thread(target=press, args=(pk,)) for pk in mailing_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        outcome.errors.append(f"{stuck} senders never finished")
    return outcome


def widen_race_window() -> None:
    time.sleep(SLEEP_IN_RACE_WINDOW)


@contextmanager
def race_window_open(senders: int) -> Iterator[None]:
    """Every sender at the cap check at once, each on a connection of its own, the window held open.
    (As quad.commerce.tests.capacity_rush does for buyers.)"""
    from django.db import connection

    from quad.mailings import services

    original = services._after_cap_check
    services._after_cap_check = widen_race_window  # type: ignore[assignment]
    pool = getattr(connection, "pool", None)  # settings' psycopg pool (DB_POOL_MAX_SIZE) would queue the senders
    sizes = (pool.min_size, pool.max_size) if pool is not None else None
    if pool is not None:
        pool.resize(pool.min_size, max(pool.max_size, senders + 5))
    try:
        yield
    finally:
        services._after_cap_check = original  # type: ignore[assignment]
        if pool is not None and sizes is not None:
            pool.resize(*sizes)


def tally(mailing_ids: list[int]) -> dict[str, Any]:
    """What the database and the outbox say happened to these mailings."""
    from django.core import mail

    from quad.core.models import AuditEvent
    from quad.mailings.models import Delivery, Mailing

    ids = [str(pk) for pk in mailing_ids]
    return {
        "statuses": sorted(Mailing.objects.filter(pk__in=mailing_ids).values_list("status", flat=True)),
        "deliveries": Delivery.objects.filter(mailing_id__in=mailing_ids).count(),
        "started_records": AuditEvent.objects.filter(action="mailings.mailing.started", target_id__in=ids).count(),
        "emails": sorted(message.to[0] for message in getattr(mail, "outbox", [])),
    }


def main(argv: list[str]) -> None:
    path = argv[0]
    mode = argv[1] if len(argv) > 1 else "IMMEDIATE"
    open_file_database(path, transaction_mode=mode)
    from django.conf import settings
    from django.core import mail
    from django.db import connection

    from quad.mailings import services

    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = datetime.time(0, 0)
    settings.MAILINGS_DAILY_CAP = 1
    mail.outbox = []
    # select_for_update does nothing on SQLite, so the society's row lock is moot: only the
    # transaction mode stands between the senders, with the race window held open.
    services.LOCK_SOCIETY_FOR_CAP = False
    services._after_cap_check = widen_race_window

    president, same_members, [draft] = build_scene(drafts=1, prefix="same")
    connection.close()
    mail.outbox = []  # the welcome emails and receipts of joining
    same = press_send([draft.pk] * 10, president)
    same_tally = tally([draft.pk])

    president, cap_members, drafts = build_scene(drafts=5, prefix="cap")
    connection.close()
    mail.outbox = []
    capped = press_send([d.pk for d in drafts], president)
    capped_tally = tally([d.pk for d in drafts])

    result = {
        "mode": connection.settings_dict["OPTIONS"]["transaction_mode"],
        "same_draft": same.as_dict() | same_tally | {"members": same_members},
        "cap": capped.as_dict() | capped_tally | {"members": cap_members},
    }
    connection.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
