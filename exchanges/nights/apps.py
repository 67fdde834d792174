from django.apps import AppConfig


class NightsConfig(AppConfig):
    name = "exchanges.nights"
    label = "nights"
    verbose_name = "Nuits solidaires"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from exchanges.nights import demo
        from exchanges.nights.privacy import erase_nights, export_nights
        from marketplace.accounts.privacy import register_eraser, register_exporter
        from marketplace.core.demo import register_demo
        from marketplace.errors import register_constraint_message

        register_demo("nights", demo.load, after=("swaps",))
        register_exporter("nights", export_nights)
        # Before the swaps' eraser (listed before it): the nights reserved by the erased person's open
        # stays go back before the proposals are deleted.
        register_eraser(erase_nights)
        register_constraint_message("night_balance_not_negative", _("Solde de nuits insuffisant."))
