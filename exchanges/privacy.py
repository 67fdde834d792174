"""RGPD: a person's homes, their periods and wishes (exact address included: it is theirs)."""

from typing import Any

from exchanges.models import FavouriteList, Home, HomePhoto, SavedSearch
from marketplace.accounts.models import User


def export_homes(user: User) -> list[dict[str, Any]]:
    return [
        {
            "title": h.title,
            "description": h.description,
            "kind": h.kind,
            "address": h.address,
            "point": [h.point.x, h.point.y],
            "status": h.status,
            "photos": [p.image.url for p in h.photos.all()],
            "periods": [
                {"start": p.period.lower.isoformat(), "end": p.period.upper.isoformat(), "mode": p.mode}
                for p in h.periods.all()
            ],
            "wishes": [
                {
                    "regions": w.regions,
                    "departements": w.departements,
                    "communes": w.communes,
                    "start": w.dates.lower.isoformat(),
                    "end": w.dates.upper.isoformat(),
                }
                for w in h.wishes.all()
            ],
        }
        for h in Home.objects.filter(owner=user).prefetch_related("periods", "wishes", "photos")
    ]


def erase_homes(user: User) -> None:
    """Homes go with their owner (periods, wishes and photo rows cascade; the photo files are removed)."""
    for photo in HomePhoto.objects.filter(home__owner=user):
        photo.image.storage.delete(photo.image.name)
    Home.objects.filter(owner=user).delete()


def export_favourites(user: User) -> dict[str, Any]:
    return {
        "lists": [
            {"name": f.name, "homes": [e.home_id for e in f.entries.all()]}
            for f in FavouriteList.objects.filter(owner=user).prefetch_related("entries")
        ],
        "saved_searches": [
            {"name": s.name, "query": s.query, "alerts": s.alerts}
            for s in SavedSearch.objects.filter(owner=user)
        ],
    }
