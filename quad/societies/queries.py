from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from quad.accounts.models import User
from quad.accounts.queries import valid_training_records
from quad.core.academic import current_academic_year
from quad.societies.models import CommitteeTerm, HandoverNote, Society


def directory(*, query: str = "", category_slug: str = "") -> QuerySet[Society]:
    societies = Society.objects.filter(status=Society.Status.ACTIVE).select_related("category")
    if query:
        societies = societies.filter(Q(name__icontains=query) | Q(purpose__icontains=query))
    if category_slug:
        societies = societies.filter(category__slug=category_slug)
    return societies.order_by("name")


def current_terms(society: Society, *, on: datetime.date | None = None) -> QuerySet[CommitteeTerm]:
    day = on or timezone.localdate()
    return (
        CommitteeTerm.objects.filter(society=society, starts_on__lte=day, ends_on__gte=day)
        .select_related("user", "position")
        .order_by("position__order", "position__name", "user__display_name")
    )


def upcoming_terms(society: Society) -> QuerySet[CommitteeTerm]:
    return (
        CommitteeTerm.objects.filter(society=society, starts_on__gt=timezone.localdate())
        .select_related("user", "position")
        .order_by("starts_on", "position__order")
    )


def terms_of(user: User, society: Society, *, on: datetime.date | None = None) -> list[CommitteeTerm]:
    if not user.is_authenticated:
        return []
    return list(current_terms(society, on=on).filter(user=user))


def access_terms(user: User, society: Society, *, on: datetime.date | None = None) -> list[CommitteeTerm]:
    """The person's current terms with their positions, for the committee check, in one lean query:
    each term also says whether the person's GDPR training is valid that day (`trained`, the same on
    every term). The committee's management area asks this on every request."""
    if not user.is_authenticated:
        return []
    day = on or timezone.localdate()
    return list(
        CommitteeTerm.objects.filter(society=society, user=user, starts_on__lte=day, ends_on__gte=day)
        .select_related("position")
        .annotate(trained=Exists(valid_training_records(on=day).filter(user=OuterRef("user_id"))))
        .order_by("position__order", "position__name")
    )


def upcoming_terms_of(user: User, society: Society) -> list[CommitteeTerm]:
    today = timezone.localdate()
    return list(
        CommitteeTerm.objects.filter(society=society, user=user, starts_on__gt=today).select_related("position")
    )


def committee_roles_of(user: User) -> QuerySet[CommitteeTerm]:
    """Current and future terms of a person, for their account page."""
    return (
        CommitteeTerm.objects.filter(user=user, ends_on__gte=timezone.localdate())
        .select_related("society", "position")
        .order_by("starts_on")
    )


def handover_for_next_year(society: Society) -> HandoverNote | None:
    return HandoverNote.objects.filter(society=society, year_start=current_academic_year().next().start).first()


def handover_status() -> list[tuple[Society, HandoverNote | None]]:
    """Each active society with its handover note for the coming academic year, if written."""
    year_start = current_academic_year().next().start
    notes = {n.society_id: n for n in HandoverNote.objects.filter(year_start=year_start)}
    return [(s, notes.get(s.pk)) for s in Society.objects.filter(status=Society.Status.ACTIVE).order_by("name")]
