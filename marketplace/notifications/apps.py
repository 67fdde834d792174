from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "marketplace.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from marketplace.accounts.privacy import register_eraser, register_exporter
        from marketplace.events import set_notifier
        from marketplace.notifications import events  # noqa: F401  (registers the events)
        from marketplace.notifications.privacy import erase_notifications, export_notifications
        from marketplace.notifications.services import notifications_record

        set_notifier(notifications_record)
        register_exporter("notifications", export_notifications)
        register_eraser(erase_notifications)
