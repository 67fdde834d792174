import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.dev")
django.setup(set_prefix=False)

from django.core.handlers.asgi import ASGIHandler  # noqa: E402  (Django must be set up first)

from marketplace.serving import OneThreadASGIHandler, tune_gc  # noqa: E402

# ASGI_HTTP_HANDLER=django: Django's own handler, the baseline that bench/http_floor.py measures beside ours.
django_asgi_app = ASGIHandler() if os.environ.get("ASGI_HTTP_HANDLER") == "django" else OneThreadASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (Django must be set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from marketplace.routing import SameOriginValidator, websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The Origin check (scheme, host and port) stops other sites from opening a socket with the user's
        # cookies (CSWSH); authentication itself is the session, checked in the consumer.
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

tune_gc()  # once start-up is done
