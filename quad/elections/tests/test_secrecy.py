"""The secret ballot: who voted (VoteRecord) and how (Ballot) are stored apart with nothing that joins
them — no key, no timestamp, no insertion order — and nothing the returning officer or the audit log
sees names a voter beside a ballot or a receipt."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import models

from quad.core.models import AuditEvent
from quad.elections import queries, services
from quad.elections.models import Ballot, Post, VoteRecord
from quad.elections.tests.factories import ron, stand

TIME_FIELDS = (models.DateTimeField, models.DateField, models.TimeField, models.DurationField)


def test_a_ballot_has_no_voter_no_time_and_a_random_key():
    fields = {field.name: field for field in Ballot._meta.get_fields()}

    # Any new field must be argued for here: each is a way back to the voter.
    assert set(fields) == {"id", "post", "ranking", "receipt_code"}
    assert not [f for f in fields.values() if f.is_relation and f.related_model is not fields["post"].related_model]
    assert fields["post"].related_model is Post
    assert not [f for f in fields.values() if isinstance(f, TIME_FIELDS)]
    key = Ballot._meta.pk
    assert isinstance(key, models.UUIDField)
    assert key.default is uuid.uuid4  # random (version 4), not time-based (version 1) or a sequence
    assert not Ballot._meta.related_objects  # nothing points at a ballot either


def test_a_vote_record_says_who_voted_for_a_post_and_nothing_else():
    fields = {field.name: field for field in VoteRecord._meta.get_fields()}

    assert set(fields) == {"id", "post", "voter"}
    assert fields["voter"].related_model is get_user_model()
    assert not [f for f in fields.values() if isinstance(f, TIME_FIELDS)]  # no time to match a ballot by
    assert not VoteRecord._meta.related_objects


def test_ballots_are_not_listed_in_the_order_they_were_cast(election):
    post = election.posts.get()
    first_choice = ron(post).pk
    cast = [Ballot.objects.create(post=post, ranking=[first_choice]).pk for _ in range(50)]

    listed = list(Ballot.objects.filter(post=post).values_list("pk", flat=True))

    assert sorted(listed) == sorted(cast)
    # 50 ballots in insertion order by chance: one in 50! (about 3e64).
    assert listed != cast
    assert listed != cast[::-1]
    assert all(key.version == 4 for key in listed)


def test_receipt_codes_are_published_in_an_order_unrelated_to_voting(election):
    post = election.posts.get()
    cast = [Ballot.objects.create(post=post, ranking=[ron(post).pk]).receipt_code for _ in range(50)]

    published = services.receipt_codes(post)

    assert published == sorted(cast)
    assert published != cast


@pytest.fixture
def counted(election: Any, ada: Any, ben: Any, member: Any, cal: Any, su_staff: Any, clock: Any) -> dict[str, Any]:
    """Ada and Ben stand for President; Mia (``member``) and Cal vote, and so does Ada; counted.
    The receipts each voter was given, by voter."""
    post = election.posts.get()
    a, b = stand(post, ada, ben)
    clock.to(election, "voting")
    receipts = {
        member: services.cast_ballot(post, voter=member, ranking=[b.pk, a.pk]),
        cal: services.cast_ballot(post, voter=cal, ranking=[a.pk, ron(post).pk]),
        ada: services.cast_ballot(post, voter=ada, ranking=[a.pk]),
    }
    clock.to(election, "closed")
    services.count_election(election, actor=su_staff)
    return receipts


def test_nothing_in_the_audit_log_links_a_voter_to_a_ballot_or_receipt(election, counted):
    ballot_ids = {str(pk) for pk in Ballot.objects.values_list("pk", flat=True)}
    receipts = set(counted.values())
    assert len(ballot_ids) == len(receipts) == 3

    for event in AuditEvent.objects.all():
        said = json.dumps([event.action, event.target_type, event.target_id, event.target_repr, event.data])
        assert not [code for code in receipts if code in said], event.action
        assert not [pk for pk in ballot_ids if pk in said], event.action
        assert event.target_type not in {"elections.ballot", "elections.voterecord"}, event.action
    # cast_ballot wrote no event at all: in particular none by a voter with their receipt.
    assert not AuditEvent.objects.filter(actor__in=list(counted), action__startswith="elections.ballot").exists()
    assert set(AuditEvent.objects.filter(action__startswith="elections.").values_list("action", flat=True)) == {
        "elections.election.created",
        "elections.post.added",
        "elections.candidate.nominated",
        "elections.election.counted",
    }


def test_the_results_the_returning_officer_sees_name_no_voter(election, counted, member, cal):
    post = election.posts.get()

    [result] = queries.results_for(election)
    shown = json.dumps(
        [
            result.result.record,
            result.result.sheet,
            result.result.winners,
            [candidate.name for candidate in result.winners],
            repr(result.stages),
            repr(result.rows),
            repr(result.chart),
            result.receipt_codes,
            services.blt_for(post),
            queries.turnout_by_post(election)[0],
        ]
    )

    assert "Ada Aldous" in shown  # a candidate, named on the sheet
    for voter in (member, cal):  # voters who did not stand appear nowhere
        assert voter.display_name not in shown
        assert voter.email not in shown
    assert "voter" not in shown.lower()
    assert (result.voted, result.eligible) == (3, 4)  # how many voted, never who
    assert sorted(result.receipt_codes) == sorted(counted.values())


def test_the_blt_file_holds_rankings_and_nothing_about_who_cast_them(election, counted):
    blt = services.blt_for(election.posts.get())
    assert "Mia Member" not in blt and "Cal Carter" not in blt
    for code in counted.values():
        assert code not in blt  # receipts are published apart from the rankings, so neither points at the other
