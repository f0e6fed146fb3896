from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "quad.shop"
    label = "shop"
    verbose_name = "Shop"

    def ready(self) -> None:
        from quad.shop import (
            personal_data,  # noqa: F401  (registers what it holds with core.personal_data)
            receivers,  # noqa: F401  (merch fulfilment, mini-site section, navigation)
        )
