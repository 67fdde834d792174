"""A notification per recipient of a topical event (marketplace/events.py), and each user's e-mail choices."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    MESSAGE = "message", _("Messages")
    PROPOSAL = "proposal", _("Propositions d'échange")
    AGREEMENT = "agreement", _("Conventions")
    VOUCHER = "voucher", _("Bons")
    ACCOUNT = "account", _("Compte et employeur")
    SECURITY = "security", _("Sécurité")


# Security notifications are always e-mailed at once: they cannot be switched off or delayed.
UNSWITCHABLE = frozenset({Topic.SECURITY})


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("Tout de suite")
    DIGEST = "digest", _("Dans le résumé du jour")
    OFF = "off", _("Jamais")


class Notification(models.Model):
    """The event's name and payload are kept, not its text: the text is rendered in the viewer's language."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    topic = models.CharField(max_length=20, choices=Topic.choices)
    event = models.CharField(max_length=80)
    payload = models.JSONField(default=dict)
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-id"], name="notification_user_recent"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_user_unread"),
            models.Index(
                fields=["user"], condition=Q(mailed_at__isnull=True), name="notification_user_unmailed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.user_id}"


class Preference(models.Model):
    """A topic without a row is e-mailed at once (the default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        db_index=False,
    )
    topic = models.CharField(max_length=20, choices=Topic.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="preference_one_per_topic"),
            models.CheckConstraint(
                condition=~Q(topic="security") | Q(delivery="immediate"), name="preference_security_immediate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.topic}: {self.delivery}"
