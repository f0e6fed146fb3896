"""Voting: each eligible member votes once per post, ranking as many candidates as they like; anything
else is refused with a message fit for a person and nothing stored. Reminders go to those who have
not voted for every post, and say nothing about who has. (Two tabs at once: test_voting_concurrency.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from conftest import join, make_person
from quad.core.models import AuditEvent
from quad.elections import services
from quad.elections.errors import ElectionError
from quad.elections.models import Ballot, Candidate, VoteRecord
from quad.elections.tests.factories import ids, make_election, ron, stand


@contextmanager
def refused(match: str) -> Iterator[None]:
    """The block raises ElectionError matching `match`, and no vote record or ballot is stored."""
    before = (VoteRecord.objects.count(), Ballot.objects.count())
    with pytest.raises(ElectionError, match=match):
        yield
    assert (VoteRecord.objects.count(), Ballot.objects.count()) == before


@pytest.fixture
def post(election: Any, ada: Any, ben: Any) -> Any:
    """President, with Ada and Ben standing (and RON)."""
    post = election.posts.get()
    stand(post, ada, ben)
    return post


@pytest.fixture
def voting(election: Any, post: Any, clock: Any) -> Any:
    clock.to(election, "voting")
    return election


def candidate(post: Any, user: Any) -> Candidate:
    return post.candidates.get(user=user)


def test_a_member_ranks_candidates_and_gets_a_receipt(voting, post, member, ada, ben):
    ranking = [candidate(post, ben).pk, ron(post).pk, candidate(post, ada).pk]

    receipt = services.cast_ballot(post, voter=member, ranking=ranking)

    assert services.has_voted(post, member)
    [ballot] = Ballot.objects.filter(post=post)
    assert ballot.ranking == ranking
    assert ballot.receipt_code == receipt
    assert len(receipt) == 14 and receipt.count("-") == 2


def test_a_voter_may_rank_just_one_candidate(voting, post, member, ada):
    services.cast_ballot(post, voter=member, ranking=[candidate(post, ada).pk])
    assert Ballot.objects.get(post=post).ranking == [candidate(post, ada).pk]


def test_a_member_votes_once_per_post_and_cannot_change_their_vote(voting, post, member, ada, ben):
    services.cast_ballot(post, voter=member, ranking=[candidate(post, ada).pk])

    with refused("You have already voted for President; a vote cannot be changed"):
        services.cast_ballot(post, voter=member, ranking=[candidate(post, ben).pk])
    assert Ballot.objects.get(post=post).ranking == [candidate(post, ada).pk]


def test_a_member_votes_for_each_post_of_the_election(society, committee_trained, su_staff, member, ada, ben, clock):
    election = make_election(
        society,
        actor=committee_trained,
        returning_officer=su_staff,
        posts=[("President", 1), ("General Committee", 2)],
    )
    president, general = election.posts.all()
    stand(president, ada)
    stand(general, ada, ben)
    clock.to(election, "voting")

    services.cast_ballot(president, voter=member, ranking=[candidate(president, ada).pk])
    services.cast_ballot(general, voter=member, ranking=ids([candidate(general, ben), candidate(general, ada)]))

    assert VoteRecord.objects.filter(voter=member).count() == 2
    assert Ballot.objects.filter(post__election=election).count() == 2


@pytest.mark.parametrize(
    ("ranking", "message"),
    [
        (lambda ada, ben: [], "Rank at least one candidate"),
        (lambda ada, ben: [ada, ben, ada], "Each candidate can be ranked only once"),
        (lambda ada, ben: [ada, 999_999], "1 of your choices is not standing for President"),
        (lambda ada, ben: ["ada"], "not standing for President"),
    ],
    ids=["empty", "ranked twice", "unknown candidate", "not a candidate number"],
)
def test_a_bad_ranking_is_refused_and_nothing_stored(voting, post, member, ada, ben, ranking, message):
    with refused(message):
        services.cast_ballot(post, voter=member, ranking=ranking(candidate(post, ada).pk, candidate(post, ben).pk))
    assert not services.has_voted(post, member)


def test_a_withdrawn_candidate_cannot_be_ranked(election, post, member, ada, ben, clock):
    clock.to(election, "waiting")
    services.withdraw_candidate(candidate(post, ben), actor=ben)
    clock.to(election, "voting")

    with refused("1 of your choices is not standing for President"):
        services.cast_ballot(post, voter=member, ranking=[candidate(post, ada).pk, candidate(post, ben).pk])


def test_another_posts_candidate_cannot_be_ranked(election, committee_trained, member, ada, ben, cal, clock):
    president = election.posts.get()
    treasurer = services.add_post(election, actor=committee_trained, name="Treasurer", seats=1)
    stand(president, ada)
    stand(treasurer, cal)
    clock.to(election, "voting")

    with refused("not standing for President"):
        services.cast_ballot(
            president, voter=member, ranking=[candidate(president, ada).pk, candidate(treasurer, cal).pk]
        )
    with refused("not standing for President"):
        services.cast_ballot(president, voter=member, ranking=[ron(treasurer).pk])


@pytest.mark.parametrize("phase", ["nominations", "waiting", "closed"])
def test_votes_are_refused_outside_the_voting_window(election, post, member, ada, clock, phase):
    clock.to(election, phase)
    with refused("Voting is not open"):
        services.cast_ballot(post, voter=member, ranking=[candidate(post, ada).pk])


def test_votes_are_refused_once_counted(election, post, member, ada, su_staff, clock):
    clock.to(election, "closed")
    services.count_election(election, actor=su_staff)
    with refused("Voting is not open"):
        services.cast_ballot(post, voter=member, ranking=[candidate(post, ada).pk])


def test_an_ineligible_voter_is_refused(voting, post, student, visitor, su_staff, ada, membership_type, clock):
    late = make_person("Lou Late", "lou.late")
    join(late, membership_type)  # after the cut-off
    for person in (student, visitor, su_staff, late):
        with refused("You are not eligible to vote in this election"):
            services.cast_ballot(post, voter=person, ranking=[candidate(post, ada).pk])


def test_casting_a_ballot_audits_nothing(voting, post, member, ada):
    """Who voted is the vote record; an audit event beside it would be a second, timestamped copy."""
    before = AuditEvent.objects.count()
    services.cast_ballot(post, voter=member, ranking=[candidate(post, ada).pk])
    assert AuditEvent.objects.count() == before


# --- Reminders ---------------------------------------------------------------------------------


def test_reminders_go_only_to_eligible_members_who_have_not_voted_for_every_post(
    society,
    committee_trained,
    su_staff,
    member,
    ada,
    ben,
    cal,
    student,
    clock,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    election = make_election(
        society, actor=committee_trained, returning_officer=su_staff, posts=[("President", 1), ("Treasurer", 1)]
    )
    president, treasurer = election.posts.all()
    stand(president, ada)
    stand(treasurer, ben)
    clock.to(election, "voting")
    for post in (president, treasurer):
        services.cast_ballot(post, voter=ada, ranking=[ron(post).pk])  # voted for every post
    services.cast_ballot(president, voter=ben, ranking=[ron(president).pk])  # for one of two
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        sent = services.send_reminders(election, actor=committee_trained)

    reminded = sorted(address for message in mailoutbox for address in message.to)
    assert reminded == sorted([member.email, ben.email, cal.email])
    assert sent == 3
    assert all(len(message.to) == 1 and not message.cc and not message.bcc for message in mailoutbox)
    # One text for everyone: nobody is told who has voted, not even whether they themselves have.
    assert len({(message.subject, message.body) for message in mailoutbox}) == 1
    text = mailoutbox[0].subject + mailoutbox[0].body + str(mailoutbox[0].alternatives)
    for person in (ada, ben, cal, member):
        assert person.display_name not in text
        assert person.email not in text
    event = AuditEvent.objects.get(action="elections.reminders.sent")
    assert event.data == {"count": 3}


def test_reminders_are_sent_only_while_voting_is_open(election, committee_trained, clock, mailoutbox):
    for phase in ("nominations", "closed"):
        clock.to(election, phase)
        with pytest.raises(ElectionError, match="only while voting is open"):
            services.send_reminders(election, actor=committee_trained)
    assert mailoutbox == []


def test_no_reminders_once_everyone_has_voted(voting, post, member, ada, ben, cal, committee_trained, mailoutbox):
    for person in (member, ada, ben, cal):
        services.cast_ballot(post, voter=person, ranking=[ron(post).pk])
    assert services.send_reminders(voting, actor=committee_trained) == 0


def test_turnout_counts_vote_records_against_eligible_members(voting, post, member, ada):
    services.cast_ballot(post, voter=member, ranking=[ron(post).pk])
    services.cast_ballot(post, voter=ada, ranking=[candidate(post, ada).pk])
    assert services.turnout(post) == (2, 4)
