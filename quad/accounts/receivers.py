"""Reactions to allauth's signals."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import email_confirmed
from django.dispatch import receiver
from django.http import HttpRequest

from quad.accounts import services


@receiver(email_confirmed)
def on_email_confirmed(sender: Any, request: HttpRequest | None, email_address: Any, **kwargs: Any) -> None:
    user = email_address.user
    services.record_email_verified(user, email_address.email, actor=user)
