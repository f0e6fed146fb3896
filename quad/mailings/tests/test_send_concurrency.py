"""Pressing Send at the same moment: a mailing starts once, and a society's daily cap holds.

On PostgreSQL, `send_mailing` locks the society's row (`SELECT … FOR UPDATE`) before it checks the
cap, and the mailing's row before it checks the mailing is still a draft. The control run switches the
society lock off and shows the race it closes, so the test can fail. Every PostgreSQL run widens the
race window the same way (a 50 ms pause between the cap check and the write); only the lock differs.

On SQLite `select_for_update` does nothing: IMMEDIATE transactions make writers queue instead, so
that pass cannot race. The SQLite rushes run in a subprocess on a database file of their own (see
send_rush.py for why), with the society lock off.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from quad.core.tests.sqlite_file import run_scene_module
from quad.mailings import services
from quad.mailings.tests.send_rush import ALREADY, CAP_REFUSAL, build_scene, press_send, race_window_open, tally

SENDERS = 10
DRAFTS = 5

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Row locks need the real PostgreSQL: run with DATABASE_URL=postgres://… (.ci/run does); "
    "the SQLite pass plays the rush on a SQLite file below",
)
sqlite_pass = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="The SQLite rush needs no PostgreSQL; it runs in the SQLite pass"
)


@pytest.fixture
def race_window() -> Iterator[None]:
    with race_window_open(SENDERS):
        yield


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_ten_presses_of_send_on_one_draft_send_it_once(race_window: None, mailoutbox: list[Any]) -> None:
    president, members, [draft] = build_scene(drafts=1)
    mailoutbox.clear()  # the welcome emails and receipts of joining

    outcome = press_send([draft.pk] * SENDERS, president)

    print(f"\none draft: {len(outcome.started)} started, {len(outcome.refused)} refused, {outcome.errors}")
    assert outcome.errors == []
    assert outcome.started == [draft.pk]
    assert len(outcome.refused) == SENDERS - 1
    assert all(ALREADY.match(message) for message in outcome.refused), set(outcome.refused)
    result = tally([draft.pk])
    assert result["statuses"] == ["sent"]
    assert result["started_records"] == 1
    assert result["deliveries"] == len(members)
    assert result["emails"] == sorted(members)  # each member one email


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_five_drafts_sent_at_once_with_a_cap_of_one_send_exactly_one(
    race_window: None, settings: Any, mailoutbox: list[Any]
) -> None:
    settings.MAILINGS_DAILY_CAP = 1
    president, members, drafts = build_scene(drafts=DRAFTS)
    mailoutbox.clear()

    outcome = press_send([draft.pk for draft in drafts], president)

    print(f"\nlocked: {len(outcome.started)} started, {len(outcome.refused)} refused, {outcome.errors}")
    assert outcome.errors == []
    assert len(outcome.started) == 1
    assert len(outcome.refused) == DRAFTS - 1
    assert all(CAP_REFUSAL.match(message) for message in outcome.refused), set(outcome.refused)
    result = tally([draft.pk for draft in drafts])
    assert result["statuses"] == ["draft"] * (DRAFTS - 1) + ["sent"]
    assert result["deliveries"] == len(members)
    assert result["emails"] == sorted(members)


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_without_the_society_lock_the_same_rush_breaks_the_cap(
    race_window: None, settings: Any, monkeypatch: pytest.MonkeyPatch, mailoutbox: list[Any]
) -> None:
    """The control: proves the lock is what holds the cap above, not luck or timing."""
    monkeypatch.setattr(services, "LOCK_SOCIETY_FOR_CAP", False)
    settings.MAILINGS_DAILY_CAP = 1
    president, members, drafts = build_scene(drafts=DRAFTS)

    outcome = press_send([draft.pk for draft in drafts], president)

    print(f"\nunlocked: {len(outcome.started)} of {DRAFTS} started with a cap of 1")
    assert outcome.errors == []
    assert len(outcome.started) > 1
    result = tally([draft.pk for draft in drafts])
    assert len([status for status in result["statuses"] if status != "draft"]) == len(outcome.started)
    assert result["deliveries"] == len(outcome.started) * len(members)  # members got more than the cap allows


def _sqlite_rush(tmp_path: Path, mode: str) -> dict[str, Any]:
    return run_scene_module("quad.mailings.tests.send_rush", str(tmp_path / "rush.sqlite3"), mode)  # type: ignore[no-any-return]


@sqlite_pass
def test_on_sqlite_immediate_transactions_make_the_senders_queue(tmp_path: Path) -> None:
    outcome = _sqlite_rush(tmp_path, "IMMEDIATE")

    assert outcome["mode"] == "IMMEDIATE"
    same = outcome["same_draft"]
    assert same["errors"] == []
    assert len(same["started"]) == 1
    assert len(same["refused"]) == SENDERS - 1
    assert all(ALREADY.match(message) for message in same["refused"]), set(same["refused"])
    assert (same["statuses"], same["started_records"]) == (["sent"], 1)
    assert same["deliveries"] == len(same["members"])
    assert same["emails"] == sorted(same["members"])

    cap = outcome["cap"]
    assert cap["errors"] == []
    assert len(cap["started"]) == 1
    assert len(cap["refused"]) == DRAFTS - 1
    assert all(CAP_REFUSAL.match(message) for message in cap["refused"]), set(cap["refused"])
    assert cap["statuses"] == ["draft"] * (DRAFTS - 1) + ["sent"]
    assert cap["emails"] == sorted(cap["members"])


@sqlite_pass
def test_on_sqlite_deferred_transactions_fail_senders_instead_of_queueing(tmp_path: Path) -> None:
    """The SQLite control: SQLite never lets two writers in, but without IMMEDIATE a sender who read
    and then tries to write is turned away with "database is locked" (an error page), where
    IMMEDIATE would have made them wait their turn for a clear answer."""
    outcome = _sqlite_rush(tmp_path, "DEFERRED")

    assert outcome["mode"] == "DEFERRED"
    errors = outcome["same_draft"]["errors"] + outcome["cap"]["errors"]
    assert any("database is locked" in error for error in errors), errors
    assert len(outcome["same_draft"]["started"]) <= 1
    assert len(outcome["cap"]["started"]) <= 1
