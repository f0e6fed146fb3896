"""Two people press Erase on the same account at the same moment (the student on their phone and a member
of staff answering their email): it is erased once, and the second is told it already has been.

`erase_account` locks the account's row (`SELECT … FOR UPDATE`) before reading whether it is erased. The
control switches the lock off and shows the race it closes: both run every eraser, and one ends in a
database error instead of a clear answer. Both runs widen the window the same way (an eraser registered
for the test that pauses 0.3 s); only the lock differs. On SQLite, IMMEDIATE transactions queue writers,
so there is no race to show: these run in the PostgreSQL pass.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from conftest import make_person
from quad.accounts.models import User
from quad.core import personal_data
from quad.core.personal_data import Erasure, PersonalData
from quad.privacy import services
from quad.privacy.errors import PrivacyError
from quad.privacy.models import ErasureRecord

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Row locks need the real PostgreSQL: run with DATABASE_URL=postgres://… (.ci/run does)",
)

PRESSES = 2
WINDOW = 0.3


class SlowEraser:
    """An eraser that counts how many erasures ran it and holds each one open for a moment."""

    def __init__(self) -> None:
        self.runs = 0
        self._lock = threading.Lock()

    def __call__(self, user: Any, erasure: Erasure) -> None:
        with self._lock:
            self.runs += 1
        time.sleep(WINDOW)


@pytest.fixture
def slow_eraser() -> Iterator[SlowEraser]:
    eraser = SlowEraser()
    key = ("zz-race", "Race window")
    personal_data._registry[key] = PersonalData(
        app="zz-race", title="Race window", models=(), holdings=(), export=lambda user: [], erase=eraser
    )
    try:
        yield eraser
    finally:
        del personal_data._registry[key]


def press_erase_at_once(pk: int, actors: list[Any]) -> dict[str, list[str]]:
    start = threading.Barrier(PRESSES)
    lock = threading.Lock()
    got: dict[str, list[str]] = {"erased": [], "refusals": [], "errors": []}

    def press(actor: Any) -> None:
        result: tuple[str, str]
        try:
            connection.ensure_connection()
            person = User.objects.get(pk=pk)
            start.wait(timeout=10)
            record = services.erase_account(person, actor=actor, reason="Asked by email")
            result = ("erased", str(record.pk))
        except PrivacyError as error:
            result = ("refusals", str(error))
        except Exception as error:  # reported to the test, not lost in the thread
            result = ("errors", repr(error))
        finally:
            connection.close()
        with lock:
            got[result[0]].append(result[1])

    threads = [threading.Thread(target=press, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return got


def scene() -> tuple[User, list[Any]]:
    person = make_person("Ezra Erase", "ezra.erase")
    staff = make_person("Race Staff", "race.staff", student=False)
    staff.is_union_staff = True
    staff.save(update_fields=["is_union_staff"])
    return person, [person, staff]


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_presses_at_once_erase_the_account_once(slow_eraser: SlowEraser) -> None:
    person, actors = scene()

    outcome = press_erase_at_once(person.pk, actors)

    assert outcome["errors"] == []
    assert len(outcome["erased"]) == 1
    assert outcome["refusals"] == ["This account has already been erased."]
    assert slow_eraser.runs == 1
    assert ErasureRecord.objects.filter(user_id=person.pk).count() == 1


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_without_the_account_lock_both_presses_run_the_erasers(
    slow_eraser: SlowEraser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: proves the lock is what makes the second press a clear refusal above."""
    monkeypatch.setattr(services, "LOCK_ACCOUNT", False)
    person, actors = scene()

    outcome = press_erase_at_once(person.pk, actors)

    assert slow_eraser.runs == PRESSES, "both read the account as not yet erased"
    assert outcome["refusals"] == []
    assert len(outcome["errors"]) == 1, outcome
    assert ErasureRecord.objects.filter(user_id=person.pk).count() == 1
