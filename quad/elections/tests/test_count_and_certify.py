"""The count (the returning officer, once, after voting closes), the published results — sheet, winners,
receipt codes and a BLT file that recounts to the same winners — complaints, and certification, after
which the winners are next term's committee."""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from conftest import join, make_person, train
from quad.core.models import AuditEvent, DataAccess
from quad.elections import services
from quad.elections.counting import ers97, parse_blt
from quad.elections.errors import ElectionError
from quad.elections.models import Ballot, Candidate, Complaint, CountResult, Election
from quad.elections.tests.factories import DAY, make_election, ron, stand
from quad.societies import queries as society_queries
from quad.societies.models import CommitteeTerm, Position, Power
from quad.societies.permissions import committee_access


def vote(post: Any, voter: Any, *choices: Any) -> str:
    """`voter` ranks `choices` (members standing for `post`, or "RON")."""
    ranking = [ron(post).pk if choice == "RON" else post.candidates.get(user=choice).pk for choice in choices]
    return services.cast_ballot(post, voter=voter, ranking=ranking)


def _member(name: str, local: str, society: Any) -> Any:
    user = make_person(name, local)
    join(user, society.membership_types.get())
    return user


@pytest.fixture
def make_staff(db: None) -> Any:
    def make(name: str) -> Any:
        user = make_person(name, name.lower().replace(" ", "."), student=False)
        user.is_union_staff = True
        user.save(update_fields=["is_union_staff"])
        return user

    return make


@pytest.fixture
def voted(election: Any, member: Any, ada: Any, ben: Any, cal: Any, clock: Any) -> dict[Any, str]:
    """Ada and Ben stand for President; Ada has three first preferences to Ben's one. Voting has closed.
    The receipts, by voter."""
    post = election.posts.get()
    stand(post, ada, ben)
    clock.to(election, "voting")
    receipts = {
        member: vote(post, member, ada),
        cal: vote(post, cal, ada, ben),
        ada: vote(post, ada, ada, "RON"),
        ben: vote(post, ben, ben),
    }
    clock.to(election, "closed")
    return receipts


@pytest.fixture
def counted(election: Any, voted: Any, su_staff: Any) -> Election:
    services.count_election(election, actor=su_staff)
    election.refresh_from_db()
    return election


# --- The count ---------------------------------------------------------------------------------


@pytest.mark.parametrize("phase", ["nominations", "waiting", "voting"])
def test_the_count_waits_until_voting_closes(election, su_staff, clock, phase):
    clock.to(election, phase)
    with pytest.raises(ElectionError, match="after voting closes"):
        services.count_election(election, actor=su_staff)
    assert not CountResult.objects.exists()
    election.refresh_from_db()
    assert election.counted_at is None


def test_only_the_returning_officer_counts(election, voted, committee_trained, student, make_staff):
    for someone in (committee_trained, student, make_staff("Kim Otherstaff"), None):
        with pytest.raises(ElectionError, match="Only the returning officer"):
            services.count_election(election, actor=someone)
    assert not CountResult.objects.exists()


def test_the_returning_officer_counts_once_and_the_result_is_stored_with_its_sheet(
    election, voted, su_staff, ada, mailoutbox, django_capture_on_commit_callbacks
):
    post = election.posts.get()

    with django_capture_on_commit_callbacks(execute=True):
        [result] = services.count_election(election, actor=su_staff)

    assert result == CountResult.objects.get(post=post)
    assert result.winners == [post.candidates.get(user=ada).pk]
    assert result.vacant_seats == 0
    assert result.counted_by == su_staff
    assert result.record["quota"] == "2.00"  # 4 valid votes / (1 seat + 1)
    assert result.record["winners"] == ["Ada Aldous"]
    assert result.record["ballots"] == 4
    assert "Ada Aldous" in result.sheet and "2.00" in result.sheet
    election.refresh_from_db()
    assert election.counted_at is not None and election.phase == "counted"
    assert AuditEvent.objects.filter(action="elections.election.counted", actor=su_staff).count() == 1
    assert len(mailoutbox) == 4  # results published to each eligible member

    with pytest.raises(ElectionError):
        services.count_election(election, actor=su_staff)
    assert CountResult.objects.count() == 1


