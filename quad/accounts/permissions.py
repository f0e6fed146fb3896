"""Who may do what with accounts, and the gates other apps share (student, staff)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from quad.accounts.models import User
from quad.core.permissions import forbidden


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def require_student(user: Any, *, doing: str = "do that") -> User:
    """The signed-in user, if a current student; otherwise 403 with a reason fit to show."""
    if not user.is_authenticated:
        raise forbidden("Sign in first.")
    if user.is_graduate:
        raise forbidden(f"Graduates can no longer {doing}: it is for current students only.")
    if not user.is_student:
        raise forbidden(
            f"Only current students can {doing}. Sign up with your university student email address and verify it."
        )
    return user


ViewFunc = Callable[..., HttpResponse]


def login_required(view: ViewFunc) -> ViewFunc:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def staff_required(view: ViewFunc) -> ViewFunc:
    """Union staff only, and only once they have set up TOTP two-factor sign-in."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not getattr(user, "is_union_staff", False):
            raise forbidden("This area is for students' union staff.")
        if not has_totp(user):  # type: ignore[arg-type]
            messages.warning(request, "Union staff must set up two-factor sign-in before using the console.")
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapped
