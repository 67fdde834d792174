"""Demo employers, written through the services as people would: officers set on their territories;
employers registered by their correspondent and validated by the officer; a membership for the year; a desk
invited and accepting; agents asking to be attached and confirmed. 40 employers seated in real chefs-lieux
of 10 régions, 300 confirmed agents and a few pending ones, one employer whose membership lapsed last month,
one employer and one correspondent awaiting the officer. Every date is relative to today."""

import datetime as dt

from geo.models import Commune, Departement, Region
from marketplace.accounts.models import User
from marketplace.accounts.services import users_create_verified
from marketplace.core.demo import DemoContext
from marketplace.organisations import services
from marketplace.organisations.models import Organisation, OrganisationKind
from marketplace.organisations.validators import siren_complete

REGIONS = ["84", "53", "76", "75", "44", "32", "28", "52", "93", "27"]  # 10 régions, 4 employers each
AGENTS = 300
PENDING_AGENTS = 6
FIRST = [
    *("Camille", "Dominique", "Claude", "Alex", "Sacha", "Morgane", "Yannick", "Nadia", "Karim", "Léa"),
    *(
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
    ),
]
LAST = [
    *("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"),
    *("Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier"),
    *("Morel", "Girard", "André", "Mercier", "Le Gall", "Kerbrat", "Etcheverry", "Nguyen", "Haddad"),
]
KINDS = [OrganisationKind.COMMUNE, OrganisationKind.CCAS, OrganisationKind.EPCI, OrganisationKind.SDIS]
KIND_NAMES = {
    OrganisationKind.COMMUNE: "Ville de {}",
    OrganisationKind.CCAS: "CCAS de {}",
    OrganisationKind.EPCI: "Communauté d'agglomération de {}",
    OrganisationKind.SDIS: "SDIS de {}",
}


def _people(context: DemoContext, locals_: list[str]) -> list[User]:
    people = [
        (context.email(local), f"{context.rng.choice(FIRST)} {context.rng.choice(LAST)}") for local in locals_
    ]
    return users_create_verified(people=people, password=context.password)


def _seats() -> list[Commune]:
    """Four seats per demo région: the chefs-lieux of its départements, in code order (repeated if fewer)."""
    seats = []
    for region in REGIONS:
        chefs_lieux = list(
            Departement.objects.filter(region_id=region).order_by("code").values_list("chef_lieu", flat=True)
        )
        if not chefs_lieux:
            raise LookupError("Chargez d'abord les territoires : manage.py load_territories")
        communes = Commune.objects.in_bulk(chefs_lieux)
        seats += [communes[chefs_lieux[index % len(chefs_lieux)]] for index in range(4)]
    return seats


def load(context: DemoContext) -> dict[str, int]:
    if User.objects.filter(email=context.email("correspondant")).exists():
        # Already loaded: hand on the agents, in their creation order, to the later loaders.
        locals_ = ["agent", *(f"agent-{i}" for i in range(1, AGENTS))]
        by_email = User.objects.in_bulk([context.email(local) for local in locals_], field_name="email")
        context.objects["agents"] = [by_email[context.email(local)] for local in locals_]
        return {}
    admin: User = context.objects["admin"]
    rng, today = context.rng, context.today
    seats = _seats()
    regions = list(Region.objects.order_by("code").values_list("code", flat=True))
    officers = dict(
        zip(
            regions,
            _people(context, ["charge" if c == "84" else f"charge-{c}" for c in regions]),
            strict=True,
        )
    )
    for region, officer in officers.items():
        codes = list(Departement.objects.filter(region_id=region).values_list("code", flat=True))
        services.officer_territory_set(actor=admin, officer=officer, departements=codes)

    correspondents = _people(
        context, ["correspondant" if i == 0 else f"correspondant-{i}" for i in range(40)]
    )
    desks = _people(context, ["accueil" if i == 0 else f"accueil-{i}" for i in range(40)])
    organisations: list[Organisation] = []
    year_start = today.replace(month=1, day=1)
    for index, (seat, correspondent) in enumerate(zip(seats, correspondents, strict=True)):
        kind = KINDS[index % 4]
        organisation = services.organisation_register(
            actor=correspondent,
            name=KIND_NAMES[kind].format(seat.name),
            kind=kind,
            siren=siren_complete(f"2{index:02d}{seat.code[:5].replace('A', '0').replace('B', '0')}"),
            seat_commune=seat.code,
            agents_count=rng.randint(40, 4000),
            contact_email=context.email(f"contact-{index}"),
        )
        officer = officers[seat.region_id]
        organisation = services.organisation_validate(actor=officer, organisation=organisation)
        if index == 39:  # the last one's membership ended last month
            start, end = year_start.replace(year=today.year - 1), today.replace(day=1) - dt.timedelta(days=30)
        else:
            start, end = year_start, year_start.replace(year=today.year + 1)
        services.membership_add_period(actor=officer, organisation=organisation, start=start, end=end)
        invitation = services.staff_invite(
            actor=correspondent, organisation=organisation, email=desks[index].email, role="desk"
        )
        services.staff_invitation_accept(actor=desks[index], invitation=invitation)
        organisations.append(organisation)

    agents = _people(context, ["agent" if i == 0 else f"agent-{i}" for i in range(AGENTS)])
    for index, agent in enumerate(agents):
        organisation = organisations[0] if index == 0 else rng.choice(organisations)
        employment = services.employment_request(actor=agent, organisation=organisation)
        correspondent = correspondents[organisations.index(organisation)]
        services.employment_confirm(actor=correspondent, employment=employment)
    pending_agents = _people(context, [f"agent-en-attente-{i}" for i in range(PENDING_AGENTS)])
    for index, agent in enumerate(pending_agents):
        services.employment_request(actor=agent, organisation=organisations[index % 3])

    # Awaiting the officer of Auvergne-Rhône-Alpes: a correspondent joining, and a new employer in Isère.
    newcomer, applicant = _people(context, ["nouveau-correspondant", "correspondant-ccas"])
    services.organisation_request_join(actor=newcomer, organisation=organisations[0])
    services.organisation_register(
        actor=applicant,
        name="CCAS de Grenoble (inscription en cours)",
        kind=OrganisationKind.CCAS,
        siren=siren_complete("26380099"),
        seat_commune="38185",
        agents_count=85,
    )
    context.objects["organisations"] = organisations
    context.objects["agents"] = agents  # confirmed, eligible: the homes loader gives most of them a home
    return {
        "employeurs adhérents": len(organisations),
        "régions": len(REGIONS),
        "chargés de développement": len(officers),
        "agents confirmés": AGENTS,
        "agents en attente": PENDING_AGENTS,
    }
