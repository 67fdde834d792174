from django.apps import AppConfig


class ExchangesConfig(AppConfig):
    name = "exchanges"
    verbose_name = "Échanges de logements"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from exchanges import demo, events, permissions  # noqa: F401  (register events and rules permissions)
        from exchanges.privacy import erase_homes, export_favourites, export_homes
        from marketplace.accounts.privacy import register_eraser, register_exporter
        from marketplace.core.demo import register_demo
        from marketplace.errors import register_constraint_message

        register_demo("exchanges", demo.load, after=("organisations",))
        register_exporter("homes", export_homes)
        register_exporter("favourites", export_favourites)  # erased with the account (cascade)
        register_eraser(erase_homes)
        register_constraint_message(
            "availability_no_overlap", _("Cette période chevauche une autre période de disponibilité.")
        )
