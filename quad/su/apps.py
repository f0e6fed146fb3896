from django.apps import AppConfig


class SuConfig(AppConfig):
    name = "quad.su"
    label = "su"
    verbose_name = "Union console"

    def ready(self) -> None:
        from quad.su import personal_data  # noqa: F401  (subject access, erasure)
