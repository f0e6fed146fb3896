"""Elections: set-up, nominations, secret ballots, the count, complaints and certification."""

from __future__ import annotations

import datetime
import logging
import random
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from quad.accounts.models import User
from quad.core import audit
from quad.core.academic import academic_year_for
from quad.elections import emails
from quad.elections.counting import blt as blt_format
from quad.elections.counting import ers97
from quad.elections.counting.model import CountError, RonMode
from quad.elections.counting.model import Election as CountElection
from quad.elections.counting.sheet import result_sheet
from quad.elections.errors import ElectionError
from quad.elections.models import Ballot, Candidate, Complaint, CountResult, Election, Post, VoteRecord
from quad.memberships.models import Membership
from quad.societies.errors import SocietyError
from quad.societies.models import Position, Society
from quad.societies.services import grant_committee_term

MANIFESTO_MAX = 3000
logger = logging.getLogger(__name__)


# --- Eligibility -------------------------------------------------------------------------------


def eligible_voters(election: Election) -> QuerySet[User]:
    """Members whose membership was active at the cut-off moment (and who are still students)."""
    cutoff = election.eligibility_cutoff
    day = timezone.localdate(cutoff)
    memberships = Membership.objects.filter(
        society=election.society, starts_on__lte=day, ends_on__gte=day, created_at__lte=cutoff
    ).filter(Q(status=Membership.Status.ACTIVE) | Q(ended_at__gt=cutoff))
    # Still students now (as is_eligible asks): graduates are off the roll, its notices and its turnout.
    return User.objects.filter(
        pk__in=memberships.values("user_id"), is_active=True, student_verified_at__isnull=False
    ).exclude(course_ends_on__lt=timezone.localdate())


def is_eligible(user: Any, election: Election) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_student:
        return False
    return eligible_voters(election).filter(pk=user.pk).exists()


# --- Set-up ------------------------------------------------------------------------------------


