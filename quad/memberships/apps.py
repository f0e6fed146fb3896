from django.apps import AppConfig


class MembershipsConfig(AppConfig):
    name = "quad.memberships"
    label = "memberships"
    verbose_name = "Memberships"

    def ready(self) -> None:
        from quad.memberships import receivers  # noqa: F401  (fulfilment, account and mini-site sections)
