from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "quad.commerce"
    label = "commerce"
    verbose_name = "Commerce"

    def ready(self) -> None:
        from quad.commerce import (
            personal_data,  # noqa: F401  (registers what it holds with core.personal_data)
            receivers,  # noqa: F401  (management-area links)
        )
