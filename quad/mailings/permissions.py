"""Fetch-and-authorise helpers for society email. Every mailings view goes through one of these."""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.shortcuts import get_object_or_404

from quad.accounts.models import User
from quad.core.permissions import not_found
from quad.mailings.models import Mailing
from quad.mailings.rendering import read_unsubscribe_token
from quad.news.models import Article
from quad.societies.models import Society
from quad.societies.permissions import CommitteeAccess, committee_access, get_society_for_committee


def get_society_for_mailings(user: Any, slug: str, *, power: str | None = None) -> CommitteeAccess:
    """The society's email pages: its current committee may look; sending needs the email power
    and valid GDPR training."""
    return get_society_for_committee(user, slug, power=power)


def get_mailing_for_committee(user: Any, pk: int, *, power: str | None = None) -> tuple[CommitteeAccess, Mailing]:
    mailing = get_object_or_404(Mailing.objects.select_related("society", "event", "membership_type__product"), pk=pk)
    if not user.is_authenticated:
        raise not_found()
    access = committee_access(user, mailing.society, power=power)
    return access, mailing


def get_article_for_mailing(user: Any, pk: int, *, power: str) -> tuple[CommitteeAccess, Article]:
    article = get_object_or_404(Article.objects.select_related("society"), pk=pk)
    return committee_access(user, article.society, power=power), article


def get_mailing_for_staff(user: Any, pk: int) -> Mailing:
    """Union staff (the view is `staff_required`) may act on any mailing."""
    if not getattr(user, "is_union_staff", False):
        raise not_found()
    return get_object_or_404(Mailing.objects.select_related("society"), pk=pk)


def get_unsubscribe_target(token: str) -> tuple[User, Society]:
    """The member and society a signed unsubscribe link names. A link that was altered, or that names
    someone or something no longer here, raises signing.BadSignature: it is refused."""
    user_id, society_id = read_unsubscribe_token(token)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    society = Society.objects.filter(pk=society_id).first()
    if user is None or society is None:
        raise signing.BadSignature("The link names nobody here")
    return user, society
