"""One voter submits their ballot from two tabs at once: exactly one ballot is stored, and the other tab
is told the vote was already cast. The control shows what does it: without VoteRecord's unique
constraint (dropped for the scene), the same two submissions store two ballots.

On PostgreSQL (DATABASE_URL=postgres://…) the scenes run in this process against the test database,
with real connections and commits (transactional_db); the control drops the constraint and puts it
back. On SQLite they run in a subprocess on a fresh *file* database, the way the embedded setup runs
(WAL, IMMEDIATE transactions), which the control is free to alter: pytest-django's SQLite test database
lives in shared-cache memory, where a second writer is refused at once instead of waiting its turn.
As a module it prints the scenes' outcome:

    python -m quad.elections.tests.test_voting_concurrency DB_PATH
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.db.models.signals import post_save

from quad.core.tests.sqlite_file import open_file_database, run_scene_module

HOLD_IN_TRANSACTION = 0.3  # seconds each submission lingers after writing its vote record, so the two overlap
TABS = 2


def hold_each_vote_open(sender: Any, **kwargs: Any) -> None:
    """Connected to VoteRecord's post_save: the transaction stays open with the record written."""
    time.sleep(HOLD_IN_TRANSACTION)


def submit_at_once(post: Any, voter: Any, ranking: list[int]) -> dict[str, list[str]]:
    """Each tab (a thread with its own connection) casts the same ballot, all released together."""
    from quad.elections import services
    from quad.elections.errors import ElectionError
    from quad.elections.models import Post

    start = threading.Barrier(TABS)
    lock = threading.Lock()
    got: dict[str, list[str]] = {"receipts": [], "refusals": [], "errors": []}

    def tab() -> None:
        result: tuple[str, str]
        try:
            connection.ensure_connection()  # connect before the start, so the race is the vote
            fresh = Post.objects.select_related("election").get(pk=post.pk)
            start.wait(timeout=10)
            result = ("receipts", services.cast_ballot(fresh, voter=voter, ranking=ranking))
        except ElectionError as error:
            result = ("refusals", str(error))
        except Exception as error:  # reported to the test, not lost in the thread
            result = ("errors", repr(error))
        finally:
            connection.close()
        with lock:
            got[result[0]].append(result[1])

    threads = [threading.Thread(target=tab) for _ in range(TABS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return got


@contextmanager
def without_one_vote_per_post() -> Iterator[None]:
    """VoteRecord's unique constraint dropped from the database for the block, then put back."""
    from quad.elections.models import VoteRecord

    meta = VoteRecord._meta
    original = list(meta.constraints)
    constraint = next(c for c in original if c.name == "one_vote_per_post")
    meta.constraints = [c for c in original if c is not constraint]  # SQLite rebuilds the table from these
    try:
        with connection.schema_editor() as editor:
            editor.remove_constraint(VoteRecord, constraint)
        yield
    finally:
        meta.constraints = original
        VoteRecord.objects.all().delete()  # the duplicates would stop the constraint coming back
        with connection.schema_editor() as editor:
            editor.add_constraint(VoteRecord, constraint)


def two_tabs(clock: Any, tag: str = "a") -> dict[str, Any]:
    """A member with two tabs open on the ballot for President submits both at once."""
    from conftest import found_society, join, make_person, train
    from quad.core.academic import current_academic_year
    from quad.elections.models import Ballot, VoteRecord
    from quad.elections.tests.factories import make_election, stand
    from quad.memberships.services import create_membership_type

    staff = make_person("Race Staff", f"race.staff.{tag}", student=False)
    staff.is_union_staff = True
    staff.save(update_fields=["is_union_staff"])
    president = make_person("Race President", f"race.president.{tag}")
    train(president)
    society = found_society(
        f"Race Society {tag}",
        president,
        make_person("Race Treasurer", f"race.treasurer.{tag}"),
        make_person("Race Secretary", f"race.secretary.{tag}"),
        staff=staff,
    )
    membership_type = create_membership_type(
        society, actor=president, year=current_academic_year(), name="Full member", price_pence=500
    )
    voter, hopeful = make_person("Vi Voter", f"vi.voter.{tag}"), make_person("Hope Hopeful", f"hope.{tag}")
    join(voter, membership_type)
    join(hopeful, membership_type)
    election = make_election(society, actor=president, returning_officer=staff)
    post = election.posts.get()
    [candidate] = stand(post, hopeful)
    clock.to(election, "voting")

    got = submit_at_once(post, voter, [candidate.pk])
    return {
        **got,
        "ballots": Ballot.objects.filter(post=post).count(),
        "vote_records": VoteRecord.objects.filter(post=post, voter=voter).count(),
    }


def two_tabs_without_the_constraint(clock: Any) -> dict[str, Any]:
    with without_one_vote_per_post():
        return two_tabs(clock, "control")


SCENES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "two tabs": two_tabs,
    "two tabs without the constraint": two_tabs_without_the_constraint,
}


@contextmanager
def staged(clock: Any) -> Iterator[None]:
    """The scenes' clock and the hold in each vote's transaction, for as long as the block runs."""
    from django.utils import timezone

    from quad.elections.models import VoteRecord

    real_now = timezone.now
    timezone.now = clock.now
    post_save.connect(hold_each_vote_open, sender=VoteRecord)
    try:
        yield
    finally:
        post_save.disconnect(hold_each_vote_open, sender=VoteRecord)
        timezone.now = real_now


def main(argv: list[str]) -> None:
    open_file_database(argv[0])
    from quad.elections.tests.factories import Clock

    outcome = {}
    for name, scene in SCENES.items():
        clock = Clock()
        with staged(clock):
            outcome[name] = scene(clock)
    connection.close()
    print(json.dumps(outcome))


@pytest.fixture(scope="module")
def on_a_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    path = tmp_path_factory.mktemp("vote-race") / "quad.sqlite3"
    outcome: dict[str, dict[str, Any]] = run_scene_module("quad.elections.tests.test_voting_concurrency", str(path))
    return outcome


def play(scene: str, request: pytest.FixtureRequest) -> dict[str, Any]:
    if connection.vendor == "sqlite":
        outcomes: dict[str, dict[str, Any]] = request.getfixturevalue("on_a_sqlite_file")
        return outcomes[scene]
    from quad.elections.tests.factories import Clock

    clock = Clock()
    with staged(clock):
        return SCENES[scene](clock)


@pytest.mark.django_db(transaction=True)
def test_two_tabs_submitting_at_once_store_one_ballot(request):
    outcome = play("two tabs", request)

    assert outcome["errors"] == []
    assert len(outcome["receipts"]) == 1
    assert outcome["refusals"] == ["You have already voted for President; a vote cannot be changed."]
    assert outcome["ballots"] == 1
    assert outcome["vote_records"] == 1


@pytest.mark.django_db(transaction=True)
def test_without_the_unique_vote_record_two_tabs_would_store_two_ballots(request):
    """The control: the same race with the constraint dropped. If this ever stores one ballot, the
    scene no longer races and the test above proves nothing."""
    outcome = play("two tabs without the constraint", request)

    assert outcome["errors"] == []
    assert len(outcome["receipts"]) == 2
    assert outcome["refusals"] == []
    assert outcome["ballots"] == 2
    assert outcome["vote_records"] == 2


if __name__ == "__main__":
    main(sys.argv[1:])
