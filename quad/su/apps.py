from django.apps import AppConfig


class SuConfig(AppConfig):
    name = "quad.su"
    label = "su"
    verbose_name = "Union console"