def test_a_post_with_several_seats_elects_in_order(society, committee_trained, su_staff, member, ada, ben, cal, clock):
    election = make_election(
        society, actor=committee_trained, returning_officer=su_staff, posts=[("General Committee", 2)]
    )
    post = election.posts.get()
    stand(post, ada, ben, cal)
    clock.to(election, "voting")
    vote(post, member, ada, ben)
    vote(post, ada, ada, cal)
    vote(post, ben, ben, ada)
    vote(post, cal, ada, ben)
    clock.to(election, "closed")

    [result] = services.count_election(election, actor=su_staff)

    # Quota 4 / 3 = 1.34. Ada is elected at once; her surplus of 1.66 puts Ben over the quota.
    assert result.record["quota"] == "1.34"
    assert result.winners == [post.candidates.get(user=ada).pk, post.candidates.get(user=ben).pk]
    assert result.vacant_seats == 0


def test_when_ron_is_elected_the_seat_is_left_vacant(election, member, ada, ben, cal, su_staff, clock):
    post = election.posts.get()
    stand(post, ada)
    clock.to(election, "voting")
    for voter in (member, ben, cal):
        vote(post, voter, "RON", ada)
    vote(post, ada, ada)
    clock.to(election, "closed")

    [result] = services.count_election(election, actor=su_staff)

    assert result.winners == []
    assert result.vacant_seats == 1
    assert result.record["elected"] == [{"candidate": "RON (re-open nominations)", "stage": 1, "ron": True}]
    assert result.record["vacant_seats"] == 1


def test_a_withdrawn_candidate_is_left_out_of_the_count(election, member, ada, ben, su_staff, clock):
    post = election.posts.get()
    _, withdrawn = stand(post, ada, ben)
    clock.to(election, "waiting")
    services.withdraw_candidate(withdrawn, actor=ben)
    clock.to(election, "voting")
    vote(post, member, ada)
    clock.to(election, "closed")

    [result] = services.count_election(election, actor=su_staff)

    assert result.record["withdrawn"] == ["Ben Bright"]
    assert result.record["winners"] == ["Ada Aldous"]


def test_the_blt_download_recounts_to_the_same_winners(society, committee_trained, su_staff, ada, ben, cal, clock):
    """Sixty ballots as plain rows (a count needs no voters), two seats, four people standing of whom
    one withdrew, and RON: the BLT file counted by the engine on its own gives the stored result."""
    dan = _member("Dan Dyer", "dan.dyer", society)
    election = make_election(
        society, actor=committee_trained, returning_officer=su_staff, posts=[("General Committee", 2)]
    )
    post = election.posts.get()
    a, b, c, d = stand(post, ada, ben, cal, dan)
    clock.to(election, "waiting")
    services.withdraw_candidate(d, actor=dan)
    clock.to(election, "closed")
    shuffle = random.Random(97)
    choices = [a.pk, b.pk, c.pk, ron(post).pk]
    for _ in range(60):
        ranking = shuffle.sample(choices, k=shuffle.randint(1, 4))
        Ballot.objects.create(post=post, ranking=ranking)
    [result] = services.count_election(election, actor=su_staff)

    blt = services.blt_for(post)
    recount = ers97.count(parse_blt(blt), ron="ordinary", seed=election.seed + post.pk)

    names = dict(Candidate.objects.filter(post=post).values_list("pk", "user__display_name"))
    assert recount.winner_names() == [names[pk] for pk in result.winners]
    assert recount.to_dict() == result.record
    dans_number = list(post.candidates.order_by("id")).index(d) + 1  # BLT numbers candidates from 1
    assert blt.splitlines()[1] == f"-{dans_number}"  # his withdrawal travels with the file


