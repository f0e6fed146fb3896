from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from quad.commerce.services import places_left
from quad.core.academic import current_academic_year
from quad.memberships.models import GraduateDeparture, Membership, MembershipType
from quad.societies.models import Society


def current_members(society: Society, *, query: str = "", on: datetime.date | None = None) -> QuerySet[Membership]:
    day = on or timezone.localdate()
    members = Membership.objects.filter(
        society=society, status=Membership.Status.ACTIVE, starts_on__lte=day, ends_on__gte=day
    ).select_related("user", "membership_type__product")
    if query:
        members = members.filter(Q(user__display_name__icontains=query) | Q(user__email__icontains=query))
    return members.order_by("user__display_name", "id")


def types_for(society: Society) -> QuerySet[MembershipType]:
    return (
        MembershipType.objects.filter(society=society)
        .select_related("product", "variant", "quota")
        .annotate(
            active_count=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE), distinct=True)
        )
    )


def on_sale(society: Society) -> list[tuple[MembershipType, int | None]]:
    """This year's membership types that can be bought now, with places left (None: no limit)."""
    now = timezone.now()
    year = current_academic_year()
    types = (
        MembershipType.objects.filter(society=society, year_start=year.start, product__is_active=True)
        .filter(Q(product__sale_starts_at__isnull=True) | Q(product__sale_starts_at__lte=now))
        .filter(Q(product__sale_ends_at__isnull=True) | Q(product__sale_ends_at__gt=now))
        .select_related("product", "variant")
        .prefetch_related("variant__quotas")
    )
    return [(t, places_left(t.variant)) for t in types]


def memberships_of(user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("society", "membership_type__product")


def recent_departures(limit: int = 100) -> QuerySet[GraduateDeparture]:
    return GraduateDeparture.objects.select_related("user").order_by("-swept_at", "-warned_at")[:limit]


def departures(*, start: datetime.date | None = None, end: datetime.date | None = None) -> QuerySet[GraduateDeparture]:
    """Graduates the sweep has removed, newest first; `start` and `end` (inclusive) bound the day swept."""
    found = GraduateDeparture.objects.filter(swept_at__isnull=False).select_related("user")
    if start is not None:
        found = found.filter(swept_at__date__gte=start)
    if end is not None:
        found = found.filter(swept_at__date__lte=end)
    return found.order_by("-swept_at", "-id")


def warned_not_swept() -> QuerySet[GraduateDeparture]:
    """Students told their course ends soon whom the sweep has not yet removed, soonest first."""
    return (
        GraduateDeparture.objects.filter(warned_at__isnull=False, swept_at__isnull=True)
        .select_related("user")
        .order_by("course_ended_on", "id")
    )
