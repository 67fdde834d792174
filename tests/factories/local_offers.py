"""Facilities for tests, written through the services (territories derived, hours checked)."""

from typing import Any

from local_offers import services
from local_offers.models import Facility
from marketplace.accounts.models import User

GRENOBLE = (5.7245, 45.1885)  # the town hall's neighbourhood
CHAMBERY = (5.9178, 45.5646)
VOIRON = (5.5900, 45.3640)  # 25 km from Grenoble
QUIMPER = (-4.1020, 47.9960)

WEEKDAYS_9_TO_18 = [{"weekday": d, "opens": "09:00", "closes": "18:00"} for d in range(1, 6)]


def make_facility(
    actor: User,
    organisation: Any,
    *,
    lon: float = GRENOBLE[0],
    lat: float = GRENOBLE[1],
    name: str = "Musée de la Houille blanche",
    category: str = "museum",
    publish: bool = False,
    **fields: Any,
) -> Facility:
    fields.setdefault("opening_hours", WEEKDAYS_9_TO_18)
    facility = services.facility_create(
        actor=actor, organisation=organisation, lon=lon, lat=lat, name=name, category=category, **fields
    )
    if publish:
        services.facility_publish(actor=actor, facility=facility)
    return facility
