from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "quad.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from quad.accounts import receivers  # noqa: F401  (connects allauth's signals)
