from django.urls import path

from marketplace.messaging import views

app_name = "messaging"

urlpatterns = [
    path("messages/pieces-jointes/<int:attachment_id>/", views.attachment_download, name="attachment"),
]
