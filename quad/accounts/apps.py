from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "quad.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from quad.accounts import (
            personal_data,  # noqa: F401  (registers what it holds with core.personal_data)
            receivers,  # noqa: F401  (connects allauth's signals)
        )
