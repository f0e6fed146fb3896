from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "quad.elections"
    label = "elections"
    verbose_name = "Elections"

    def ready(self) -> None:
        from quad.elections import (
            personal_data,  # noqa: F401  (registers what it holds with core.personal_data)
            receivers,  # noqa: F401  (mini-site and management navigation)
        )
