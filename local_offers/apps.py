from django.apps import AppConfig


class LocalOffersConfig(AppConfig):
    name = "local_offers"
    verbose_name = "Offres locales"

    def ready(self) -> None:
        from local_offers import permissions  # noqa: F401  (register the rules permissions)
