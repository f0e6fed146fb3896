"""Two members of staff decide the same rep group invite request at the same moment, one approving and one
declining: exactly one decision stands, is recorded and is told to the rep; the other is told it was
already decided. The control switches the row lock off and shows the race it closes: both decisions are
made, recorded and told. Both runs widen the window the same way (a pause after the decision is saved,
inside its transaction); only the lock differs. On SQLite, IMMEDIATE transactions queue writers, so
there is no race to show: these run in the PostgreSQL pass.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.models.signals import post_save

from conftest import make_person
from quad.chat import invite_requests
from quad.chat import services as chat_services
from quad.chat.errors import ChatError
from quad.chat.models import InviteRequest
from quad.chat.permissions import current_version
from quad.core.models import AuditEvent

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Row locks need the real PostgreSQL: run with DATABASE_URL=postgres://… (.ci/run does)",
)

WINDOW = 0.3


def hold_open(sender: Any, **kwargs: Any) -> None:
    time.sleep(WINDOW)


@pytest.fixture
def slow_decisions() -> Iterator[None]:
    post_save.connect(hold_open, sender=InviteRequest, dispatch_uid="race.hold_open")
    try:
        yield
    finally:
        post_save.disconnect(dispatch_uid="race.hold_open", sender=InviteRequest)


def scene() -> tuple[InviteRequest, list[Any]]:
    staff = []
    for local in ("race.staff.a", "race.staff.b"):
        person = make_person("Race Staff", local, student=False)
        person.is_union_staff = True
        person.save(update_fields=["is_union_staff"])
        staff.append(person)
    rep = make_person("Rae Rep", "rae.rep")
    make_person("Noor New", "noor.new")
    group = chat_services.create_group(actor=staff[0], name="Course reps", purpose="Reps and the union.")
    chat_services.make_eligible(group, [rep], actor=staff[0])
    member = chat_services.join_group(rep, group, token=group.invite_token)
    chat_services.accept_guidelines(member, version=current_version(group))
    chat_services.set_role(member, actor=staff[0], moderator=True)
    request = invite_requests.request_invites(group, actor=rep, emails=["noor.new@student.example.ac.uk"])
    return request, staff


def decide_at_once(pk: int, staff: list[Any]) -> dict[str, list[str]]:
    start = threading.Barrier(len(staff))
    lock = threading.Lock()
    got: dict[str, list[str]] = {"decided": [], "refusals": [], "errors": []}

    def decide(actor: Any, approving: bool) -> None:
        result: tuple[str, str]
        try:
            connection.ensure_connection()
            request = InviteRequest.objects.get(pk=pk)
            start.wait(timeout=10)
            if approving:
                invite_requests.approve(request, actor=actor)
                result = ("decided", "approved")
            else:
                invite_requests.decline(request, actor=actor, reason="Ask again next term.")
                result = ("decided", "declined")
        except ChatError as error:
            result = ("refusals", str(error))
        except Exception as error:  # reported to the test, not lost in the thread
            result = ("errors", repr(error))
        finally:
            connection.close()
        with lock:
            got[result[0]].append(result[1])

    threads = [threading.Thread(target=decide, args=(actor, n == 0)) for n, actor in enumerate(staff)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return got


def decisions_recorded(pk: int) -> int:
    return AuditEvent.objects.filter(
        action__in=["chat.invite_request.approved", "chat.invite_request.declined"], target_id=str(pk)
    ).count()


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_approve_and_decline_at_once_leave_one_decision(slow_decisions: None) -> None:
    request, staff = scene()

    outcome = decide_at_once(request.pk, staff)

    assert outcome["errors"] == []
    assert len(outcome["decided"]) == 1 and len(outcome["refusals"]) == 1
    assert outcome["refusals"][0].startswith("This request has already been")
    request.refresh_from_db()
    assert request.status == outcome["decided"][0]
    assert decisions_recorded(request.pk) == 1


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_without_the_row_lock_both_decisions_are_made(slow_decisions: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: proves the lock is what turns the second decision away above."""
    monkeypatch.setattr(invite_requests, "LOCK_REQUESTS", False)
    request, staff = scene()

    outcome = decide_at_once(request.pk, staff)

    assert outcome["errors"] == [] and outcome["refusals"] == []
    assert sorted(outcome["decided"]) == ["approved", "declined"]
    assert decisions_recorded(request.pk) == 2, "the rep is told twice, once each way"
