"""Offers near a swap: published facilities around a point, open at least one day of the stay, nearest first,
as plain data; and the block the swap proposal page shows its guest (around the host home's public point)."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point

from geo.models import Commune
from local_offers.selectors import OfferNearby, offers_near_stay
from tests.exchanges.swaps.conftest import propose_pair, trio  # noqa: F401  (the trio fixture)
from tests.factories.local_offers import GRENOBLE, QUIMPER, VOIRON, make_facility
from tests.factories.organisations import MemberOrganisationFactory, StaffRoleFactory
from tests.organisations.test_api import client_for


def next_weekday(iso: int) -> dt.date:
    today = dt.date.today()
    return today + dt.timedelta(days=(iso - today.isoweekday()) % 7 + 7)


def test_offers_near_a_stay_are_open_during_it_and_nearest_first(cast):
    c = cast.correspondent
    sunday_only = [{"weekday": 7, "opens": "10:00", "closes": "12:00"}]
    make_facility(c, cast.grenoble, name="Musée", publish=True)  # weekdays
    make_facility(
        c,
        cast.grenoble,
        name="Marché couvert",
        lon=VOIRON[0],
        lat=VOIRON[1],
        publish=True,
        opening_hours=sunday_only,
    )
    make_facility(c, cast.grenoble, name="Brouillon", publish=False)
    monday = next_weekday(1)
    make_facility(
        c,
        cast.grenoble,
        name="Piscine fermée",
        category="pool",
        publish=True,
        closures=[{"start": monday, "end": monday + dt.timedelta(days=7)}],
    )
    point = Point(*GRENOBLE, srid=4326)
    week = offers_near_stay(point=point, start=monday, end=monday + dt.timedelta(days=7), radius_m=40_000)
    assert [o.name for o in week] == ["Musée", "Marché couvert"]
    assert isinstance(week[0], OfferNearby)
    assert week[0].distance_m < 100
    assert week[0].url == f"/offres/equipements/{week[0].id}/"
    assert 20_000 < week[1].distance_m < 27_000
    # Monday to Friday: the Sunday market is closed, the pool is closed for works.
    weekdays = offers_near_stay(point=point, start=monday, end=monday + dt.timedelta(days=5), radius_m=40_000)
    assert [o.name for o in weekdays] == ["Musée"]
    assert (
        offers_near_stay(point=point, start=monday, end=monday + dt.timedelta(days=7), radius_m=1_000)[0].name
        == "Musée"
    )
    assert offers_near_stay(point=point, start=monday, end=monday, radius_m=40_000) == []


@pytest.mark.usefixtures("trio")
def test_the_guest_sees_offers_near_the_host_home_on_the_proposal_page(trio):  # noqa: F811
    quimper = MemberOrganisationFactory(
        name="Ville de Quimper", seat_commune=Commune.objects.get(code="29232")
    )
    correspondent = StaffRoleFactory(organisation=quimper).user
    every_day = [{"weekday": d, "opens": "10:00", "closes": "18:00"} for d in range(1, 8)]
    make_facility(
        correspondent,
        quimper,
        name="Musée départemental breton",
        lon=QUIMPER[0],
        lat=QUIMPER[1],
        publish=True,
        opening_hours=every_day,
    )
    proposal = propose_pair(trio)
    alice_page = client_for(trio.alice).get(f"/propositions/{proposal.pk}/").content.decode()
    assert "Musée départemental breton" in alice_page  # Alice's household stays in Quimper
    bruno_page = client_for(trio.bruno).get(f"/propositions/{proposal.pk}/").content.decode()
    assert "Musée départemental breton" not in bruno_page  # Bruno's stays in Grenoble
    assert "Offres locales à moins de 20 km" in bruno_page
