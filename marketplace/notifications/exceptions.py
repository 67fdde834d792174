from django.utils.translation import gettext_lazy as _

from marketplace.errors import NotFound


class NotificationNotFound(NotFound):
    code = "notification_not_found"
    default_message = _("Notification introuvable.")
