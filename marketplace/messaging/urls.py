from django.urls import path

from marketplace.messaging import views

app_name = "messaging"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/<int:conversation_id>/", views.thread, name="thread"),
    path(
        "messages/<int:conversation_id>/blocage/<int:user_id>/", views.block_toggle, name="block_toggle"
    ),
    path("messages/ecrire/<int:user_id>/", views.direct_open, name="direct_open"),
    path("messages/pieces-jointes/<int:attachment_id>/", views.attachment_download, name="attachment"),
]
