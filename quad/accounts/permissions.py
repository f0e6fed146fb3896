"""Who may do what with accounts, and the gates other apps share (student, staff)."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse

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


def signed_in_freshly(request: HttpRequest) -> bool:
    """Has the person confirmed who they are in the last few minutes (allauth's reauthentication)?

    Someone with an authenticator app must have used it: a password alone is not enough for them.
    Only reauthentication counts, as allauth counts it for changing two-factor settings: a session
    that began with a sign-in long ago proves nothing about who is at the keyboard now.
    """
    user = request.user
    if not user.is_authenticated:
        return False
    wanted = {"mfa"} if has_totp(user) else {"mfa", "password"}  # type: ignore[arg-type]
    since = time.time() - settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
    return any(
        record.get("reauthenticated") and record.get("method") in wanted and record.get("at", 0) >= since
        for record in get_authentication_records(request, user)
    )


def require_fresh_sign_in(request: HttpRequest, *, come_back_to: str | None = None) -> HttpResponse | None:
    """For dangerous actions (STYLE.md rule 11): None if the person signed in freshly, otherwise a
    redirect to allauth's reauthentication (the authenticator app for those who have one) that comes
    back to this page. A POST is not replayed: they come back to the page and press the button again,
    knowing what it does. A POST-only URL names the page with the button as `come_back_to` (a GET of
    the URL itself would be refused)."""
    if signed_in_freshly(request):
        return None
    page = come_back_to or (request.get_full_path() if request.method == "GET" else request.path)
    step = "mfa_reauthenticate" if has_totp(request.user) else "account_reauthenticate"  # type: ignore[arg-type]
    return HttpResponseRedirect(f"{reverse(step)}?{urlencode({REDIRECT_FIELD_NAME: page})}")
