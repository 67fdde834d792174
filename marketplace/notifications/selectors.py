"""Reads of the notifications: a user only ever sees their own (anyone else's id is a 404)."""

from django.db.models import QuerySet

from marketplace.accounts.models import User
from marketplace.notifications.exceptions import NotificationNotFound
from marketplace.notifications.models import UNSWITCHABLE, Delivery, Notification, Preference, Topic


def notifications_of(actor: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=actor)


def notification_get_for_actor(*, actor: User, notification_id: int) -> Notification:
    """Raises NotificationNotFound when missing or someone else's."""
    found = notifications_of(actor).filter(pk=notification_id).first()
    if found is None:
        raise NotificationNotFound()
    return found


def unread_count(actor: User | int) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).count()


def preferences_of(user: User | int) -> dict[str, str]:
    """Every topic's delivery (immediate without a row; security always immediate)."""
    chosen = dict(Preference.objects.filter(user=user).values_list("topic", "delivery"))
    return {
        topic: Delivery.IMMEDIATE.value
        if topic in UNSWITCHABLE
        else chosen.get(topic, Delivery.IMMEDIATE.value)
        for topic in Topic.values
    }
