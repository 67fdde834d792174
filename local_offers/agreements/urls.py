from django.urls import path

from local_offers.agreements import views

app_name = "agreements"

urlpatterns = [
    path("offres/conventions/", views.agreement_list, name="list"),
    path("offres/conventions/nouvelle/<int:organisation_id>/", views.agreement_new, name="new"),
    path("offres/conventions/<int:agreement_id>/", views.agreement_detail, name="detail"),
    path("offres/conventions/<int:agreement_id>/modifier/", views.agreement_edit, name="edit"),
    path("offres/conventions/<int:agreement_id>/document/", views.agreement_document, name="document"),
    path(
        "offres/conventions/<int:agreement_id>/document/envoi/",
        views.agreement_document_upload,
        name="upload",
    ),
    path("offres/conventions/<int:agreement_id>/decision/", views.agreement_act, name="act"),
    path("offres/conventions/<int:agreement_id>/renouveler/", views.agreement_renew, name="renew"),
]
