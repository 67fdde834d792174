from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "marketplace.organisations"
    label = "organisations"
    verbose_name = "Employeurs adhérents"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from marketplace.accounts.privacy import register_eraser, register_exporter
        from marketplace.core.demo import register_demo
        from marketplace.errors import register_constraint_message
        from marketplace.organisations import (
            demo,
            events,  # noqa: F401  (registers the events)
            permissions,  # noqa: F401  (registers the rules permissions)
        )
        from marketplace.organisations.privacy import erase_invitations, export_invitations, export_roles

        register_demo("organisations", demo.load, after=("accounts",))
        register_exporter("employers", export_roles)
        register_exporter("staff_invitations", export_invitations)
        register_eraser(erase_invitations)
        register_constraint_message(
            "membership_period_no_overlap", _("Cette période chevauche une autre période d'adhésion.")
        )
        # The name PostgreSQL gave the `unique=True` of Organisation.siren (tests check every registered name).
        register_constraint_message(
            "organisations_organisation_siren_key", _("Un employeur adhérent porte déjà ce SIREN.")
        )
        register_constraint_message(
            "employment_one_open_per_employer",
            _("Une demande ou un emploi est déjà en cours chez cet employeur."),
        )
