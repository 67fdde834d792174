from django.urls import path

from local_offers.statistics import views

app_name = "statistics"

urlpatterns = [
    path("offres/statistiques/solidarite/", views.solidarity, name="solidarity"),
    path("offres/statistiques/solidarite/<slug:table>.csv", views.solidarity_csv, name="solidarity_csv"),
    path("offres/statistiques/territoire/", views.territory, name="territory"),
    path("offres/statistiques/territoire/<slug:table>.csv", views.territory_csv, name="territory_csv"),
]
