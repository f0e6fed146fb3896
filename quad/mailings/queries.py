from __future__ import annotations

from django.db.models import Count, QuerySet

from quad.mailings.models import Delivery, Mailing
from quad.societies.models import Society


def mailings_of(society: Society) -> QuerySet[Mailing]:
    return Mailing.objects.filter(society=society).select_related("created_by", "event", "membership_type__product")


def progress(mailing: Mailing) -> dict[str, int]:
    """Deliveries by status, e.g. {"queued": 10, "sent": 90, ...}, plus "total" and "done"."""
    counts = dict.fromkeys(Delivery.Status.values, 0)
    for row in Delivery.objects.filter(mailing=mailing).values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    counts["total"] = sum(counts[status] for status in Delivery.Status.values)
    counts["done"] = counts[Delivery.Status.SENT] + counts[Delivery.Status.FAILED]
    counts["in_flight"] = counts["total"] - counts["done"]
    return counts


def failure_reasons(mailing: Mailing) -> list[tuple[str, int]]:
    """Why deliveries failed, counted: reasons only, never addresses."""
    rows = (
        Delivery.objects.filter(mailing=mailing, status=Delivery.Status.FAILED)
        .values("error")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    return [(row["error"], row["n"]) for row in rows]


def held_for_quiet_hours() -> QuerySet[Mailing]:
    return Mailing.objects.filter(status=Mailing.Status.SCHEDULED, held_for_quiet_hours=True).select_related("society")
