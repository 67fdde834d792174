from django.apps import AppConfig


class LocalOffersConfig(AppConfig):
    name = "local_offers"
    verbose_name = "Offres locales"

    def ready(self) -> None:
        from django.urls import reverse
        from django.utils.translation import gettext_lazy as _

        from local_offers import demo, permissions  # noqa: F401  (register the rules permissions)
        from local_offers.agreements import demo as agreement_demo
        from local_offers.agreements import events  # noqa: F401  (the agreement events)
        from local_offers.agreements.selectors import participant_ids
        from local_offers.privacy import (
            erase_vouchers,
            export_facilities,
            export_facility_imports,
            export_vouchers,
        )
        from local_offers.statistics import demo as statistics_demo
        from local_offers.vouchers import demo as voucher_demo
        from marketplace.accounts.privacy import register_eraser, register_exporter
        from marketplace.core.demo import register_demo
        from marketplace.errors import register_constraint_message
        from marketplace.messaging.registry import register_subject

        register_demo("local_offers", demo.load, after=("organisations",))
        register_demo("agreements", agreement_demo.load, after=("local_offers",))
        register_demo("vouchers", voucher_demo.load, after=("agreements",))
        register_demo("statistics", statistics_demo.load, after=("vouchers",))
        register_exporter("facilities", export_facilities)
        register_exporter("facility_imports", export_facility_imports)
        register_exporter("vouchers", export_vouchers)
        register_eraser(erase_vouchers)
        register_constraint_message(
            "facility_external_id_once_per_org",
            _("Un autre équipement de cet employeur porte déjà cet identifiant externe."),
        )
        register_constraint_message(
            "opening_hours_no_overlap", _("Cette plage chevauche une autre plage du même jour.")
        )
        register_constraint_message("closure_no_overlap", _("Cette fermeture chevauche une autre fermeture."))
        register_constraint_message(
            "agreement_in_force_no_overlap",
            _(
                "Une autre version de convention est déjà en vigueur pour cet équipement et cet avantage sur ces dates."
            ),
        )
        register_subject(
            "agreement",
            participants=participant_ids,
            title=lambda pk: _("Convention n°%(n)d") % {"n": pk},
            link=lambda pk: reverse("agreements:detail", args=[pk]),
        )
