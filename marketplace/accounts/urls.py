from django.urls import path

from marketplace.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("photo/", views.avatar, name="avatar"),
    path("export/", views.export, name="export"),
    path("suppression/", views.delete, name="delete"),
]
