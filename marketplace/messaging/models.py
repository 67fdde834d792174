"""Conversations (direct between two people, or about an object of another app), their participants and
messages; blocks between people and reports of messages to the moderators."""

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

MESSAGE_MAX_CHARS = 4000
EDIT_WINDOW_MINUTES = 15


class ConversationQuerySet(models.QuerySet["Conversation"]):
    def visible_to(self, user: Any) -> "ConversationQuerySet":
        """Only participants see a conversation (and its messages)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(participants__user=user)


class Conversation(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", "directe"
        SUBJECT = "subject", "à propos d'un objet"

    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    # Direct: "<smaller user id>:<larger user id>", so a pair has one conversation (NULL once one of them is
    # erased). About an object: the registered subject type and the object's id (see registry.py).
    direct_key = models.CharField(  # noqa: DJ001  (NULL, unlike "", is not unique)
        "paire", max_length=41, null=True, blank=True, editable=False
    )
    subject_type = models.CharField("type d'objet", max_length=40, blank=True)
    subject_id = models.BigIntegerField("identifiant de l'objet", null=True, blank=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    last_activity_at = models.DateTimeField("dernière activité", default=timezone.now)

    objects: ClassVar[ConversationQuerySet] = ConversationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "conversation"
        constraints = [
            models.UniqueConstraint(fields=["direct_key"], name="messaging_direct_pair_unique"),
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"],
                condition=Q(kind="subject"),
                name="messaging_subject_unique",
            ),
            models.CheckConstraint(
                condition=Q(kind="direct", subject_type="", subject_id__isnull=True)
                | Q(kind="subject", direct_key__isnull=True, subject_id__isnull=False) & ~Q(subject_type=""),
                name="messaging_conversation_kind_fields",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.SUBJECT:
            return f"{self.subject_type}#{self.subject_id}"
        return f"conversation #{self.pk}"


class Participant(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conversation_participations",
        db_index=False,
    )
    # The id of the last message this participant has read (0: none); it only moves forward.
    last_read_id = models.BigIntegerField("dernier message lu", default=0)
    joined_at = models.DateTimeField("arrivé le", default=timezone.now)

    class Meta:
        verbose_name = "participant"
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="messaging_participant_unique"),
            models.CheckConstraint(condition=Q(last_read_id__gte=0), name="messaging_last_read_positive"),
        ]
        indexes = [models.Index(fields=["user", "conversation"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class Message(models.Model):
    class Kind(models.TextChoices):
        USER = "user", "message"
        SYSTEM = "system", "message du système"

    # Server id: increasing, the order of a conversation and the key of catch-up (`after_id`).
    id = models.BigAutoField(primary_key=True)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    kind = models.CharField("type", max_length=10, choices=Kind.choices, default=Kind.USER)
    # NULL for a system message, and for the messages of an erased account (shown as a former member).
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages_sent",
    )
    # Chosen by the client: a retried send with the same one returns the message already stored.
    client_id = models.CharField(  # noqa: DJ001  (NULL for system messages: outside the unique constraint)
        "identifiant client", max_length=64, null=True, blank=True
    )
    text = models.TextField("texte", blank=True)
    created_at = models.DateTimeField("envoyé le", default=timezone.now)
    edited_at = models.DateTimeField("modifié le", null=True, blank=True)
    deleted_at = models.DateTimeField("supprimé le", null=True, blank=True)

    class Meta:
        verbose_name = "message"
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "client_id"],
                condition=Q(sender__isnull=False, client_id__isnull=False),
                name="messaging_message_client_id_unique",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), MESSAGE_MAX_CHARS),
                name="messaging_message_text_length",
            ),
            models.CheckConstraint(
                condition=Q(kind="user") | Q(sender__isnull=True), name="messaging_system_has_no_sender"
            ),
        ]
        indexes = [models.Index(fields=["conversation", "id"])]

    def __str__(self) -> str:
        return f"message #{self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class MessageRevision(models.Model):
    """The text a message had before an edit (kept: an edit leaves a trace)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="revisions")
    text = models.TextField("texte précédent", blank=True)
    replaced_at = models.DateTimeField("remplacé le", default=timezone.now)

    class Meta:
        verbose_name = "version d'un message"

    def __str__(self) -> str:
        return f"revision of {self.message_id}"


class Block(models.Model):
    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks", db_index=False
    )
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField("bloqué le", default=timezone.now)

    class Meta:
        verbose_name = "blocage"
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="messaging_block_unique"),
            models.CheckConstraint(
                condition=~Q(blocker=models.F("blocked")), name="messaging_block_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class Report(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "à examiner"
        HANDLED = "handled", "traité"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField("motif", blank=True)
    # The text as it was when reported: a later edit or deletion does not hide it from the moderators.
    text_as_reported = models.TextField("texte signalé", blank=True)
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField("signalé le", default=timezone.now)
    handled_at = models.DateTimeField("traité le", null=True, blank=True)

    class Meta:
        verbose_name = "signalement"
        constraints = [
            models.UniqueConstraint(
                fields=["message", "reporter"],
                condition=Q(reporter__isnull=False),
                name="messaging_report_once",
            )
        ]

    def __str__(self) -> str:
        return f"report of message {self.message_id}"


def _private_storage() -> Any:
    """Attachments live outside MEDIA_ROOT, in the "private" storage: no URL serves them but the view that
    checks participation (marketplace.messaging.views.attachment_download)."""
    from django.core.files.storage import storages

    return storages["private"]


class Attachment(models.Model):
    """A file sent in a conversation: uploaded first (message NULL), then sent with one message."""

    class Kind(models.TextChoices):
        IMAGE = "image", "image"
        PDF = "pdf", "PDF"

    MAX_NAME = 120

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="attachments")
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachment"
    )
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    file = models.FileField("fichier", storage=_private_storage, upload_to="messaging/", max_length=200)
    name = models.CharField("nom", max_length=MAX_NAME)
    size = models.PositiveIntegerField("taille (octets)")
    width = models.PositiveIntegerField("largeur", null=True, blank=True)
    height = models.PositiveIntegerField("hauteur", null=True, blank=True)
    created_at = models.DateTimeField("envoyée le", default=timezone.now)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="pdf") | Q(width__isnull=False, height__isnull=False),
                name="messaging_attachment_image_size",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def content_type(self) -> str:
        return "application/pdf" if self.kind == self.Kind.PDF else "image/jpeg"
