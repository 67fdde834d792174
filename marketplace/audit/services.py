import pgtrigger
from django.db import models

from marketplace.accounts.models import User
from marketplace.audit.models import AuditEvent


def audit_record(
    *,
    actor: User | None,
    obj: models.Model,
    from_state: str,
    to_state: str,
    comment: str = "",
    transition: str = "",
) -> AuditEvent:
    """Append one decision to the history (call it inside the service's transaction)."""
    return AuditEvent.objects.create(
        actor=actor,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        transition=transition,
    )


def audit_history(obj: models.Model) -> models.QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .select_related("actor")
        .order_by("created_at", "pk")
    )


def audit_erase_actor(user: User) -> None:
    """RGPD: the decisions stay, the person who took them is forgotten."""
    with pgtrigger.ignore("audit.AuditEvent:protect_history"):
        AuditEvent.objects.filter(actor=user).update(actor=None)


def audit_export(user: User) -> list[dict[str, str]]:
    return [
        {
            "object": f"{e.object_type}#{e.object_id}",
            "from": e.from_state,
            "to": e.to_state,
            "comment": e.comment,
            "at": e.created_at.isoformat(),
        }
        for e in AuditEvent.objects.filter(actor=user).order_by("created_at")
    ]
