"""Who may use the privacy tools. A person's own data is theirs (signed in); other people's data is for
union staff with two-factor sign-in (the views also pass `staff_required`)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from quad.accounts.models import User
from quad.core.permissions import forbidden


def require_union_staff(user: Any) -> None:
    if not (user.is_authenticated and getattr(user, "is_union_staff", False)):
        raise forbidden("This area is for students' union staff.")


def get_person_for_staff(user: Any, pk: int) -> User:
    """Anyone's account, for union staff handling a subject access or erasure request."""
    require_union_staff(user)
    return get_object_or_404(User, pk=pk)


def get_own_account(user: Any) -> User:
    """The signed-in person's own account, if it has not been erased."""
    if not user.is_authenticated or user.erased_at is not None:
        raise forbidden("Sign in first.")
    return user  # type: ignore[no-any-return]
