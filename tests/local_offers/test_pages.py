"""The local-offers pages: the offers map searches near a commune typed, the facility page shows hours and
closures, the editor creates and edits with the hours grid (a refusal lands on its field, nothing written)."""

import datetime as dt
import re

from local_offers.models import Facility, FacilityStatus
from tests.factories.local_offers import CHAMBERY, VOIRON, make_facility
from tests.helpers import assert_nothing_written
from tests.organisations.test_api import client_for

BASTILLE_DAY = dt.date(dt.date.today().year + 1, 7, 14)


def send(client, url, data):
    return client.post(url, data, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)


def form(cast, **fields):
    data = {
        "organisation": cast.grenoble.pk,
        "name": "Bibliothèque Kateb-Yacine",
        "category": "library",
        "lon": "5.7245",
        "lat": "45.1885",
        "h2_0_opens": "10:00",
        "h2_0_closes": "12:30",
        "h2_1_opens": "14:00",
        "h2_1_closes": "19:00",
        "c0_start": BASTILLE_DAY.isoformat(),
        "c0_last": BASTILLE_DAY.isoformat(),
        "c0_reason": "Fête nationale",
        "access_visual": "on",
    }
    data.update(fields)
    return data


def test_the_editor_creates_a_draft_with_its_hours_and_closures(cast):
    client = client_for(cast.correspondent)
    response = send(client, "/offres/gerer/nouveau/", form(cast))
    assert response.status_code == 302, response.content.decode()[:2000]
    facility = Facility.objects.get()
    assert facility.status == FacilityStatus.DRAFT
    assert [(h.weekday, h.minutes.lower, h.minutes.upper) for h in facility.opening_hours.all()] == [
        (2, 600, 750),
        (2, 840, 1140),
    ]
    closure = facility.closures.get()
    assert (closure.dates.lower, closure.dates.upper) == (BASTILLE_DAY, BASTILLE_DAY + dt.timedelta(days=1))
    assert facility.access_visual
    page = client.get(f"/offres/gerer/{facility.pk}/").content.decode()
    assert 'value="12:30"' in page
    assert "Fête nationale" in page


def test_saving_the_editor_as_it_is_keeps_every_range_and_midnight(cast):
    """Three ranges on Tuesday (set through the API) and a whole Sunday up to 24:00: the grid shows them all,
    plus an empty range, and sending the page back unchanged writes the same hours."""
    hours = [
        {"weekday": 2, "opens": "08:00", "closes": "10:00"},
        {"weekday": 2, "opens": "12:00", "closes": "14:00"},
        {"weekday": 2, "opens": "18:00", "closes": "24:00"},
        {"weekday": 7, "opens": "00:00", "closes": "24:00"},
    ]
    facility = make_facility(cast.correspondent, cast.grenoble, opening_hours=hours)
    before = [(h.weekday, h.minutes.lower, h.minutes.upper) for h in facility.opening_hours.all()]
    assert (2, 1080, 1440) in before
    client = client_for(cast.correspondent)
    page = client.get(f"/offres/gerer/{facility.pk}/").content.decode()
    assert "Plage 4" in page  # three ranges and an empty one
    values = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page))
    assert values["h2_2_closes"] == "00:00"
    assert values["h7_0_opens"] == "00:00"
    data = {name: value for name, value in values.items() if name != "csrfmiddlewaretoken"}
    data |= {"category": facility.category}
    response = send(client, f"/offres/gerer/{facility.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    after = [(h.weekday, h.minutes.lower, h.minutes.upper) for h in facility.opening_hours.all()]
    assert after == before
    # a new range written on the empty slot is added, "until midnight" included
    response = send(
        client, f"/offres/gerer/{facility.pk}/", data | {"h3_0_opens": "22:00", "h3_0_closes": "00:00"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert facility.opening_hours.filter(weekday=3).get().minutes.upper == 1440


def test_a_refusal_lands_on_its_field_with_nothing_written(cast):
    client = client_for(cast.correspondent)
    with assert_nothing_written():
        response = send(client, "/offres/gerer/nouveau/", form(cast, h2_1_opens="12:00"))
    assert response.status_code == 422
    assert "chevauche" in response.context["form"].errors["h2_1_opens"][0]
    with assert_nothing_written():
        response = send(client, "/offres/gerer/nouveau/", form(cast, lon="-3.0", lat="46.5"))
    assert response.status_code == 422
    assert response.context["form"].non_field_errors()


def test_the_workflow_buttons_publish_and_archive(cast):
    facility = make_facility(cast.correspondent, cast.grenoble)
    client = client_for(cast.correspondent)
    response = send(client, f"/offres/gerer/{facility.pk}/etat/", {"transition": "publish"})
    assert response.status_code == 303
    facility.refresh_from_db()
    assert facility.status == FacilityStatus.PUBLISHED
    with assert_nothing_written():
        send(client, f"/offres/gerer/{facility.pk}/etat/", {"transition": "explode"})


def test_the_offers_map_lists_the_nearest_to_a_commune(cast):
    c = cast.correspondent
    make_facility(c, cast.grenoble, name="Musée de Grenoble", publish=True)
    make_facility(
        c,
        cast.grenoble,
        name="Piscine de Voiron",
        category="pool",
        lon=VOIRON[0],
        lat=VOIRON[1],
        publish=True,
    )
    make_facility(
        cast.other_correspondent,
        cast.chambery,
        name="Château des ducs",
        lon=CHAMBERY[0],
        lat=CHAMBERY[1],
        publish=True,
    )
    client = client_for(cast.agent)
    response = client.get("/offres/", {"place": "Voiron (38)", "radius_km": "50"})
    assert response.status_code == 200
    names = [f.name for f in response.context["page"].items]
    assert names == ["Piscine de Voiron", "Musée de Grenoble", "Château des ducs"]
    assert "near=" in response.context["tile_query"]
    response = client.get("/offres/", {"place": "Nulle-Part-sur-Mer"})
    assert response.status_code == 422
    assert "Commune introuvable" in response.content.decode()
    response = client.get("/offres/", {"category": "casino"})
    assert response.status_code == 422


def test_the_facility_page_shows_hours_closures_and_accessibility(cast):
    facility = make_facility(
        cast.correspondent,
        cast.grenoble,
        publish=True,
        access_motor=True,
        closures=[{"start": dt.date(2027, 12, 24), "end": dt.date(2027, 12, 26), "reason": "Noël"}],
    )
    page = client_for(cast.agent).get(f"/offres/equipements/{facility.pk}/").content.decode()
    assert "09:00–18:00" in page
    assert "Noël" in page
    assert "Handicap moteur" in page
