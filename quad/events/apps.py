from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "quad.events"
    label = "events"
    verbose_name = "Events"

    def ready(self) -> None:
        from quad.events import (
            personal_data,  # noqa: F401  (registers what it holds with core.personal_data)
            receivers,  # noqa: F401  (ticket fulfilment, mini-site and account sections)
        )
