from django.urls import path

from marketplace.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.centre, name="centre"),
    path("notifications/tout-lu/", views.read_all, name="read_all"),
    path("notifications/<int:notification_id>/ouvrir/", views.open_one, name="open"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/desabonnement/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
