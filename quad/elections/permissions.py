"""Fetch-and-authorise helpers for elections: one per object and role.

- Anyone who may see the society sees its elections: notices, candidates, manifestos and results.
- Organisers: the committee with the elections power and valid training, or union staff with two-factor
  sign-in. Any current committee member may look at the organisers' pages.
- Eligible members (active membership at the cut-off) stand, vote and complain.
- The returning officer (union staff, two-factor) counts, answers complaints and certifies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.shortcuts import get_object_or_404

from quad.accounts.permissions import has_totp
from quad.core.permissions import forbidden, not_found
from quad.elections.models import Candidate, Complaint, Election, Post
from quad.elections.services import is_eligible
from quad.societies.models import Power, Society
from quad.societies.permissions import CommitteeAccess, committee_access, get_visible_society


@dataclass(frozen=True)
class ElectionsAccess:
    """Who is organising: `committee` is the committee's access (for the management area), or None
    for union staff, who organise any society's elections."""

    society: Society
    committee: CommitteeAccess | None

    @property
    def may_organise(self) -> bool:
        return self.committee is None or self.committee.can(Power.ELECTIONS)

    @property
    def is_staff(self) -> bool:
        return self.committee is None


def _is_staff_organiser(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_union_staff and has_totp(user))


def _organiser_access(user: Any, society: Society, *, write: bool) -> ElectionsAccess:
    if _is_staff_organiser(user):
        return ElectionsAccess(society, None)
    return ElectionsAccess(society, committee_access(user, society, power=Power.ELECTIONS if write else None))


def get_society_for_elections(user: Any, slug: str, *, write: bool = False) -> ElectionsAccess:
    """A society's elections in the management area: read for its current committee, calling an
    election for the elections power (with training) or union staff."""
    return _organiser_access(user, get_visible_society(user, slug), write=write)


def get_election(user: Any, pk: int) -> Election:
    """An election's page is as public as its society's mini site: notices, candidates and results."""
    election = get_object_or_404(Election.objects.select_related("society", "returning_officer"), pk=pk)
    get_visible_society(user, election.society.slug)
    return election


def get_counted_election(user: Any, pk: int) -> Election:
    """Results, ballots and receipt codes exist only once the count is done."""
    election = get_election(user, pk)
    if election.counted_at is None:
        raise not_found()
    return election


def get_post(user: Any, election: Election, post_id: int) -> Post:
    return get_object_or_404(Post, pk=post_id, election=election)


def get_election_for_organiser(user: Any, pk: int, *, write: bool = True) -> tuple[Election, ElectionsAccess]:
    """The committee with the elections power (and training), or union staff with two-factor;
    without `write`, any current committee member may look."""
    election = get_object_or_404(Election.objects.select_related("society", "returning_officer"), pk=pk)
    return election, _organiser_access(user, election.society, write=write)


def can_organise(user: Any, slug: str) -> bool:
    try:
        return get_society_for_elections(user, slug, write=True).may_organise
    except Exception:  # PermissionDenied or Http404: simply not an organiser
        return False


def get_election_for_voter(user: Any, pk: int, *, doing: str) -> Election:
    """Standing, voting and complaining are for members eligible to vote (active at the cut-off)."""
    election = get_election(user, pk)
    if not is_eligible(user, election):
        raise forbidden(
            f"Only members of {election.society.name} whose membership was active on "
            f"{election.eligibility_cutoff:%-d %B %Y} can {doing}."
        )
    return election


def get_post_for_voter(user: Any, pk: int, post_id: int, *, doing: str) -> tuple[Election, Post]:
    election = get_election_for_voter(user, pk, doing=doing)
    return election, get_post(user, election, post_id)


def get_own_candidacy(user: Any, pk: int, candidate_id: int) -> Candidate:
    """A candidate withdraws themselves; nobody else's candidacy is there to find."""
    election = get_election(user, pk)
    return get_object_or_404(
        Candidate.objects.select_related("post__election__society"),
        pk=candidate_id,
        post__election=election,
        user_id=user.pk,
        is_ron=False,
    )


def get_election_for_returning_officer(user: Any, pk: int) -> Election:
    election = get_object_or_404(Election.objects.select_related("society", "returning_officer"), pk=pk)
    if not user.is_authenticated:
        raise not_found()
    if user.pk != election.returning_officer_id:
        raise forbidden("Only the returning officer can do this.")
    if not has_totp(user):
        raise forbidden("The returning officer must use two-factor sign-in.")
    return election


def get_complaint_for_returning_officer(user: Any, pk: int, complaint_id: int) -> Complaint:
    election = get_election_for_returning_officer(user, pk)
    complaint = get_object_or_404(Complaint, pk=complaint_id, election=election)
    complaint.election = election
    return complaint
