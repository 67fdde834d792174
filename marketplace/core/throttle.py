"""Rate limits where guessing or hammering pays (a password check, image decoding, invitations by e-mail).

One counter per scope and person (or address, when anonymous) in the shared cache: Redis in production, so
every web replica counts together; `cache.add` then `cache.incr` are atomic there. The same decorator serves
API operations and HTML views, which share the counter: 429 with Retry-After, the envelope or the page.
"""

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.http import HttpRequest

from marketplace.errors import TooManyRequests

View = TypeVar("View", bound=Callable[..., Any])

# scope: (attempts, per seconds). One place for every limit, so the page and the API share it.
RATES: dict[str, tuple[int, int]] = {
    "account_delete": (5, 15 * 60),  # each attempt checks the password
    "avatar": (10, 10 * 60),  # each upload decodes an image
    "staff_invite": (20, 60 * 60),  # each invitation sends an e-mail to any address
    "messaging": (60, 60),  # every write of the messaging (send, edit, read mark, block, report…)
    "facility_import": (30, 60 * 60),  # each upload reads and checks a file of up to 100 MB
}


def check_rate(scope: str, key: str, *, limit: int, period: int) -> None:
    """Count one attempt in a fixed window of `period` seconds; raises TooManyRequests past `limit`."""
    now = int(time.time())
    window = now // period
    cache_key = f"rate:{scope}:{key}:{window}"
    if cache.add(cache_key, 1, timeout=period):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.add(cache_key, 1, timeout=period)
            count = 1
    if count > limit:
        raise TooManyRequests(retry_after=(window + 1) * period - now)


def client_key(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{request.META.get('REMOTE_ADDR', '')}"


def throttle(scope: str) -> Callable[[View], View]:
    """Refuse the view past the scope's rate (RATES) for the same person: 429 with Retry-After."""
    limit, period = RATES[scope]

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            from marketplace.core.middleware import error_response

            try:
                check_rate(scope, client_key(request), limit=limit, period=period)
            except TooManyRequests as error:
                return error_response(request, error)
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
