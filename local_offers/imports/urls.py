from django.urls import path

from local_offers.imports import views

app_name = "facility_imports"

urlpatterns = [
    path("offres/gerer/<int:organisation_id>/imports/", views.import_list, name="list"),
    path("offres/gerer/<int:organisation_id>/imports/envoi/", views.import_upload, name="upload"),
    path("offres/gerer/<int:organisation_id>/imports/<int:import_id>/", views.import_detail, name="detail"),
    path(
        "offres/gerer/<int:organisation_id>/imports/<int:import_id>/apercu/",
        views.import_preview,
        name="preview",
    ),
    path(
        "offres/gerer/<int:organisation_id>/imports/<int:import_id>/confirmation/",
        views.import_confirm,
        name="confirm",
    ),
    path(
        "offres/gerer/<int:organisation_id>/imports/<int:import_id>/avancement/",
        views.import_progress,
        name="progress",
    ),
]
