from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "quad.privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from quad.privacy import registrations  # noqa: F401  (core's own data: audit events, access log)
