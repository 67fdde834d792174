from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "marketplace.messaging"
    label = "messaging"
    verbose_name = "Messagerie"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from marketplace.accounts.privacy import register_eraser, register_exporter
        from marketplace.errors import register_constraint_message
        from marketplace.messaging import events  # noqa: F401  (registers the events)
        from marketplace.messaging.privacy import erase_messaging, export_messaging

        register_exporter("messaging", export_messaging)
        register_eraser(erase_messaging)
        register_constraint_message("messaging_report_once", _("Vous avez déjà signalé ce message."))
