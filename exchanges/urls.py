from django.urls import path

from exchanges import views

app_name = "exchanges"

urlpatterns = [
    path("logements/", views.search, name="search"),
    path("logements/<int:home_id>/", views.home_detail, name="detail"),
]
