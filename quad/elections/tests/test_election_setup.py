"""Setting up an election: windows in order, the cut-off, the returning officer, posts with RON, the notice;
and who may vote: members whose membership was active at the cut-off."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from conftest import join, make_person
from quad.commerce import services as commerce
from quad.core.models import AuditEvent
from quad.elections import services
from quad.elections.errors import ElectionError
from quad.elections.models import Candidate, Election
from quad.elections.tests.factories import DAY, HOUR, make_election, windows
from quad.memberships.models import Membership
from quad.memberships.services import remove_member
from quad.societies.models import Position


def create(society: Any, *, actor: Any, returning_officer: Any, **changes: Any) -> Election:
    return services.create_election(
        society,
        actor=actor,
        title="Committee elections",
        returning_officer=returning_officer,
        **{**windows(), **changes},
    )


def test_committee_sets_up_an_election_with_the_returning_officer_and_a_complaints_window(
    society, committee_trained, su_staff
):
    election = create(society, actor=committee_trained, returning_officer=su_staff)

    assert election.returning_officer == su_staff
    assert election.rules == Election.Rules.ERS97
    assert election.ron == Election.Ron.ORDINARY
    assert election.complaints_close_at == election.voting_close_at + 3 * DAY
    assert election.phase == "nominations"
    assert AuditEvent.objects.filter(action="elections.election.created", target_id=str(election.pk)).exists()


@pytest.mark.parametrize(
    ("field", "moved_to", "why"),
    [
        ("nominations_close_at", "nominations_open_at", "nominations close as they open"),
        ("voting_open_at", "nominations_open_at", "voting opens before nominations close"),
        ("voting_close_at", "nominations_close_at", "voting closes before it opens"),
        ("voting_close_at", "voting_open_at", "voting closes as it opens"),
    ],
)
def test_windows_must_run_in_order(society, committee_trained, su_staff, field, moved_to, why):
    times = windows()
    times[field] = times[moved_to]
    with pytest.raises(ElectionError, match="must run in order"):
        services.create_election(
            society, actor=committee_trained, title="Backwards", returning_officer=su_staff, **times
        )
    assert not Election.objects.exists(), why


def test_voting_may_open_the_moment_nominations_close(society, committee_trained, su_staff):
    close = timezone.now() + DAY
    election = create(
        society, actor=committee_trained, returning_officer=su_staff, nominations_close_at=close, voting_open_at=close
    )
    assert election.voting_open_at == election.nominations_close_at


def test_the_eligibility_cut_off_must_come_before_voting_opens(society, committee_trained, su_staff):
    with pytest.raises(ElectionError, match="cut-off must come before voting opens"):
        create(
            society,
            actor=committee_trained,
            returning_officer=su_staff,
            eligibility_cutoff=timezone.now() + 2 * DAY + HOUR,
        )
    assert not Election.objects.exists()


def test_the_returning_officer_must_be_union_staff(society, committee_trained, committee_untrained):
    with pytest.raises(ElectionError, match="returning officer must be a member of union staff"):
        create(society, actor=committee_trained, returning_officer=committee_untrained)
    assert not Election.objects.exists()


def test_every_post_has_ron_on_its_ballot_from_the_start(society, committee_trained, su_staff, clock):
    election = make_election(
        society,
        actor=committee_trained,
        returning_officer=su_staff,
        posts=[("President", 1), ("General Committee", 3)],
    )

    president, general = election.posts.all()
    assert (president.name, president.seats, general.name, general.seats) == ("President", 1, "General Committee", 3)
    for post in (president, general):
        [ron] = post.candidates.all()
        assert ron.is_ron and ron.user is None
        assert ron.name == "RON (re-open nominations)"


def test_posts_are_added_only_until_nominations_close(election, committee_trained, clock):
    clock.to(election, "waiting")
    with pytest.raises(ElectionError, match="before nominations close"):
        services.add_post(election, actor=committee_trained, name="Treasurer", seats=1)
    assert election.posts.count() == 1


def test_a_post_needs_a_seat_and_a_position_of_the_same_society(election, committee_trained, other_society):
    with pytest.raises(ElectionError, match="at least one seat"):
        services.add_post(election, actor=committee_trained, name="Nobody", seats=0)
    elsewhere = Position.objects.filter(society=other_society).first()
    with pytest.raises(ElectionError, match="another society"):
        services.add_post(election, actor=committee_trained, name="Chess President", seats=1, position=elsewhere)
    assert election.posts.count() == 1
    assert Candidate.objects.filter(post__election=election).count() == 1  # the President post's RON


def test_the_notice_goes_to_every_eligible_member_and_nobody_else(
    society, committee_trained, su_staff, member, student, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        election = create(society, actor=committee_trained, returning_officer=su_staff)

    assert sorted(address for message in mailoutbox for address in message.to) == [member.email]
    assert election.title in mailoutbox[0].subject + mailoutbox[0].body


# --- Eligibility: members whose membership was active at the cut-off ----------------------------


def test_members_at_the_cut_off_are_eligible_and_other_students_are_not(election, member, student, visitor):
    assert services.is_eligible(member, election)
    assert not services.is_eligible(student, election)
    assert not services.is_eligible(visitor, election)
    assert member in services.eligible_voters(election)
    assert student not in services.eligible_voters(election)


def test_a_member_who_joined_after_the_cut_off_cannot_vote(election, membership_type, clock):
    late = make_person("Lou Late", "lou.late")
    clock.travel_to(election.eligibility_cutoff + HOUR)
    join(late, membership_type)

    assert not services.is_eligible(late, election)
    clock.to(election, "voting")
    post = election.posts.get()
    with pytest.raises(ElectionError, match="not eligible"):
        services.cast_ballot(post, voter=late, ranking=[post.candidates.get(is_ron=True).pk])


def test_a_member_refunded_after_the_cut_off_can_still_vote(election, member, committee_trained, clock):
    membership = member.memberships.get()
    clock.travel_to(election.eligibility_cutoff + HOUR)
    commerce.refund_line(membership.order_line, amount_pence=500, actor=committee_trained, reason="Changed their mind")
    assert member.memberships.get().status == Membership.Status.REFUNDED

    assert services.is_eligible(member, election)
    clock.to(election, "voting")
    post = election.posts.get()
    assert services.cast_ballot(post, voter=member, ranking=[post.candidates.get(is_ron=True).pk])


def test_a_member_refunded_or_removed_before_the_cut_off_cannot_vote(
    society, committee_trained, su_staff, member, ada, clock
):
    commerce.refund_line(
        member.memberships.get().order_line, amount_pence=500, actor=committee_trained, reason="Changed their mind"
    )
    remove_member(ada.memberships.get(), actor=committee_trained, reason="Broke the code of conduct")
    clock.travel_to(clock.now() + datetime.timedelta(minutes=1))

    election = make_election(society, actor=committee_trained, returning_officer=su_staff)

    assert not services.is_eligible(member, election)
    assert not services.is_eligible(ada, election)
    assert set(services.eligible_voters(election)) == set()


def test_a_member_who_has_since_graduated_cannot_vote(election, member):
    member.course_ends_on = timezone.localdate() - DAY
    member.save(update_fields=["course_ends_on"])

    assert not services.is_eligible(member, election)
