"""Immutable decision events: who moved what from which state to which, when, and why."""

import pgtrigger
from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_type = models.CharField("type d'objet", max_length=60)
    object_id = models.CharField("identifiant", max_length=40)
    from_state = models.CharField("état avant", max_length=30, blank=True)
    to_state = models.CharField("état après", max_length=30)
    # The declared transition that moved it (models' django-fsm-2 methods), empty for other events.
    transition = models.CharField("transition", max_length=40, blank=True)
    comment = models.TextField("commentaire", blank=True)
    created_at = models.DateTimeField("date", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "événement d'audit"
        indexes = [models.Index(fields=["object_type", "object_id", "created_at"])]
        triggers = [
            # Nobody edits or deletes history, not even through raw SQL. The one exception is RGPD erasure,
            # which clears the actor under pgtrigger.ignore("audit.AuditEvent:protect_history").
            pgtrigger.Protect(name="protect_history", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.object_type}#{self.object_id}: {self.from_state or '∅'} → {self.to_state}"
