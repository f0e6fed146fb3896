from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from quad.accounts.models import User
    from quad.accounts.sections import Section


class PrivacyConfig(AppConfig):
    name = "quad.privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from quad.accounts.sections import register
        from quad.privacy import (
            receivers,  # noqa: F401  (a closed case finishes erasures it held back)
            registrations,  # noqa: F401  (core's own data: audit events, access log)
        )

        register(900, _account_section)


def _account_section(user: User) -> Section | None:
    from quad.accounts.sections import Section

    return Section("privacy/account_section.html", {})
