"""RGPD: a person's conversations and messages. Erasure blanks their messages (the rows stay, so the others'
threads keep their shape, shown as from a former member), their earlier versions and what was reported of
them; participations and blocks go with the account (cascade)."""

from typing import Any

from django.db.models import Q
from django.utils import timezone

from marketplace.accounts.models import User
from marketplace.messaging.models import Block, Conversation, Message, MessageRevision, Participant, Report


def export_messaging(user: User) -> dict[str, Any]:
    return {
        "conversations": [
            {"id": p.conversation_id, "kind": p.conversation.kind, "last_read_id": p.last_read_id}
            for p in Participant.objects.filter(user=user).select_related("conversation").order_by("pk")
        ],
        "messages": [
            {
                "id": m.pk,
                "conversation": m.conversation_id,
                "text": m.text,
                "created_at": m.created_at.isoformat(),
                "edited_at": m.edited_at.isoformat() if m.edited_at else None,
                "deleted": m.deleted_at is not None,
                "earlier_versions": [r.text for r in m.revisions.all()],
            }
            for m in Message.objects.filter(sender=user).prefetch_related("revisions").order_by("pk")
        ],
        "blocked_users": list(Block.objects.filter(blocker=user).values_list("blocked_id", flat=True)),
        "reports": [
            {"message": r.message_id, "reason": r.reason, "created_at": r.created_at.isoformat()}
            for r in Report.objects.filter(reporter=user).order_by("pk")
        ],
    }


def erase_messaging(user: User) -> None:
    mine = Message.objects.filter(sender=user)
    MessageRevision.objects.filter(message__in=mine).update(text="")
    Report.objects.filter(message__in=mine).update(text_as_reported="")
    Report.objects.filter(reporter=user).update(reason="")
    mine.filter(deleted_at__isnull=True).update(deleted_at=timezone.now())
    mine.update(text="", client_id=None)
    # The pair key names the person's id: a former member's conversation is not reopened through it.
    key = str(user.pk)
    Conversation.objects.filter(
        Q(direct_key__startswith=f"{key}:") | Q(direct_key__endswith=f":{key}")
    ).update(direct_key=None)
