from django.apps import AppConfig


class ClearingConfig(AppConfig):
    name = "exchanges.clearing"
    label = "clearing"
    verbose_name = "Proposition d'échange du mois"

    def ready(self) -> None:
        from exchanges.clearing import permissions  # noqa: F401  (rules permissions)
