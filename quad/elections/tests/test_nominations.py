"""Nominations: eligible members stand while nominations are open, with a manifesto of limited length,
and may withdraw until voting opens."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from quad.core.models import AuditEvent
from quad.elections import services
from quad.elections.errors import ElectionError
from quad.elections.models import Candidate
from quad.elections.tests.factories import stand


def test_an_eligible_member_stands_with_a_manifesto(election, ada):
    post = election.posts.get()

    candidate = services.nominate(post, user=ada, manifesto="**Hills** for everyone.")

    assert candidate.user == ada
    assert candidate.manifesto == "**Hills** for everyone."
    assert candidate.withdrawn_at is None
    assert services.standing(post) == [candidate, post.candidates.get(is_ron=True)]  # RON listed last
    assert AuditEvent.objects.filter(action="elections.candidate.nominated", actor=ada).exists()


def test_a_candidate_may_add_a_photo(election, ada):
    candidate = services.nominate(
        election.posts.get(), user=ada, manifesto="Hello.", photo=ContentFile(b"\x89PNG\r\n\x1a\n")
    )
    assert candidate.photo.name.startswith("elections/candidate-")


@pytest.mark.parametrize("phase", ["upcoming", "waiting", "voting", "closed"])
def test_nominations_are_taken_only_while_they_are_open(election, ada, clock, phase):
    clock.to(election, phase)
    with pytest.raises(ElectionError, match="Nominations are not open"):
        services.nominate(election.posts.get(), user=ada, manifesto="Too early or too late.")
    assert not Candidate.objects.filter(user=ada).exists()


def test_only_eligible_members_can_stand(election, student, visitor):
    for person in (student, visitor):
        with pytest.raises(ElectionError, match="Only members eligible to vote in this election can stand"):
            services.nominate(election.posts.get(), user=person, manifesto="Let me in.")
    assert not Candidate.objects.filter(is_ron=False).exists()


def test_manifestos_have_a_length_limit(election, ada, ben):
    post = election.posts.get()
    with pytest.raises(ElectionError, match=f"limited to {services.MANIFESTO_MAX} characters"):
        services.nominate(post, user=ada, manifesto="x" * (services.MANIFESTO_MAX + 1))
    assert not Candidate.objects.filter(user=ada).exists()

    assert services.nominate(post, user=ben, manifesto="x" * services.MANIFESTO_MAX)


def test_a_member_stands_once_per_post_but_may_stand_for_several_posts(
    society, election, committee_trained, ada, clock
):
    president = election.posts.get()
    treasurer = services.add_post(election, actor=committee_trained, name="Treasurer", seats=1)
    services.nominate(president, user=ada, manifesto="Me.")

    with pytest.raises(ElectionError, match="already standing for President"):
        services.nominate(president, user=ada, manifesto="Me again.")
    assert services.nominate(treasurer, user=ada, manifesto="Me, for the money.")
    assert Candidate.objects.filter(user=ada).count() == 2


@pytest.mark.parametrize("phase", ["nominations", "waiting"])
def test_a_candidate_may_withdraw_until_voting_opens(election, ada, clock, phase):
    [candidate] = stand(election.posts.get(), ada)
    clock.to(election, phase)

    services.withdraw_candidate(candidate, actor=ada)

    candidate.refresh_from_db()
    assert candidate.withdrawn_at is not None
    assert candidate not in services.standing(election.posts.get())
    assert AuditEvent.objects.filter(action="elections.candidate.withdrawn", actor=ada).exists()


@pytest.mark.parametrize("phase", ["voting", "closed"])
def test_once_voting_opens_a_candidate_cannot_withdraw(election, ada, clock, phase):
    [candidate] = stand(election.posts.get(), ada)
    clock.to(election, phase)

    with pytest.raises(ElectionError, match="only until voting opens"):
        services.withdraw_candidate(candidate, actor=ada)
    candidate.refresh_from_db()
    assert candidate.withdrawn_at is None


def test_ron_cannot_withdraw(election, committee_trained):
    ron = election.posts.get().candidates.get(is_ron=True)
    with pytest.raises(ElectionError, match="RON cannot withdraw"):
        services.withdraw_candidate(ron, actor=committee_trained)
    ron.refresh_from_db()
    assert ron.withdrawn_at is None
