"""Demo facilities, written through the services: every demo employer publishes its town hall (the point the
territory data gives its seat) and a museum, a library, a pool and a holiday centre in real communes (the
museum and library in its département, the pool near its seat, the holiday centre by the sea or in the
mountains). Seeded, dates relative to today, idempotent. The employer whose membership lapsed keeps drafts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from geo.models import Commune
from local_offers import services
from local_offers.exceptions import OrganisationNotMember
from local_offers.models import Facility, FacilityCategory
from local_offers.validators import siret_complete
from marketplace.core.demo import DemoContext
from marketplace.organisations.models import StaffRole

# Holiday centres go to départements by the sea or in the mountains.
HOLIDAY_DEPARTEMENTS = ("05", "06", "17", "22", "29", "33", "40", "56", "64", "73", "74", "83", "85")
NAMES = {
    FacilityCategory.MUSEUM: [
        "Musée d'art et d'histoire de {}",
        "Musée municipal de {}",
        "Maison du patrimoine de {}",
    ],
    FacilityCategory.LIBRARY: ["Médiathèque de {}", "Bibliothèque municipale de {}"],
    FacilityCategory.POOL: ["Piscine municipale de {}", "Centre aquatique de {}"],
    FacilityCategory.HOLIDAY_CENTRE: ["Centre de vacances de {}", "Village vacances de {}"],
}


def _hours(category: str) -> list[dict[str, Any]]:
    if category == FacilityCategory.HOLIDAY_CENTRE:
        return [{"weekday": d, "opens": "00:00", "closes": "24:00"} for d in range(1, 8)]
    if category == FacilityCategory.POOL:
        return [{"weekday": d, "opens": "07:00", "closes": "21:00"} for d in range(1, 8)]
    if category == FacilityCategory.OTHER:  # the town hall
        return [
            *({"weekday": d, "opens": "08:30", "closes": "12:00"} for d in range(1, 6)),
            *({"weekday": d, "opens": "13:30", "closes": "17:30"} for d in range(1, 6)),
        ]
    # Museums and libraries: closed on Mondays, a lunch break.
    return [
        *({"weekday": d, "opens": "10:00", "closes": "12:30"} for d in range(2, 8)),
        *({"weekday": d, "opens": "14:00", "closes": "18:00"} for d in range(2, 8)),
    ]


def _jittered(context: DemoContext, commune: Commune) -> tuple[float, float]:
    # A few hundred metres around the town hall: still inside the commune.
    return (
        commune.point.x + context.rng.uniform(-0.004, 0.004),
        commune.point.y + context.rng.uniform(-0.003, 0.003),
    )


def load(context: DemoContext) -> dict[str, int]:
    roles = list(
        StaffRole.objects.active_correspondents()
        .filter(user__email__endswith=f"@{context.domain}")
        .filter(Q(user__email=context.email("correspondant")) | Q(user__email__startswith="correspondant-"))
        .select_related("organisation__seat_commune", "user")
        .order_by("organisation_id")
    )
    if not roles or Facility.objects.filter(organisation=roles[0].organisation).exists():
        return {}
    rng, today = context.rng, context.today
    holiday_communes = list(
        Commune.objects.filter(departement_id__in=HOLIDAY_DEPARTEMENTS, population__gt=2000).order_by("code")
    )
    created = published = structures = 0
    for index, role in enumerate(roles):
        organisation, correspondent, seat = role.organisation, role.user, role.organisation.seat_commune
        nearby = list(
            Commune.objects.filter(departement_id=seat.departement_id, population__gt=1500).order_by("code")
        ) or [seat]
        structure = None
        if index % 3 == 0:
            structure = services.structure_create(
                actor=correspondent,
                organisation=organisation,
                name=f"Association des œuvres sociales de {seat.name}",
                siret=siret_complete(
                    f"{7 + index % 2}{index:02d}{seat.code.replace('A', '0').replace('B', '0')}00001"[:13]
                ),
            )
            structures += 1
        plan: list[tuple[str, str, Commune, str]] = [
            (FacilityCategory.OTHER, f"Hôtel de ville de {seat.name}", seat, "mairie"),
        ]
        extra: tuple[tuple[FacilityCategory, Commune], ...] = (
            (FacilityCategory.MUSEUM, rng.choice(nearby)),
            (FacilityCategory.LIBRARY, rng.choice(nearby)),
            (FacilityCategory.POOL, seat),
            (FacilityCategory.HOLIDAY_CENTRE, rng.choice(holiday_communes) if holiday_communes else seat),
        )
        for kind, where in extra:
            plan.append((kind.value, rng.choice(NAMES[kind]).format(where.name), where, kind.value))
        for number, (category, name, commune, key) in enumerate(plan):
            lon, lat = (commune.point.x, commune.point.y) if key == "mairie" else _jittered(context, commune)
            summer = dt.date(today.year, 8, 15)
            facility = services.facility_create(
                actor=correspondent,
                organisation=organisation,
                lon=lon,
                lat=lat,
                name=name,
                category=category,
                description=(
                    "Équipement de démonstration, ouvert aux agents des employeurs adhérents."
                    if key != "mairie"
                    else "La mairie : accueil, état civil, et informations sur les offres locales de la commune."
                ),
                address=f"{rng.randint(1, 40)} place de la Mairie, {commune.name}",
                access_motor=rng.random() < 0.7,
                access_visual=rng.random() < 0.3,
                access_hearing=rng.random() < 0.4,
                access_mental=rng.random() < 0.3,
                website=f"https://www.example.fr/{commune.code}/{key}",
                phone=f"04{rng.randint(10_000_000, 99_999_999)}",
                external_id=f"DEMO-{organisation.pk}-{number}",
                structure_id=structure.pk
                if structure and category == FacilityCategory.HOLIDAY_CENTRE
                else None,
                opening_hours=_hours(category),
                closures=(
                    [{"start": summer, "end": summer + dt.timedelta(days=1), "reason": "Assomption"}]
                    if category in (FacilityCategory.MUSEUM, FacilityCategory.LIBRARY) and summer > today
                    else []
                ),
            )
            created += 1
            try:
                services.facility_publish(actor=correspondent, facility=facility)
                published += 1
            except OrganisationNotMember:
                pass  # the employer whose membership lapsed: its facilities stay drafts
    return {"équipements": created, "équipements publiés": published, "structures subventionnées": structures}
