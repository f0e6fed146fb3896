from django.apps import AppConfig


class SocietiesConfig(AppConfig):
    name = "quad.societies"
    label = "societies"
    verbose_name = "Societies"

    def ready(self) -> None:
        from quad.societies import (
            personal_data,  # noqa: F401  (registers what it holds with core.personal_data)
            receivers,  # noqa: F401
        )
