"""Homes in real communes (tests that use them load the real territories)."""

import datetime as dt
from typing import Any

from django.utils import timezone

from exchanges import services
from exchanges.models import Home
from marketplace.accounts.models import User

GRENOBLE = (5.7245, 45.1885)  # Place Grenette
QUIMPER = (-4.1024, 47.9960)


def make_home(owner: User, *, lon: float = GRENOBLE[0], lat: float = GRENOBLE[1], **fields) -> Home:
    """A draft home through the service, as an owner would create it."""
    values: dict[str, Any] = {
        "title": "Appartement lumineux",
        "kind": "flat",
        "sleeps": 4,
        "address": "5 place Grenette",
    }
    values.update(fields)
    return services.home_create(actor=owner, lon=lon, lat=lat, **values)


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)
