"""Demo homes, written through the services: most confirmed demo agents publish a home in a real commune
drawn in proportion to population, free over the coming months, with a wish to go elsewhere.

`agent@demo.reciproque.fr` lives in Grenoble and wishes to go to Brittany: three Breton homes wish to come
to Isère at the same time (reciprocal candidates), and one Breton home wishes to go to Occitanie whose
candidate wishes to come to Isère (a three-home cycle across three régions). Dates are relative to today.
"""

import datetime as dt
import random

from django.contrib.gis.geos import Point

from exchanges import services
from exchanges.models import Amenity, AvailabilityMode, Home, HomeKind
from geo.models import Commune, Departement
from marketplace.accounts.models import User
from marketplace.core.demo import DemoContext
from marketplace.organisations.selectors import agent_eligibility

SHARE_WITH_HOME = 0.8
TITLES = {
    HomeKind.FLAT: ["Appartement lumineux", "T3 près du centre", "Studio calme", "Appartement avec balcon"],
    HomeKind.HOUSE: ["Maison avec jardin", "Maison de village", "Longère rénovée", "Maison familiale"],
}
STREETS = [
    "rue de la République",
    "avenue Jean Jaurès",
    "rue Victor Hugo",
    "place de la Mairie",
    "rue Pasteur",
]


def _home(context: DemoContext, owner: User, lon: float, lat: float, sleeps: int) -> Home:
    rng = context.rng
    kind = rng.choice([HomeKind.FLAT, HomeKind.HOUSE])
    home = services.home_create(
        actor=owner,
        title=f"{rng.choice(TITLES[kind])}",
        description="Logement d'agent territorial, proposé en échange (démonstration).",
        kind=kind,
        sleeps=sleeps,
        bedrooms=max(1, sleeps // 2),
        surface_m2=rng.randint(30, 140),
        amenities=rng.sample(Amenity.values, rng.randint(1, 5)),
        address=f"{rng.randint(1, 80)} {rng.choice(STREETS)}",
        lon=lon,
        lat=lat,
    )
    return services.home_publish(actor=owner, home=home)


def _dates(today: dt.date, start_in: int, nights: int) -> tuple[dt.date, dt.date]:
    start = today + dt.timedelta(days=start_in)
    return start, start + dt.timedelta(days=nights)


def _jitter(rng: random.Random, point: Point) -> tuple[float, float]:
    # Up to ~150 m around the town hall: still inside the commune.
    return point.x + rng.uniform(-0.0015, 0.0015), point.y + rng.uniform(-0.001, 0.001)


def load(context: DemoContext) -> dict[str, int]:
    if Home.objects.filter(owner__email=context.email("agent")).exists():
        return {}
    rng, today = context.rng, context.today
    # The agents of the employer whose membership lapsed cannot publish: they get no home.
    agents = [a for a in context.objects["agents"] if agent_eligibility(a, today).eligible]
    communes = list(
        Commune.objects.filter(population__gt=0).values_list("code", "population", "point", "region_id")
    )
    weights = [population for _, population, _, _ in communes]
    departements = list(Departement.objects.values_list("code", "region_id"))
    homes = 0

    # The story of agent@…: Grenoble → Brittany, with reciprocal candidates and a three-région cycle.
    story = {
        code: Commune.objects.get(code=code)
        for code in ("38185", "29232", "35238", "22278", "56121", "31555")
    }
    agent, *others = agents
    summer = _dates(today, 60, 14)
    grenoble = _home(context, agent, *_jitter(rng, story["38185"].point), sleeps=4)
    # Open to any request: the agent's home can take part in a cycle, not only in pairs.
    services.availability_add(
        actor=agent, home=grenoble, start=summer[0], end=summer[1], mode=AvailabilityMode.OPEN
    )
    services.wish_add(
        actor=agent,
        home=grenoble,
        start=summer[0],
        end=summer[1],
        regions=["53"],
        adults=2,
        children=1,
        flexibility_days=3,
    )
    for owner, code in zip(
        others[:3], ("29232", "35238", "22278"), strict=True
    ):  # Quimper, Rennes, Saint-Brieuc
        home = _home(context, owner, *_jitter(rng, story[code].point), sleeps=5)
        services.availability_add(actor=owner, home=home, start=summer[0], end=summer[1])
        services.wish_add(
            actor=owner,
            home=home,
            start=summer[0],
            end=summer[1],
            departements=["38"],
            adults=2,
            children=2,
            flexibility_days=2,
        )
    # Brittany → Occitanie, and Occitanie → Isère: with the agent's home, a cycle across three régions.
    for owner, code, to_regions, to_departements in (
        (others[3], "56121", ["76"], []),
        (others[4], "31555", [], ["38"]),
    ):
        home = _home(context, owner, *_jitter(rng, story[code].point), sleeps=4)
        services.availability_add(
            actor=owner, home=home, start=summer[0], end=summer[1], mode=AvailabilityMode.OPEN
        )
        services.wish_add(
            actor=owner,
            home=home,
            start=summer[0],
            end=summer[1],
            adults=2,
            regions=to_regions,
            departements=to_departements,
        )
    homes += 6

    # Everybody else: most publish a home in a commune drawn by population, free for a week or three in the
    # coming months, wishing to go to one or two départements of another région.
    for owner in others[5:]:
        if rng.random() > SHARE_WITH_HOME:
            continue
        code, _population, point, region = rng.choices(communes, weights=weights)[0]
        sleeps = rng.choice([2, 3, 4, 4, 5, 6, 8])
        home = _home(context, owner, *_jitter(rng, point), sleeps=sleeps)
        start, end = _dates(today, rng.randint(14, 150), rng.choice([7, 10, 14, 21]))
        mode = AvailabilityMode.OPEN if rng.random() < 0.3 else AvailabilityMode.RECIPROCAL
        services.availability_add(actor=owner, home=home, start=start, end=end, mode=mode)
        elsewhere = [d for d, r in departements if r != region]
        services.wish_add(
            actor=owner,
            home=home,
            start=start,
            end=end,
            departements=rng.sample(elsewhere, rng.randint(1, 2)),
            flexibility_days=rng.choice([0, 3, 7]),
            adults=rng.randint(1, 2),
            children=rng.randint(0, max(0, sleeps - 2)),
        )
        homes += 1
    return {"logements publiés": homes}
