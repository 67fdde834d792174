from django.contrib import admin
from django.urls import include, path

from marketplace.api import api, unknown_endpoint

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/v1/<path:rest>", unknown_endpoint),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("frontend.urls")),
]
