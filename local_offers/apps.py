from django.apps import AppConfig


class LocalOffersConfig(AppConfig):
    name = "local_offers"
    verbose_name = "Offres locales"
