from django.urls import path

from exchanges import views

app_name = "exchanges"

urlpatterns = [
    path("logements/", views.search, name="search"),
    path("logements/<int:home_id>/", views.home_detail, name="detail"),
    path("logements/<int:home_id>/favori/", views.favourite_toggle, name="favourite"),
    path("logements/<int:home_id>/calendrier/", views.home_calendar, name="calendar"),
    path("logements/recherches/", views.saved_search_create, name="saved_search_create"),
    path("mes-favoris/", views.my_favourites, name="favourites"),
    path(
        "mes-favoris/recherches/<int:saved_id>/suppression/",
        views.saved_search_delete,
        name="saved_search_delete",
    ),
    path("alertes/desabonnement/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("mon-logement/", views.my_homes, name="mine"),
    path("mon-logement/<int:home_id>/etat/", views.home_status, name="status"),
    path("mon-logement/<int:home_id>/calendrier/", views.my_home_calendar, name="my_calendar"),
    path("mon-logement/<int:home_id>/disponibilites/", views.period_add, name="period_add"),
    path(
        "mon-logement/<int:home_id>/disponibilites/<int:period_id>/retrait/",
        views.period_delete,
        name="period_delete",
    ),
    path("mon-logement/<int:home_id>/photos/", views.photo_add, name="photo_add"),
    path(
        "mon-logement/<int:home_id>/photos/<int:photo_id>/retrait/", views.photo_delete, name="photo_delete"
    ),
    path("mon-logement/<int:home_id>/souhaits/", views.wish_add, name="wish_add"),
    path("mon-logement/<int:home_id>/souhaits/<int:wish_id>/retrait/", views.wish_delete, name="wish_delete"),
]
