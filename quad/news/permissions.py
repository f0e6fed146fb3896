"""Fetch-and-authorise helpers for news. Every news view goes through one of these."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from quad.core.permissions import forbidden, not_found
from quad.news.models import Article
from quad.societies.models import Power, Society
from quad.societies.permissions import CommitteeAccess, committee_access, get_visible_society
from quad.societies.queries import terms_of


def get_society_for_news(user: Any, slug: str) -> Society:
    """A society's news page and feed: for any society whose mini site is public. An application's
    applicants may see it, but it has no news to show: to everyone it does not exist yet."""
    society = get_visible_society(user, slug)
    if not society.is_public:
        raise not_found()
    return society


def get_visible_article(user: Any, slug: str, article_slug: str) -> Article:
    """A draft or a scheduled article exists only for the society's current committee, who may
    preview it; to anyone else (union staff too) it is not found until it is published."""
    society = get_society_for_news(user, slug)
    article = get_object_or_404(Article.objects.select_related("author"), society=society, slug=article_slug)
    article.society = society
    if not article.is_public and not terms_of(user, society):
        raise not_found()
    return article


def get_article_for_committee(
    user: Any, pk: int, *, power: str | None = Power.MANAGE_SITE
) -> tuple[CommitteeAccess, Article]:
    """The article and the committee's access to its society. `power=None` lets any current committee
    member look (read-only); changing it needs the mini-site power and valid training."""
    article = get_object_or_404(Article.objects.select_related("society", "society__category"), pk=pk)
    return committee_access(user, article.society, power=power), article


def get_article_for_staff(user: Any, pk: int) -> Article:
    """Featuring on the front page: union staff (the view is behind `staff_required` as well)."""
    if not (getattr(user, "is_authenticated", False) and user.is_union_staff):
        raise forbidden("Only union staff can feature news on the front page.")
    return get_object_or_404(Article.objects.select_related("society"), pk=pk)
