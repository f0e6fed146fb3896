"""Twenty members post at the same moment: the messages are numbered 1 to 20, no gaps, no repeats, so a
client that reconnects catches up from the last number it saw.

On PostgreSQL, `post_message` locks the group's row (`SELECT … FOR UPDATE`) before it reads the last
number. The control run switches the lock off and shows the race it closes, so the test can fail. Both
PostgreSQL runs widen the race window the same way (a 50 ms pause between reading the number and writing
the next); only the lock differs.

On SQLite `select_for_update` does nothing: IMMEDIATE transactions make writers queue instead, so that
pass cannot race. The SQLite rushes run in a subprocess on a database file of their own (see seq_rush.py
for why).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from quad.chat import services
from quad.chat.tests.seq_rush import POSTERS, build_scene, post_at_once, race_window_open, tally
from quad.core.tests.sqlite_file import run_scene_module

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
    with race_window_open(POSTERS):
        yield


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_members_posting_at_once_get_numbers_one_to_twenty(race_window: None) -> None:
    group, members = build_scene()

    outcome = post_at_once(members)

    print(f"\nlocked: numbers {sorted(outcome.seqs)}, {outcome.refused}, {outcome.errors}")
    assert outcome.errors == []
    assert outcome.refused == []
    assert sorted(outcome.seqs) == list(range(1, POSTERS + 1))
    assert tally(group.pk) == {"saved": list(range(1, POSTERS + 1)), "last_seq": POSTERS}


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_without_the_group_lock_the_same_rush_loses_posts(race_window: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: proves the lock is what keeps the numbers whole above, not luck or timing."""
    monkeypatch.setattr(services, "LOCK_GROUP_FOR_SEQ", False)
    group, members = build_scene()

    outcome = post_at_once(members)

    print(f"\nunlocked: {len(outcome.seqs)} of {POSTERS} posted, numbers {sorted(outcome.seqs)}")
    result = tally(group.pk)
    # Posters read the same last number: the (group, seq) constraint turns the late ones away with an
    # error (a lost message, an error page), and the group's counter falls behind what was posted.
    assert outcome.errors
    assert all("one_message_per_seq" in error for error in outcome.errors), outcome.errors
    assert len(result["saved"]) < POSTERS
    assert result["saved"] == sorted(outcome.seqs)


def _sqlite_rush(tmp_path: Path, mode: str) -> dict[str, Any]:
    return run_scene_module("quad.chat.tests.seq_rush", str(tmp_path / "rush.sqlite3"), mode)  # type: ignore[no-any-return]


@sqlite_pass
def test_on_sqlite_immediate_transactions_make_the_posters_queue(tmp_path: Path) -> None:
    outcome = _sqlite_rush(tmp_path, "IMMEDIATE")

    assert outcome["mode"] == "IMMEDIATE"
    assert outcome["errors"] == []
    assert outcome["refused"] == []
    assert sorted(outcome["seqs"]) == list(range(1, POSTERS + 1))
    assert (outcome["saved"], outcome["last_seq"]) == (list(range(1, POSTERS + 1)), POSTERS)


@sqlite_pass
def test_on_sqlite_deferred_transactions_fail_posters_instead_of_queueing(tmp_path: Path) -> None:
    """The SQLite control: SQLite never lets two writers in, so the numbers never repeat, but without
    IMMEDIATE a poster who read the number and then tries to write is turned away with "database is
    locked" (a lost message), where IMMEDIATE would have made them wait their turn."""
    outcome = _sqlite_rush(tmp_path, "DEFERRED")

    assert outcome["mode"] == "DEFERRED"
    assert any("database is locked" in error for error in outcome["errors"]), outcome["errors"]
    assert len(outcome["saved"]) < POSTERS
    assert outcome["saved"] == list(range(1, len(outcome["saved"]) + 1))
