from django.urls import path

from local_offers import views

app_name = "local_offers"

urlpatterns = [
    path("offres/", views.offers_map, name="map"),
    path("offres/equipements/<int:facility_id>/", views.facility_detail, name="detail"),
    path("offres/gerer/", views.manage_list, name="manage"),
    path("offres/gerer/nouveau/", views.facility_new, name="new"),
    path("offres/gerer/<int:facility_id>/", views.facility_edit, name="edit"),
    path("offres/gerer/<int:facility_id>/etat/", views.facility_status, name="status"),
    path("offres/gerer/<int:facility_id>/photos/", views.photo_add, name="photo_add"),
    path(
        "offres/gerer/<int:facility_id>/photos/<int:photo_id>/retrait/",
        views.photo_delete,
        name="photo_delete",
    ),
]
