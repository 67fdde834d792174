from django.utils.translation import gettext_lazy as _

from marketplace.errors import Conflict, Forbidden, InvalidState, NotFound


class ConversationNotFound(NotFound):
    code = "conversation_not_found"
    default_message = _("Conversation introuvable.")


class MessageNotFound(NotFound):
    code = "message_not_found"
    default_message = _("Message introuvable.")


class UserNotFound(NotFound):
    code = "user_not_found"
    default_message = _("Personne introuvable.")


class Blocked(Forbidden):
    code = "blocked"
    default_message = _("Vous ne pouvez pas écrire à cette personne.")


class NotMessageSender(Forbidden):
    code = "not_message_sender"
    default_message = _("Seul l'auteur du message peut faire cela.")


class EditWindowClosed(InvalidState):
    code = "edit_window_closed"
    default_message = _("Un message ne se modifie que dans les 15 minutes qui suivent son envoi.")


class MessageDeleted(InvalidState):
    code = "message_deleted"
    default_message = _("Ce message a été supprimé.")


class ClientIdReused(Conflict):
    code = "client_id_reused"
    default_message = _("Cet identifiant client a déjà servi pour un message d'une autre conversation.")


class AttachmentNotFound(NotFound):
    code = "attachment_not_found"
    default_message = _("Pièce jointe introuvable.")
