from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "quad.core"
    label = "core"
    verbose_name = "Core"
