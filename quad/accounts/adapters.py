from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.http import HttpRequest

from quad.accounts import services
from quad.accounts.forms import course_end_from_year
from quad.accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        user.display_name = data.get("display_name", "") or user.email.split("@")[0]
        user.course_ends_on = course_end_from_year(data.get("course_end_year", ""))
        if commit:
            user.save()
        return user


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """University single sign-on: the identity provider vouches for the address."""

    def save_user(self, request: HttpRequest, sociallogin: Any, form: Any = None) -> User:
        user: User = super().save_user(request, sociallogin, form)
        claims = sociallogin.account.extra_data or {}
        name = claims.get("name") or claims.get("given_name") or ""
        if name and not user.display_name:
            user.display_name = name[:80]
            user.save(update_fields=["display_name"])
        if claims.get("email_verified"):
            services.record_email_verified(user, user.email, actor=user)
        return user
