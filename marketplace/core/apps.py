from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "marketplace.core"
    label = "core"
    verbose_name = "Socle"
