"""Which articles show where. Public means published, its publish date come, and its society's mini
site public; the union-wide page, its feed and the front page show active societies only."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from quad.news.models import Article
from quad.societies.models import Society

FRONT_PAGE_LIMIT = 3
SECTION_LIMIT = 3


def published() -> QuerySet[Article]:
    return Article.objects.filter(
        status=Article.Status.PUBLISHED,
        publish_at__lte=timezone.now(),
        society__status__in=Society.PUBLIC_STATUSES,
    ).select_related("society")


def union_news() -> QuerySet[Article]:
    return published().filter(society__status=Society.Status.ACTIVE)


def society_news(society: Society) -> QuerySet[Article]:
    return published().filter(society=society)


def latest_for_society(society: Society, *, limit: int = SECTION_LIMIT) -> list[Article]:
    return list(society_news(society)[:limit])


def featured(*, limit: int = FRONT_PAGE_LIMIT) -> list[Article]:
    """For the front page: newest featured first."""
    return list(union_news().filter(featured_at__isnull=False).order_by("-featured_at", "-id")[:limit])


def for_committee(society: Society) -> QuerySet[Article]:
    """Every article of the society, drafts and scheduled ones too."""
    return Article.objects.filter(society=society).select_related("author")


def drafts(society: Society) -> QuerySet[Article]:
    return for_committee(society).filter(status=Article.Status.DRAFT)
