from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "marketplace.audit"
    label = "audit"
    verbose_name = "Journal d'audit"
