from django.apps import AppConfig


class MembershipsConfig(AppConfig):
    name = "quad.memberships"
    label = "memberships"
    verbose_name = "Memberships"

    def ready(self) -> None:
        from quad.memberships import (
            personal_data,  # noqa: F401  (registers what it holds with core.personal_data)
            receivers,  # noqa: F401  (fulfilment, account and mini-site sections)
        )
