from django.apps import AppConfig


class SwapsConfig(AppConfig):
    name = "exchanges.swaps"
    label = "swaps"
    verbose_name = "Propositions d'échange"

    def ready(self) -> None:
        from django.urls import reverse
        from django.utils.translation import gettext_lazy as _

        from exchanges.swaps import demo, events, permissions  # noqa: F401  (events and rules permissions)
        from exchanges.swaps.privacy import erase_swaps, export_swaps
        from exchanges.swaps.selectors import party_ids
        from marketplace.accounts.privacy import register_eraser, register_exporter
        from marketplace.core.demo import register_demo
        from marketplace.errors import register_constraint_message
        from marketplace.messaging.registry import register_subject

        register_demo("swaps", demo.load, after=("exchanges",))
        register_exporter("swaps", export_swaps)
        # Before the homes' eraser (this app is listed before `exchanges`): a proposal goes with any party.
        register_eraser(erase_swaps)
        register_subject(
            "swap_proposal",
            participants=party_ids,
            title=lambda pk: _("Proposition d'échange n°%(n)d") % {"n": pk},
            link=lambda pk: reverse("swaps:detail", args=[pk]),
        )
        register_constraint_message(
            "stay_confirmed_no_overlap", _("Ce logement est déjà réservé sur une partie de ces dates.")
        )
