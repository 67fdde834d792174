from django.urls import path

from exchanges.nights import views

app_name = "nights"

urlpatterns = [
    path("nuits/", views.mine, name="mine"),
    path("nuits/statistiques/", views.statistics, name="statistics"),
    path("nuits/correction/", views.correction, name="correction"),
]
