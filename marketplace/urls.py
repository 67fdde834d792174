from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from marketplace.api import api, unknown_endpoint

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/v1/<path:rest>", unknown_endpoint),
    path("i18n/", include("django.conf.urls.i18n")),
    path("comptes/", include("allauth.urls")),
    # French addresses for the account pages people see. Declared after allauth's: for a name given
    # twice, reverse() returns the last pattern, so {% url 'account_login' %} gives /comptes/connexion/.
    path("comptes/connexion/", allauth_views.login, name="account_login"),
    path("comptes/inscription/", allauth_views.signup, name="account_signup"),
    path("comptes/deconnexion/", allauth_views.logout, name="account_logout"),
    path("comptes/profil/", include("marketplace.accounts.urls")),
    path("", include("marketplace.organisations.urls")),
    path("", include("marketplace.notifications.urls")),
    path("", include("exchanges.urls")),
    path("", include("exchanges.swaps.urls")),
    path("", include("local_offers.urls")),
    path("", include("local_offers.imports.urls")),
    path("", include("exchanges.clearing.urls")),
    path("", include("exchanges.nights.urls")),
    path("", include("local_offers.agreements.urls")),
    path("", include("local_offers.statistics.urls")),
    path("", include("local_offers.vouchers.urls")),
    path("", include("marketplace.messaging.urls")),
    path("", include("frontend.urls")),
]

if settings.DEBUG:
    # Uploaded photos in development only; production serves MEDIA_ROOT from the proxy.
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
