"""RGPD: a person's notifications and e-mail preferences; erasure deletes both."""

from typing import Any

from marketplace.accounts.models import User
from marketplace.notifications.models import Notification, Preference
from marketplace.notifications.services import notification_text


def export_notifications(user: User) -> dict[str, Any]:
    return {
        "notifications": [
            {
                "topic": n.topic,
                "text": notification_text(n),
                "link": n.link,
                "created_at": n.created_at.isoformat(),
                "read_at": n.read_at.isoformat() if n.read_at else None,
            }
            for n in Notification.objects.filter(user=user).order_by("pk")
        ],
        "preferences": dict(Preference.objects.filter(user=user).values_list("topic", "delivery")),
    }


def erase_notifications(user: User) -> None:
    Notification.objects.filter(user=user).delete()
    Preference.objects.filter(user=user).delete()
