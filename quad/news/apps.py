from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "quad.news"
    label = "news"
    verbose_name = "News"

    def ready(self) -> None:
        from quad.news import receivers  # noqa: F401  (mini-site section, navigation)
