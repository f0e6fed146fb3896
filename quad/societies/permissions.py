"""Fetch-and-authorise helpers for societies. Every societies view goes through one of these.

A committee member has admin powers only while (a) their term is current, (b) their
position grants the power and (c) their GDPR training is valid; and only while the
society is active. Otherwise the management area is read-only, with the reason shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.shortcuts import get_object_or_404

from quad.accounts.queries import valid_training
from quad.core.permissions import forbidden, not_found
from quad.societies import queries
from quad.societies.models import CommitteeTerm, Power, Society


@dataclass
class CommitteeAccess:
    society: Society
    terms: list[CommitteeTerm]
    trained: bool
    powers: set[str] = field(default_factory=set)

    @property
    def active(self) -> bool:
        return self.society.status == Society.Status.ACTIVE

    @property
    def read_only(self) -> bool:
        return not (self.trained and self.active)

    def can(self, power: str) -> bool:
        return self.trained and self.active and power in self.powers

    def refusal(self, power: str) -> str:
        if self.society.status == Society.Status.SUSPENDED:
            reason = f" The union's reason: {self.society.status_reason}" if self.society.status_reason else ""
            return f"This society is suspended by the union: committee powers are frozen.{reason}"
        if self.society.status == Society.Status.FOLDED:
            return "This society has folded: its site is archived and read-only."
        if not self.trained:
            return "Committee powers need valid GDPR training. Take the training from your account page."
        return f"Your position does not include “{Power(power).label}”."


def can_view_society(user: Any, society: Society) -> bool:
    if society.is_public:
        return True
    if not user.is_authenticated:
        return False
    if user.is_union_staff or society.applied_by_id == user.pk:
        return True
    return society.proposed_committee.filter(email=user.email).exists()


def get_visible_society(user: Any, slug: str) -> Society:
    """A society's mini site or application: public once approved; before that, its applicants and staff only."""
    society = get_object_or_404(Society.objects.select_related("category"), slug=slug)
    if not can_view_society(user, society):
        raise not_found()
    return society


def get_society_application(user: Any, slug: str) -> Society:
    """An application names its founders by email: only they and union staff may read it, ever."""
    society = get_object_or_404(Society.objects.select_related("category"), slug=slug)
    if not user.is_authenticated:
        raise not_found()
    if user.is_union_staff or society.applied_by_id == user.pk:
        return society
    if society.proposed_committee.filter(email=user.email).exists():
        return society
    raise not_found()


def get_society_for_committee(user: Any, slug: str, *, power: str | None = None) -> CommitteeAccess:
    """The management area. Without `power`, read access for any current committee member;
    with it, the power must be exercisable now (trained, active society, position grants it)."""
    return committee_access(user, get_visible_society(user, slug), power=power)


def committee_access(user: Any, society: Society, *, power: str | None = None) -> CommitteeAccess:
    """As get_society_for_committee, for a society already fetched (e.g. with the event being managed)."""
    if not society.is_public:  # a public society is visible to everyone: can_view_society holds
        raise not_found()
    terms = queries.access_terms(user, society)
    if not terms:
        raise forbidden("Only the society's current committee can manage it.")
    access = CommitteeAccess(
        society=society,
        terms=terms,
        trained=bool(getattr(terms[0], "trained", False)),
        powers={p for term in terms for p in term.position.powers},
    )
    if power is not None and not access.can(power):
        raise forbidden(access.refusal(power))
    return access


def get_society_for_handover(user: Any, slug: str, *, to: str = "read") -> tuple[Society, bool, bool]:
    """Handover notes: (society, may_write, may_acknowledge); `to` is "read", "write" or "acknowledge".

    The outgoing (current) committee writes them; the incoming committee, whose terms
    start in the next academic year, reads and acknowledges them before their term begins.
    """
    society = get_visible_society(user, slug)
    if not society.is_public:
        raise not_found()
    current = queries.terms_of(user, society)
    upcoming = queries.upcoming_terms_of(user, society)
    if not current and not upcoming:
        raise forbidden("Only the current and incoming committee can see handover notes.")
    trained = valid_training(user) is not None
    may_write = bool(current) and trained and society.status == Society.Status.ACTIVE
    if to == "write" and not may_write:
        raise forbidden("Only the current committee, with valid GDPR training, can write handover notes.")
    if to == "acknowledge" and not upcoming:
        raise forbidden("Only the incoming committee can acknowledge the handover.")
    return society, may_write, bool(upcoming)


def get_society_for_staff(user: Any, slug: str) -> Society:
    if not (user.is_authenticated and user.is_union_staff):
        raise forbidden("This area is for students' union staff.")
    return get_object_or_404(Society.objects.select_related("category"), slug=slug)