def create_election(
    society: Society,
    *,
    actor: Any,
    title: str,
    nominations_open_at: datetime.datetime,
    nominations_close_at: datetime.datetime,
    voting_open_at: datetime.datetime,
    voting_close_at: datetime.datetime,
    eligibility_cutoff: datetime.datetime,
    term_starts_on: datetime.date,
    returning_officer: User,
    ron: str = Election.Ron.ORDINARY,
    complaints_days: int = 3,
) -> Election:
    if not nominations_open_at < nominations_close_at <= voting_open_at < voting_close_at:
        raise ElectionError("The windows must run in order: nominations open, close, then voting opens and closes.")
    if eligibility_cutoff > voting_open_at:
        raise ElectionError("The eligibility cut-off must come before voting opens.")
    if not returning_officer.is_union_staff:
        raise ElectionError("The returning officer must be a member of union staff.")
    with transaction.atomic():
        election = Election.objects.create(
            society=society,
            title=title.strip(),
            nominations_open_at=nominations_open_at,
            nominations_close_at=nominations_close_at,
            voting_open_at=voting_open_at,
            voting_close_at=voting_close_at,
            eligibility_cutoff=eligibility_cutoff,
            complaints_close_at=voting_close_at + datetime.timedelta(days=complaints_days),
            term_starts_on=term_starts_on,
            returning_officer=returning_officer,
            ron=ron,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record("elections.election.created", actor=actor, target=election, scope=society.audit_scope)
        emails.election_notice(election)
    return election


def add_post(election: Election, *, actor: Any, name: str, seats: int, position: Position | None = None) -> Post:
    """A post to fill; RON is on its ballot from the start."""
    if seats < 1:
        raise ElectionError("A post needs at least one seat.")
    if election.phase not in {"upcoming", "nominations"}:
        raise ElectionError("Posts can only be added before nominations close.")
    if position is not None and position.society_id != election.society_id:
        raise ElectionError("That position belongs to another society.")
    with transaction.atomic():
        post = Post.objects.create(
            election=election, name=name.strip(), seats=seats, position=position, order=election.posts.count()
        )
        Candidate.objects.create(post=post, is_ron=True)
        audit.record(
            "elections.post.added",
            actor=actor,
            target=post,
            scope=election.society.audit_scope,
            data={"seats": seats},
        )
    return post


# --- Nominations -------------------------------------------------------------------------------


def nominate(post: Post, *, user: Any, manifesto: str, photo: ContentFile | None = None) -> Candidate:
    election = post.election
    if election.phase != "nominations":
        raise ElectionError("Nominations are not open.")
    if not is_eligible(user, election):
        raise ElectionError("Only members eligible to vote in this election can stand.")
    if len(manifesto) > MANIFESTO_MAX:
        raise ElectionError(f"Manifestos are limited to {MANIFESTO_MAX} characters.")
    try:
        with transaction.atomic():
            candidate = Candidate(post=post, user=user, manifesto=manifesto)
            if photo is not None:
                candidate.photo.save(f"candidate-{post.pk}-{user.pk}.png", photo, save=False)
            candidate.save()
            audit.record("elections.candidate.nominated", actor=user, target=post, scope=election.society.audit_scope)
    except IntegrityError as exc:
        raise ElectionError(f"You are already standing for {post.name}.") from exc
    return candidate


def withdraw_candidate(candidate: Candidate, *, actor: Any) -> Candidate:
    election = candidate.post.election
    if candidate.is_ron:
        raise ElectionError("RON cannot withdraw.")
    if election.phase not in {"nominations", "waiting"}:
        raise ElectionError("Candidates can withdraw only until voting opens.")
    with transaction.atomic():
        candidate.withdrawn_at = timezone.now()
        candidate.save(update_fields=["withdrawn_at"])
        audit.record(
            "elections.candidate.withdrawn", actor=actor, target=candidate.post, scope=election.society.audit_scope
        )
    return candidate


def standing(post: Post) -> list[Candidate]:
    return list(post.candidates.filter(withdrawn_at__isnull=True).select_related("user"))


# --- Voting ------------------------------------------------------------------------------------


def cast_ballot(post: Post, *, voter: Any, ranking: Sequence[int]) -> str:
    """Record that `voter` voted for `post`, and — apart, unjoinable — how. Returns the receipt code.

    `ranking` is candidate ids, first preference first. A vote cannot be changed.
    """
    election = post.election
    if election.phase != "voting":
        raise ElectionError("Voting is not open.")
    if not is_eligible(voter, election):
        raise ElectionError("You are not eligible to vote in this election.")
    ranked = list(ranking)
    if not ranked:
        raise ElectionError("Rank at least one candidate.")
    if len(set(ranked)) != len(ranked):
        raise ElectionError("Each candidate can be ranked only once.")
    allowed = {c.pk for c in standing(post)}
    if unknown := [c for c in ranked if c not in allowed]:
        raise ElectionError(f"{len(unknown)} of your choices is not standing for {post.name}.")
    try:
        with transaction.atomic():
            VoteRecord.objects.create(post=post, voter=voter)
            ballot = Ballot.objects.create(post=post, ranking=ranked)
    except IntegrityError as exc:
        raise ElectionError(f"You have already voted for {post.name}; a vote cannot be changed.") from exc
    return ballot.receipt_code


def has_voted(post: Post, user: Any) -> bool:
    return VoteRecord.objects.filter(post=post, voter=user).exists()


def send_reminders(election: Election, *, actor: Any) -> int:
    """Email eligible members who have not voted for every post. The email never says who has voted."""
    if election.phase != "voting":
        raise ElectionError("Reminders can be sent only while voting is open.")
    posts = list(election.posts.all())
    voted_all = (
        VoteRecord.objects.filter(post__in=posts)
        .values("voter_id")
        .annotate(n=Count("id"))
        .filter(n=len(posts))
        .values("voter_id")
    )
    recipients = list(eligible_voters(election).exclude(pk__in=voted_all).values_list("email", flat=True))
    with transaction.atomic():
        audit.record(
            "elections.reminders.sent",
            actor=actor,
            target=election,
            scope=election.society.audit_scope,
            data={"count": len(recipients)},
        )
        emails.voting_reminder(election, recipients)
    return len(recipients)


# --- Counting ----------------------------------------------------------------------------------


def _count_input(post: Post) -> tuple[CountElection, list[Candidate]]:
    candidates = list(post.candidates.order_by("id").select_related("user"))
    index = {c.pk: i for i, c in enumerate(candidates)}
    rankings = [tuple(index[c] for c in b.ranking if c in index) for b in Ballot.objects.filter(post=post)]
    names = [c.name for c in candidates]
    # The count record and the BLT file know candidates by name: two students may share one.
    names = [f"{n} ({names[:i].count(n) + 1})" if n in names[:i] else n for i, n in enumerate(names)]
    election = CountElection.from_rankings(
        names,
        post.seats,
        [r for r in rankings if r],
        withdrawn=[i for i, c in enumerate(candidates) if c.withdrawn_at is not None],
        title=f"{post.election.title}: {post.name}",
    )
    return election, candidates


def blt_for(post: Post) -> str:
    """The anonymised ballots as a BLT file, for anyone to recount with another STV program."""
    election, _ = _count_input(post)
    return blt_format.write_blt(election)


def reseal_ballots(post: Post) -> int:
    """Rewrite a post's ballots as new rows in random order, in one transaction, before counting.

    A ballot and its voter's record were written in the same transaction, so until now the database
    itself (PostgreSQL's transaction ids, storage order) could line them up for someone with direct
    access to it. Rewritten together, every ballot shares one transaction and a random place; the old
    row versions are vacuumed away once the count commits.
    """
    ballots = list(Ballot.objects.filter(post=post).values_list("ranking", "receipt_code"))
    random.SystemRandom().shuffle(ballots)
    Ballot.objects.filter(post=post).delete()
    Ballot.objects.bulk_create([Ballot(post=post, ranking=r, receipt_code=code) for r, code in ballots])
    if connection.vendor == "postgresql":
        transaction.on_commit(_vacuum_ballots)
    return len(ballots)


def _vacuum_ballots() -> None:
    # VACUUM cannot run inside a transaction (a test's, or a caller's outer one): then it waits for
    # autovacuum, which removes the old row versions soon anyway.
    if connection.in_atomic_block:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {Ballot._meta.db_table}")
    except DatabaseError:
        logger.warning("Could not vacuum the ballot table after a count; autovacuum will.", exc_info=True)


def count_election(election: Election, *, actor: Any) -> list[CountResult]:
    """The returning officer counts every post once voting has closed (ERS97 STV, integer arithmetic)."""
    if election.phase != "closed":
        raise ElectionError("The count happens once, after voting closes.")
    if actor is None or actor.pk != election.returning_officer_id:
        raise ElectionError("Only the returning officer can count this election.")
    results = []
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        if election.counted_at is not None:
            raise ElectionError("This election has already been counted.")
        for post in election.posts.all():
            reseal_ballots(post)
            count_input, candidates = _count_input(post)
            ron_index = next((i for i, c in enumerate(candidates) if c.is_ron), None)
            try:
                ron: RonMode = "protected" if election.ron == Election.Ron.PROTECTED else "ordinary"
                outcome = ers97.count(count_input, ron=ron, ron_candidate=ron_index, seed=election.seed + post.pk)
            except CountError as error:
                raise ElectionError(f"{post.name} could not be counted: {error}") from error
            winners = [candidates[i].pk for i in outcome.winners if not candidates[i].is_ron]
            results.append(
                CountResult.objects.create(
                    post=post,
                    record=outcome.to_dict(),
                    sheet=result_sheet(outcome),
                    winners=winners,
                    vacant_seats=post.seats - len(winners),
                    counted_by=actor,
                )
            )
        election.counted_at = timezone.now()
        election.save(update_fields=["counted_at"])
        audit.record("elections.election.counted", actor=actor, target=election, scope=election.society.audit_scope)
        emails.results_published(election)
    return results


def turnout(post: Post) -> tuple[int, int]:
    return post.vote_records.count(), eligible_voters(post.election).count()


def receipt_codes(post: Post) -> list[str]:
    """Published after the count so each voter can check their ballot was counted — in random order."""
    codes = list(Ballot.objects.filter(post=post).values_list("receipt_code", flat=True))
    random.shuffle(codes)
    return sorted(codes)


# --- Complaints and certification --------------------------------------------------------------


def file_complaint(election: Election, *, complainant: Any, text: str) -> Complaint:
    if not text.strip():
        raise ElectionError("Say what your complaint is.")
    if election.phase != "counted" or (election.complaints_close_at and timezone.now() > election.complaints_close_at):
        raise ElectionError("Complaints can be made after the count, until the complaints window closes.")
    if not is_eligible(complainant, election):
        raise ElectionError("Only members eligible to vote can complain about this election.")
    with transaction.atomic():
        complaint = Complaint.objects.create(election=election, complainant=complainant, text=text.strip())
        audit.record(
            "elections.complaint.filed", actor=complainant, target=election, scope=election.society.audit_scope
        )
        emails.complaint_filed(complaint)
    return complaint


def answer_complaint(complaint: Complaint, *, actor: Any, upheld: bool, response: str) -> Complaint:
    if actor is None or actor.pk != complaint.election.returning_officer_id:
        raise ElectionError("Only the returning officer answers complaints.")
    if not response.strip():
        raise ElectionError("Give the complainant a response.")
    with transaction.atomic():
        complaint.status = Complaint.Status.UPHELD if upheld else Complaint.Status.DISMISSED
        complaint.response = response.strip()
        complaint.save(update_fields=["status", "response"])
        audit.record(
            "elections.complaint.answered",
            actor=actor,
            target=complaint.election,
            scope=complaint.election.society.audit_scope,
            data={"upheld": upheld},
        )
    return complaint


def certify_election(election: Election, *, actor: Any) -> Election:
    """Once the complaints window has closed with none open, the winners become next term's committee."""
    if actor is None or actor.pk != election.returning_officer_id:
        raise ElectionError("Only the returning officer can certify this election.")
    with transaction.atomic():
        election = Election.objects.select_for_update().select_related("society").get(pk=election.pk)
        if election.phase != "counted":
            raise ElectionError("Only a counted, uncertified election can be certified.")
        if election.complaints_close_at and timezone.now() < election.complaints_close_at:
            raise ElectionError(f"The complaints window is open until {election.complaints_close_at:%-d %B %H:%M}.")
        if election.complaints.filter(status=Complaint.Status.OPEN).exists():
            raise ElectionError("Answer every complaint before certifying.")
        ends_on = academic_year_for(election.term_starts_on).end
        for post in election.posts.select_related("position", "result"):
            position = (
                post.position
                or Position.objects.get_or_create(society=election.society, name=post.name, defaults={"powers": []})[0]
            )
            for candidate in Candidate.objects.filter(pk__in=post.result.winners).select_related("user"):
                try:
                    grant_committee_term(
                        election.society,
                        candidate.user,  # type: ignore[arg-type]
                        position,
                        actor=actor,
                        starts_on=election.term_starts_on,
                        ends_on=ends_on,
                    )
                except SocietyError as error:  # e.g. graduated since the count: the returning officer decides
                    raise ElectionError(f"{candidate} cannot take office as {post.name}: {error}") from error
        election.certified_at = timezone.now()
        election.certified_by = actor
        election.save(update_fields=["certified_at", "certified_by"])
        audit.record("elections.election.certified", actor=actor, target=election, scope=election.society.audit_scope)
    return election


def notice_recipients(election: Election) -> list[str]:
    return list(eligible_voters(election).values_list("email", flat=True))


def union_staff() -> QuerySet[User]:
    return User.objects.filter(is_union_staff=True, is_active=True)
