from django.apps import AppConfig


class MailingsConfig(AppConfig):
    name = "quad.mailings"
    label = "mailings"
    verbose_name = "Society email"

    def ready(self) -> None:
        from quad.mailings import (
            personal_data,  # noqa: F401  (subject access, erasure, retention)
            receivers,  # noqa: F401  (welcome email, account section, navigation, facts)
        )
