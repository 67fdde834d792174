from django.apps import AppConfig


class LocalOffersConfig(AppConfig):
    name = "local_offers"
    verbose_name = "Offres locales"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from local_offers import demo, permissions  # noqa: F401  (register the rules permissions)
        from local_offers.privacy import export_facilities
        from marketplace.accounts.privacy import register_exporter
        from marketplace.core.demo import register_demo
        from marketplace.errors import register_constraint_message

        register_demo("local_offers", demo.load, after=("organisations",))
        register_exporter("facilities", export_facilities)
        register_constraint_message(
            "facility_external_id_once_per_org",
            _("Un autre équipement de cet employeur porte déjà cet identifiant externe."),
        )
        register_constraint_message(
            "opening_hours_no_overlap", _("Cette plage chevauche une autre plage du même jour.")
        )
        register_constraint_message("closure_no_overlap", _("Cette fermeture chevauche une autre fermeture."))
