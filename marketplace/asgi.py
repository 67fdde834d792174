import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.dev")
django.setup(set_prefix=False)

from django.core.handlers.asgi import ASGIHandler  # noqa: E402  (Django must be set up first)

from marketplace.serving import OneThreadASGIHandler  # noqa: E402

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

# Python's cyclic garbage collector, tuned for a server of long-lived objects (WEB_GC=default keeps Python's
# own settings): what start-up loaded is frozen out of its walks, and the youngest generation is collected
# every 20,000 allocations instead of 700. bench/messaging.py: with a thousand open sockets, the collections
# cost the process a good share of its CPU under load (the sockets' objects walked again and again).
if os.environ.get("WEB_GC", "tuned") != "default":
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)
