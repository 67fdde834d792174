from django.urls import path

from marketplace.messaging import views

app_name = "messaging"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/liste/", views.conversation_list, name="list"),
    path("messages/nouvelle/", views.open_direct, name="open_direct"),
    path("messages/<int:conversation_id>/", views.conversation, name="conversation"),
    path("messages/<int:conversation_id>/envoyer/", views.send, name="send"),
    path("messages/<int:conversation_id>/lu/", views.mark_read, name="read"),
    path("messages/<int:conversation_id>/blocage/", views.block, name="block"),
    path("messages/<int:conversation_id>/<int:message_id>/modifier/", views.edit, name="edit"),
    path("messages/<int:conversation_id>/<int:message_id>/supprimer/", views.delete, name="delete"),
    path("messages/<int:conversation_id>/<int:message_id>/signaler/", views.report, name="report"),
    path("messages/pieces-jointes/<int:attachment_id>/", views.attachment_download, name="attachment"),
]
