from django.urls import path

from local_offers.vouchers import views

app_name = "vouchers"

urlpatterns = [
    path("offres/bons/", views.voucher_list, name="list"),
    path("offres/bons/demander/", views.voucher_request, name="request"),
    path("offres/bons/<int:voucher_id>/", views.voucher_detail, name="detail"),
    path("offres/bons/<int:voucher_id>/annuler/", views.voucher_cancel, name="cancel"),
    path("offres/accueil/", views.desk, name="desk"),
    path("offres/gerer/<int:facility_id>/cles/", views.api_keys, name="api_keys"),
    path(
        "offres/gerer/<int:facility_id>/cles/<int:key_id>/revoquer/",
        views.api_key_revoke,
        name="api_key_revoke",
    ),
]
