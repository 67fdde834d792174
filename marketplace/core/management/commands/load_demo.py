"""Loads the demo accounts and data, seeded and idempotently (a second run changes nothing).

40 member employers in real communes (chefs-lieux of départements) across 10 régions, an officer per
région, a correspondent and a desk per employer, 300 confirmed agents and a few pending ones, one
employer whose membership lapsed, one employer and one correspondent awaiting an officer's decision.
"""

import datetime as dt
import random
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.backends.postgresql.psycopg_any import DateRange
from django.utils import timezone

from geo.models import Commune, Departement, Region
from marketplace.accounts.models import User
from marketplace.organisations.models import (
    Employment,
    EmploymentStatus,
    MembershipPeriod,
    OfficerTerritory,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    StaffRole,
    StaffRoleKind,
    StaffRoleStatus,
)
from marketplace.organisations.validators import siren_complete

DEMO_PASSWORD = "demo-reciproque"  # noqa: S105  (published in the README: demo data only)
DOMAIN = "demo.reciproque.fr"
REGIONS = ["84", "53", "76", "75", "44", "32", "28", "52", "93", "27"]  # 10 régions, 4 employers each
AGENTS = 300
PENDING_AGENTS = 6
FIRST = [
    "Camille",
    "Dominique",
    "Claude",
    "Alex",
    "Sacha",
    "Morgane",
    "Yannick",
    "Nadia",
    "Karim",
    "Léa",
    "Hugo",
    "Inès",
    "Lucas",
    "Manon",
    "Nathan",
    "Chloé",
    "Louis",
    "Emma",
    "Jules",
    "Sarah",
    "Mathis",
    "Lina",
]
LAST = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Le Gall",
    "Kerbrat",
    "Etcheverry",
    "Nguyen",
    "Haddad",
]
KINDS = [OrganisationKind.COMMUNE, OrganisationKind.CCAS, OrganisationKind.EPCI, OrganisationKind.SDIS]
KIND_NAMES = {
    OrganisationKind.COMMUNE: "Ville de {}",
    OrganisationKind.CCAS: "CCAS de {}",
    OrganisationKind.EPCI: "Communauté d'agglomération de {}",
    OrganisationKind.SDIS: "SDIS de {}",
}


