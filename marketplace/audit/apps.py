from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "marketplace.audit"
    label = "audit"
    verbose_name = "Journal d'audit"

    def ready(self) -> None:
        from marketplace.accounts.privacy import register_eraser, register_exporter
        from marketplace.audit.services import audit_erase_actor, audit_export

        register_exporter("decisions", audit_export)
        register_eraser(audit_erase_actor)
