"""Fetch-and-authorise helpers for elections."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from quad.accounts.permissions import has_totp
from quad.core.permissions import forbidden, not_found
from quad.elections.models import Election, Post
from quad.societies.models import Power
from quad.societies.permissions import get_society_for_committee, get_visible_society


def get_election(user: Any, pk: int) -> Election:
    """An election's page is as public as its society's mini site: notices, candidates and results."""
    election = get_object_or_404(Election.objects.select_related("society", "returning_officer"), pk=pk)
    get_visible_society(user, election.society.slug)
    return election


def get_post(user: Any, election: Election, post_id: int) -> Post:
    return get_object_or_404(Post, pk=post_id, election=election)


def get_election_for_organiser(user: Any, pk: int, *, write: bool = True) -> Election:
    """The committee with the elections power (and training), or union staff with two-factor."""
    election = get_object_or_404(Election.objects.select_related("society"), pk=pk)
    if user.is_authenticated and user.is_union_staff and has_totp(user):
        return election
    get_society_for_committee(user, election.society.slug, power=Power.ELECTIONS if write else None)
    return election


def can_organise(user: Any, slug: str) -> bool:
    if user.is_authenticated and user.is_union_staff and has_totp(user):
        return True
    try:
        get_society_for_committee(user, slug, power=Power.ELECTIONS)
    except Exception:  # PermissionDenied or Http404: simply not an organiser
        return False
    return True


def get_election_for_returning_officer(user: Any, pk: int) -> Election:
    election = get_object_or_404(Election.objects.select_related("society", "returning_officer"), pk=pk)
    if not user.is_authenticated:
        raise not_found()
    if user.pk != election.returning_officer_id:
        raise forbidden("Only the returning officer can do this.")
    if not has_totp(user):
        raise forbidden("The returning officer must use two-factor sign-in.")
    return election
