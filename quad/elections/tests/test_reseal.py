"""The database's own traces: a ballot and its voter's record are written in one transaction, so on
PostgreSQL they share a transaction id (xmin) until the count reseals the ballot box."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from quad.elections import services
from quad.elections.models import Ballot
from quad.elections.tests.factories import stand

pytestmark = pytest.mark.django_db(transaction=True)


def _xmin_matches() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM elections_ballot b JOIN elections_voterecord v ON b.xmin = v.xmin")
        return int(cursor.fetchone()[0])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="xmin is PostgreSQL's; .ci/run runs this on PostgreSQL")
def test_counting_reseals_the_ballot_box_so_transaction_ids_no_longer_join_voters_to_ballots(
    election: Any, member: Any, ada: Any, ben: Any, cal: Any, su_staff: Any, clock: Any
) -> None:
    post = election.posts.get()
    ada_c, ben_c = stand(post, ada, ben)
    clock.to(election, "voting")
    receipts = set()
    for voter, first in ((member, ada_c), (ada, ada_c), (ben, ben_c), (cal, ben_c)):
        receipts.add(services.cast_ballot(post, voter=voter, ranking=[first.pk]))
    # The control: before the reseal, each ballot shares its voter record's transaction.
    assert _xmin_matches() == 4
    clock.to(election, "closed")
    services.count_election(election, actor=su_staff)
    assert _xmin_matches() == 0
    assert set(Ballot.objects.filter(post=post).values_list("receipt_code", flat=True)) == receipts


def test_resealing_keeps_every_ballot_and_receipt(election: Any, member: Any, ada: Any, ben: Any, clock: Any) -> None:
    post = election.posts.get()
    ada_c, ben_c = stand(post, ada, ben)
    clock.to(election, "voting")
    cast = {
        services.cast_ballot(post, voter=voter, ranking=[choice.pk]): [choice.pk]
        for voter, choice in ((member, ada_c), (ada, ada_c), (ben, ben_c))
    }
    before = set(Ballot.objects.filter(post=post).values_list("id", flat=True))
    assert services.reseal_ballots(post) == 3
    after = {b.receipt_code: b.ranking for b in Ballot.objects.filter(post=post)}
    assert after == cast
    assert before.isdisjoint(set(Ballot.objects.filter(post=post).values_list("id", flat=True)))
