"""The pages: "Votre proposition du mois" (the opt-in switch, the cycle in words and on the map at public
points only, its reason, the link to answer), and the runs for officers and administrators (figures, small
cells hidden, CSV, launch for administrators only); agents get a 403 or a 404."""

import pytest

from exchanges.clearing.models import ClearingOptIn, ClearingRun
from exchanges.clearing.services import clearing_run
from tests.exchanges.swaps.test_suggestions import SECRETS, map_data
from tests.factories.accounts import UserFactory
from tests.factories.organisations import OfficerTerritoryFactory
from tests.helpers import assert_nothing_written
from tests.hostile.conftest import logged

pytestmark = pytest.mark.django_db


def test_my_proposal_of_the_month_in_words_and_on_the_map(opted_ring):
    clearing_run(actor=None)
    html = logged(opted_ring.bruno).get("/proposition-du-mois/").content.decode()
    assert "Votre proposition du mois" in html
    assert "Boucle à 3 logements : dates en commun : 7 nuits" in html
    assert "Votre foyer séjourne à « Toulouse »" in html
    assert "Le foyer de « Toulouse » séjourne à « Grenoble »" in html
    assert "Le foyer de « Grenoble » (Grenoble, Isère) séjourne chez vous" in html
    assert "Répondre à la proposition n°" in html
    assert "Ne plus me proposer d'échange chaque mois" in html
    for secret in SECRETS:
        assert secret not in html, secret
    data = map_data(html)
    points = [f for f in data["features"] if f["geometry"]["type"] == "Point"]
    assert [p["properties"]["title"] for p in points] == ["Quimper", "Toulouse", "Grenoble"]


def test_the_opt_in_switch_on_the_page(opted_ring):
    bruno = logged(opted_ring.bruno)
    response = bruno.post("/proposition-du-mois/inscription/", {"home": opted_ring.quimper.pk, "on": "0"})
    assert response.status_code == 303
    assert not ClearingOptIn.objects.filter(home=opted_ring.quimper).exists()
    assert "Me proposer un échange chaque mois" in bruno.get("/proposition-du-mois/").content.decode()
    alice = logged(opted_ring.alice)
    with assert_nothing_written():
        assert (
            alice.post(
                "/proposition-du-mois/inscription/", {"home": opted_ring.quimper.pk, "on": "1"}
            ).status_code
            == 404
        )
        assert alice.post("/proposition-du-mois/inscription/", {"home": "x", "on": "1"}).status_code in (
            302,
            303,
            422,
        )


def test_runs_pages_for_officers_and_administrators(opted_ring, territories):
    run = clearing_run(actor=None)
    officer = logged(OfficerTerritoryFactory().officer)
    html = officer.get("/tours-du-mois/").content.decode()
    assert f"Tour n°{run.pk}" in html
    assert "Lancer un tour maintenant" not in html
    assert 'href="/tours-du-mois/"' in officer.get("/carte/").content.decode()  # in the header
    detail = officer.get(f"/tours-du-mois/{run.pk}/").content.decode()
    assert "Par région" in detail
    assert "Par département" in detail
    assert "&lt; 5" in detail
    assert "Bretagne" in detail
    csv = officer.get(f"/tours-du-mois/{run.pk}/csv/")
    assert csv.content.decode().startswith("niveau,code,nom")
    with assert_nothing_written():
        assert officer.post("/tours-du-mois/lancer/").status_code == 303  # refused: a message, back
    admin = logged(UserFactory(is_superuser=True, is_staff=True))
    assert "Lancer un tour maintenant" in admin.get("/tours-du-mois/").content.decode()
    assert admin.post("/tours-du-mois/lancer/").status_code == 303
    assert ClearingRun.objects.count() == 2  # the administrator's, beside the first


def test_agents_do_not_see_the_runs(opted_ring):
    run = clearing_run(actor=None)
    alice = logged(opted_ring.alice)
    assert alice.get("/tours-du-mois/").status_code == 403
    assert 'href="/tours-du-mois/"' not in alice.get("/carte/").content.decode()
    assert alice.get(f"/tours-du-mois/{run.pk}/").status_code == 404
    assert alice.get(f"/tours-du-mois/{run.pk}/csv/").status_code == 404
    with assert_nothing_written():
        assert alice.post("/tours-du-mois/lancer/").status_code == 303  # refused: a message, back
    assert logged().get("/proposition-du-mois/").status_code == 302
