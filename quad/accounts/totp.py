"""Current TOTP codes for an account: for the demo's staff sign-in and for browser tests."""

from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt

from quad.accounts.models import User

PERIOD = 30


def current_code(user: User, *, offset: int = 0) -> str:
    """The code an authenticator app shows now (offset in periods, for a second code in the same window)."""
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // PERIOD + offset))
