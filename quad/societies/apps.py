from django.apps import AppConfig


class SocietiesConfig(AppConfig):
    name = "quad.societies"
    label = "societies"
    verbose_name = "Societies"

    def ready(self) -> None:
        from quad.societies import receivers  # noqa: F401
