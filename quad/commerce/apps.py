from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "quad.commerce"
    label = "commerce"
    verbose_name = "Commerce"

    def ready(self) -> None:
        from quad.commerce import receivers  # noqa: F401  (management-area links)
