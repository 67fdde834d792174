from django.urls import path

from exchanges.clearing import views

app_name = "clearing"

urlpatterns = [
    path("proposition-du-mois/", views.mine, name="mine"),
    path("proposition-du-mois/inscription/", views.opt_in, name="opt_in"),
    path("tours-du-mois/", views.runs, name="runs"),
    path("tours-du-mois/lancer/", views.launch, name="launch"),
    path("tours-du-mois/<int:run_id>/", views.run_detail, name="run"),
    path("tours-du-mois/<int:run_id>/csv/", views.run_csv, name="run_csv"),
]