class Command(BaseCommand):
    help = "Charge les comptes et données de démonstration (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(email=f"agent@{DOMAIN}").exists():
            self.stdout.write("Démo : déjà chargée, rien à faire.")
            return
        if not Commune.objects.exists():
            raise CommandError("Chargez d'abord les territoires : manage.py load_territories")
        with transaction.atomic():
            counts = self.load(random.Random(2026))  # noqa: S311  (seeded demo names, not secrets)
        self.stdout.write("Démo : " + ", ".join(f"{n} {label}" for label, n in counts.items()) + ".")

    def load(self, rng: random.Random) -> dict[str, int]:
        password = make_password(DEMO_PASSWORD)
        users: list[User] = []

        def person(email: str, **extra: Any) -> User:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            user = User(email=email, display_name=extra.pop("display_name", name), password=password, **extra)
            users.append(user)
            return user

        person(f"admin@{DOMAIN}", display_name="Admin national", is_staff=True, is_superuser=True)
        officers = {
            code: person(f"charge@{DOMAIN}" if code == "84" else f"charge-{code}@{DOMAIN}")
            for code in Region.objects.values_list("code", flat=True)
        }
        today = timezone.localdate()
        this_year = DateRange(dt.date(today.year, 1, 1), dt.date(today.year + 1, 1, 1))

        organisations: list[Organisation] = []
        for region in REGIONS:
            chefs_lieux = list(
                Departement.objects.filter(region_id=region)
                .order_by("code")
                .values_list("chef_lieu", flat=True)
            )
            communes = Commune.objects.in_bulk(chefs_lieux)
            for index in range(4):
                commune = communes[chefs_lieux[index % len(chefs_lieux)]]
                kind = KINDS[index]
                organisations.append(
                    Organisation(
                        name=KIND_NAMES[kind].format(commune.name),
                        kind=kind,
                        siren=siren_complete(
                            f"2{len(organisations):02d}{commune.code[:5].replace('A', '0').replace('B', '0')}"
                        ),
                        seat_commune=commune,
                        status=OrganisationStatus.VALIDATED,
                        agents_count=rng.randint(40, 4000),
                        contact_email=f"contact-{len(organisations)}@{DOMAIN}",
                    )
                )
        isere = Commune.objects.get(code="38185")
        pending_org = Organisation(
            name="CCAS de Grenoble (inscription en cours)",
            kind=OrganisationKind.CCAS,
            siren=siren_complete("26380099"),
            seat_commune=isere,
            status=OrganisationStatus.PENDING,
            agents_count=85,
        )
        correspondents = [
            person(f"correspondant@{DOMAIN}" if i == 0 else f"correspondant-{i}@{DOMAIN}")
            for i in range(len(organisations))
        ]
        desks = [
            person(f"accueil@{DOMAIN}" if i == 0 else f"accueil-{i}@{DOMAIN}")
            for i in range(len(organisations))
        ]
        agents = [person(f"agent@{DOMAIN}" if i == 0 else f"agent-{i}@{DOMAIN}") for i in range(AGENTS)]
        pending_agents = [person(f"agent-en-attente-{i}@{DOMAIN}") for i in range(PENDING_AGENTS)]
        newcomer = person(f"nouveau-correspondant@{DOMAIN}")
        applicant = person(f"correspondant-ccas@{DOMAIN}")

        User.objects.bulk_create(users)
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
        )
        Organisation.objects.bulk_create([*organisations, pending_org])
        lapsed = organisations[-1]  # its membership ended last month
        MembershipPeriod.objects.bulk_create(
            [MembershipPeriod(organisation=o, period=this_year) for o in organisations if o is not lapsed]
            + [
                MembershipPeriod(
                    organisation=lapsed,
                    period=DateRange(
                        dt.date(today.year - 1, 1, 1), today.replace(day=1) - dt.timedelta(days=30)
                    ),
                )
            ]
        )
        OfficerTerritory.objects.bulk_create(
            [
                OfficerTerritory(officer=officers[region], departement_id=code)
                for region, code in Departement.objects.values_list("region_id", "code")
            ]
        )
        StaffRole.objects.bulk_create(
            [
                StaffRole(
                    user=u, organisation=o, role=StaffRoleKind.CORRESPONDENT, status=StaffRoleStatus.ACTIVE
                )
                for u, o in zip(correspondents, organisations, strict=True)
            ]
            + [
                StaffRole(user=u, organisation=o, role=StaffRoleKind.DESK, status=StaffRoleStatus.ACTIVE)
                for u, o in zip(desks, organisations, strict=True)
            ]
            + [
                StaffRole(user=newcomer, organisation=organisations[0], role=StaffRoleKind.CORRESPONDENT),
                StaffRole(user=applicant, organisation=pending_org, role=StaffRoleKind.CORRESPONDENT),
            ]
        )
        now = timezone.now()
        Employment.objects.bulk_create(
            [
                Employment(
                    agent=a,
                    organisation=organisations[0] if i == 0 else rng.choice(organisations),
                    status=EmploymentStatus.CONFIRMED,
                    decided_at=now,
                )
                for i, a in enumerate(agents)
            ]
            + [
                Employment(agent=a, organisation=organisations[i % 3], status=EmploymentStatus.PENDING)
                for i, a in enumerate(pending_agents)
            ]
        )
        return {
            "employeurs adhérents": len(organisations),
            "régions": len(REGIONS),
            "chargés de développement": len(officers),
            "agents confirmés": AGENTS,
            "agents en attente": PENDING_AGENTS,
            "comptes": len(users),
        }