def test_receipt_codes_are_published_so_each_voter_can_find_theirs(counted, voted):
    codes = services.receipt_codes(counted.posts.get())
    assert sorted(codes) == sorted(voted.values())


# --- Complaints --------------------------------------------------------------------------------


def test_an_eligible_member_complains_to_the_returning_officer(
    counted, cal, su_staff, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = services.file_complaint(counted, complainant=cal, text="  A candidate canvassed in the queue. ")

    assert complaint.status == Complaint.Status.OPEN
    assert complaint.text == "A candidate canvassed in the queue."
    [message] = mailoutbox
    assert message.to == [su_staff.email]
    assert AuditEvent.objects.filter(action="elections.complaint.filed", actor=cal).exists()


def test_complaints_are_taken_only_between_the_count_and_the_end_of_the_window(election, voted, cal, su_staff, clock):
    with pytest.raises(ElectionError, match="after the count"):
        services.file_complaint(election, complainant=cal, text="Too early.")
    services.count_election(election, actor=su_staff)
    election.refresh_from_db()
    clock.to(election, "complaints-closed")
    with pytest.raises(ElectionError, match="until the complaints window closes"):
        services.file_complaint(election, complainant=cal, text="Too late.")
    assert not Complaint.objects.exists()


def test_only_eligible_members_complain(counted, student, su_staff):
    for someone in (student, su_staff):
        with pytest.raises(ElectionError, match="Only members eligible to vote"):
            services.file_complaint(counted, complainant=someone, text="I object.")
    with pytest.raises(ElectionError, match="Say what your complaint is"):
        services.file_complaint(counted, complainant=student, text="   ")
    assert not Complaint.objects.exists()


def test_only_the_returning_officer_answers_a_complaint(counted, cal, committee_trained, su_staff):
    complaint = services.file_complaint(counted, complainant=cal, text="I object.")
    with pytest.raises(ElectionError, match="Only the returning officer"):
        services.answer_complaint(complaint, actor=committee_trained, upheld=False, response="No.")
    with pytest.raises(ElectionError, match="Give the complainant a response"):
        services.answer_complaint(complaint, actor=su_staff, upheld=False, response=" ")

    services.answer_complaint(complaint, actor=su_staff, upheld=False, response="Canvassing was allowed there.")
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.DISMISSED


def test_the_returning_officer_reading_complaints_is_in_the_access_log(client, counted, cal, su_staff):
    url = reverse("elections:returning-officer", kwargs={"pk": counted.pk})
    client.force_login(su_staff)
    client.get(url)
    assert not DataAccess.objects.exists()  # no complaints, nobody named
    services.file_complaint(counted, complainant=cal, text="A candidate canvassed in the queue.")

    page = client.get(url).content.decode()

    assert "From Cal Carter" in page
    access = DataAccess.objects.get()
    assert (access.actor, access.action, access.scope) == (
        su_staff,
        "elections.complaints.viewed",
        counted.society.audit_scope,
    )
    assert access.what == f"Complaints about {counted.title} (Hiking Society)"
    assert [s.user for s in access.subjects.all()] == [cal]


# --- Certification -----------------------------------------------------------------------------


def test_certification_waits_for_the_complaints_window_to_close(counted, su_staff):
    with pytest.raises(ElectionError, match="complaints window is open"):
        services.certify_election(counted, actor=su_staff)
    assert not CommitteeTerm.objects.filter(starts_on=counted.term_starts_on).exists()


def test_certification_waits_for_every_complaint_to_be_answered(counted, cal, su_staff, clock):
    complaint = services.file_complaint(counted, complainant=cal, text="I object.")
    clock.to(counted, "complaints-closed")

    with pytest.raises(ElectionError, match="Answer every complaint"):
        services.certify_election(counted, actor=su_staff)
    assert not CommitteeTerm.objects.filter(starts_on=counted.term_starts_on).exists()

    services.answer_complaint(complaint, actor=su_staff, upheld=False, response="No rule was broken.")
    assert services.certify_election(counted, actor=su_staff).certified_at is not None


def test_certification_needs_a_count_and_the_returning_officer(election, voted, committee_trained, su_staff, clock):
    clock.to(election, "complaints-closed")
    with pytest.raises(ElectionError, match="Only a counted, uncertified election"):
        services.certify_election(election, actor=su_staff)
    services.count_election(election, actor=su_staff)
    with pytest.raises(ElectionError, match="Only the returning officer"):
        services.certify_election(election, actor=committee_trained)
    assert not CommitteeTerm.objects.filter(starts_on=election.term_starts_on).exists()


def test_certified_winners_take_office_with_their_powers_on_the_term_date(counted, society, ada, su_staff, clock):
    clock.to(counted, "complaints-closed")

    services.certify_election(counted, actor=su_staff)

    counted.refresh_from_db()
    assert counted.phase == "certified" and counted.certified_by == su_staff
    [term] = CommitteeTerm.objects.filter(user=ada)
    assert (term.society, term.position.name, term.starts_on) == (society, "President", counted.term_starts_on)
    assert term.ends_on >= term.starts_on
    assert AuditEvent.objects.filter(action="elections.election.certified", actor=su_staff).exists()
    # Handover: nothing before the term date, the position's powers from it.
    assert society_queries.terms_of(ada, society, on=counted.term_starts_on - DAY) == []
    assert society_queries.terms_of(ada, society, on=counted.term_starts_on) == [term]
    train(ada)
    with pytest.raises(PermissionDenied):
        committee_access(ada, society, power=Power.ELECTIONS)
    clock.travel_to(timezone.make_aware(datetime.datetime.combine(counted.term_starts_on, datetime.time(12))))
    assert committee_access(ada, society, power=Power.ELECTIONS).can(Power.ELECTIONS)

    with pytest.raises(ElectionError, match="Only a counted, uncertified election"):
        services.certify_election(counted, actor=su_staff)
    assert CommitteeTerm.objects.filter(user=ada).count() == 1


def test_a_post_linked_to_a_position_fills_that_position(society, committee_trained, su_staff, member, ada, ben, clock):
    secretary = Position.objects.get(society=society, name="Secretary")
    election = make_election(society, actor=committee_trained, returning_officer=su_staff, posts=[])
    post = services.add_post(election, actor=committee_trained, name="Sec", seats=1, position=secretary)
    stand(post, ben)
    clock.to(election, "voting")
    vote(post, member, ben)
    clock.to(election, "closed")
    services.count_election(election, actor=su_staff)
    election.refresh_from_db()
    clock.to(election, "complaints-closed")

    services.certify_election(election, actor=su_staff)

    assert CommitteeTerm.objects.get(user=ben).position == secretary


def test_a_seat_left_to_ron_gives_nobody_a_term(election, member, ada, ben, cal, su_staff, clock):
    post = election.posts.get()
    stand(post, ada)
    clock.to(election, "voting")
    for voter in (member, ben, cal):
        vote(post, voter, "RON")
    clock.to(election, "closed")
    services.count_election(election, actor=su_staff)
    election.refresh_from_db()
    clock.to(election, "complaints-closed")

    services.certify_election(election, actor=su_staff)

    assert not CommitteeTerm.objects.filter(starts_on=election.term_starts_on).exists()


def test_a_winner_who_can_no_longer_take_office_stops_certification_with_a_reason(counted, ada, su_staff, clock):
    ada.course_ends_on = counted.term_starts_on - DAY  # graduates before the term starts
    ada.save(update_fields=["course_ends_on"])
    clock.to(counted, "complaints-closed")

    with pytest.raises(ElectionError, match="Ada Aldous"):
        services.certify_election(counted, actor=su_staff)
    counted.refresh_from_db()
    assert counted.certified_at is None
    assert not CommitteeTerm.objects.filter(user=ada).exists()
