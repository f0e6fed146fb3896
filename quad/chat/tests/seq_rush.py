"""Twenty members posting at the same moment: the scene and the race, shared by
test_sequence_concurrency.py.

Each post runs in its own thread with its own database connection (closed at the end) and does what the
post view does: load the poster's membership and call `post_message`. Every thread waits at a barrier
first, so they all read the group's last sequence number together; `race_window_open` then holds each
of them for a moment between reading the number and writing it back, where a race would slip through.

Run as a module it plays the rush on a fresh *file-based* SQLite database in this process, the way the
embedded setup runs (WAL, IMMEDIATE transactions): pytest-django's SQLite test database lives in memory,
where threads cannot take SQLite's real file locks. It prints one JSON line:

    python -m quad.chat.tests.seq_rush DB_PATH [IMMEDIATE|DEFERRED]
"""

from __future__ import annotations

import datetime
import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from quad.core.tests.sqlite_file import open_file_database

SLEEP_IN_RACE_WINDOW = 0.05  # seconds between reading the group's last number and writing the next
POSTERS = 20


@dataclass
class Outcome:
    seqs: list[int] = field(default_factory=list)  # the numbers posters were given
    refused: list[str] = field(default_factory=list)  # ChatError messages
    errors: list[str] = field(default_factory=list)  # anything else that went wrong

    def as_dict(self) -> dict[str, Any]:
        return {"seqs": self.seqs, "refused": self.refused, "errors": self.errors}


def build_scene(*, posters: int = POSTERS, prefix: str = "rush") -> tuple[Any, list[int]]:
    """A union rep group and `posters` students chosen for it, each joined with the guidelines accepted.
    Returns (the group, their memberships' ids)."""
    from conftest import make_person
    from quad.chat import services
    from quad.chat.permissions import current_version

    staff = make_person(f"{prefix} staff", f"{prefix}.staff", student=False)
    staff.is_union_staff = True
    staff.save(update_fields=["is_union_staff"])
    group = services.create_group(actor=staff, name="Course reps", purpose="Reps and the union.")
    students = [make_person(f"{prefix} rep {n}", f"{prefix}.rep.{n}") for n in range(posters)]
    services.make_eligible(group, students, actor=staff)
    members = []
    for student in students:
        joined = services.join_group(student, group, token=group.invite_token)
        members.append(services.accept_guidelines(joined, version=current_version(group)).pk)
    return group, members


def post_at_once(member_ids: list[int], *, timeout: float = 60) -> Outcome:
    """Each member posts one message, all at once."""
    from django.db import connection

    from quad.chat import services
    from quad.chat.errors import ChatError
    from quad.chat.models import GroupMember

    outcome = Outcome()
    lock = threading.Lock()
    barrier = threading.Barrier(len(member_ids))

    def post(member_id: int) -> None:
        kind: str = "errors"
        detail: int | str = "did not run"
        try:
            connection.ensure_connection()  # connect before the start, so the race is the post
            member = GroupMember.objects.select_related("group", "user").get(pk=member_id)
            barrier.wait(timeout=timeout)
            message = services.post_message(member, f"Hello from {member.user.display_name}")
            kind, detail = "seqs", message.seq
        except ChatError as error:
            kind, detail = "refused", str(error)
        except Exception as error:
            kind, detail = "errors", repr(error)
        finally:
            connection.close()
        with lock:
            getattr(outcome, kind).append(detail)

    threads = [threading.Thread(target=post, args=(pk,)) for pk in member_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        outcome.errors.append(f"{stuck} posters never finished")
    return outcome


def widen_race_window() -> None:
    time.sleep(SLEEP_IN_RACE_WINDOW)


@contextmanager
def race_window_open(posters: int) -> Iterator[None]:
    """Every poster at the group's number at once, each on a connection of its own, the window held open.
    (As quad.mailings.tests.send_rush does for senders.)"""
    from django.db import connection

    from quad.chat import services

    original = services._after_seq_read
    services._after_seq_read = widen_race_window  # type: ignore[assignment]
    pool = getattr(connection, "pool", None)  # settings' psycopg pool (DB_POOL_MAX_SIZE) would queue the posters
    sizes = (pool.min_size, pool.max_size) if pool is not None else None
    if pool is not None:
        pool.resize(pool.min_size, max(pool.max_size, posters + 5))
    try:
        yield
    finally:
        services._after_seq_read = original  # type: ignore[assignment]
        if pool is not None and sizes is not None:
            pool.resize(*sizes)


def tally(group_id: int) -> dict[str, Any]:
    """What the database says the group holds."""
    from quad.chat.models import ChatGroup, Message

    return {
        "saved": list(Message.objects.filter(group_id=group_id).order_by("seq").values_list("seq", flat=True)),
        "last_seq": ChatGroup.objects.get(pk=group_id).last_seq,
    }


def main(argv: list[str]) -> None:
    path = argv[0]
    mode = argv[1] if len(argv) > 1 else "IMMEDIATE"
    open_file_database(path, transaction_mode=mode)
    from django.conf import settings
    from django.db import connection

    from quad.chat import services

    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = datetime.time(0, 0)
    # select_for_update does nothing on SQLite, so the group's row lock is moot: only the transaction
    # mode stands between the posters, with the race window held open.
    services.LOCK_GROUP_FOR_SEQ = False
    services._after_seq_read = widen_race_window

    group, member_ids = build_scene()
    connection.close()
    outcome = post_at_once(member_ids)
    result = {"mode": connection.settings_dict["OPTIONS"]["transaction_mode"]} | outcome.as_dict() | tally(group.pk)
    connection.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
