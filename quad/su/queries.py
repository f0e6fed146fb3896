from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from quad.core.models import AuditEvent
from quad.societies.models import Society
from quad.su.models import FeaturedSociety


def featured_societies() -> QuerySet[FeaturedSociety]:
    return FeaturedSociety.objects.filter(society__status=Society.Status.ACTIVE).select_related(
        "society", "society__category"
    )


def societies_for_console(*, status: str = "") -> QuerySet[Society]:
    societies = Society.objects.select_related("category").annotate(
        committee_size=Count("terms", distinct=True), featured_count=Count("featured", distinct=True)
    )
    if status:
        societies = societies.filter(status=status)
    return societies.order_by("name")


def pending_applications() -> QuerySet[Society]:
    return Society.objects.filter(status=Society.Status.APPLIED).select_related("category", "applied_by")


def audit_log_for(society: Society, *, limit: int = 200) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(Q(scope=society.audit_scope)).select_related("actor")[:limit]
