from django.apps import AppConfig


class ConductConfig(AppConfig):
    name = "quad.conduct"
    label = "conduct"
    verbose_name = "Code of conduct"

    def ready(self) -> None:
        from quad.conduct import (
            personal_data,  # noqa: F401  (subject access, erasure, retention)
            receivers,  # noqa: F401  (chat's removal signal, suspension block, retention hold)
        )
