from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "quad.news"
    label = "news"
    verbose_name = "News"

    def ready(self) -> None:
        from quad.news import (
            personal_data,  # noqa: F401  (subject access, erasure, retention)
            receivers,  # noqa: F401  (mini-site section, navigation)
        )
