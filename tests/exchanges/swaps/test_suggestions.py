"""The page "Suggestions pour mon logement": the pairs and cycles of my home (public points only), each with its
dates and reason, and "Proposer" that creates the proposal with every stay filled in; someone else's home is a
404; a suggestion proposed with bad homes or dates is refused with nothing written."""

import json
import re

import pytest

from exchanges.swaps import services
from exchanges.swaps.models import ProposalStatus, Stay, SwapProposal
from marketplace.errors import InvalidField
from tests.exchanges.conftest import SENTINEL, SENTINEL_ADDRESS
from tests.exchanges.swaps.conftest import SENTINEL_PHONE
from tests.factories.exchanges import in_days
from tests.helpers import assert_nothing_written
from tests.hostile.conftest import logged

pytestmark = pytest.mark.django_db

SECRETS = (
    SENTINEL_ADDRESS,
    SENTINEL_PHONE,
    f"{SENTINEL[0]:.4f}",
    f"{SENTINEL[1]:.4f}",
    "5.73123",
    "45.18123",
)


def map_data(html: str) -> dict:
    raw = re.search(r'data-geojson="([^"]*)"', html)
    assert raw is not None
    return json.loads(raw.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&#x27;", "'"))


def test_the_owner_sees_the_cycle_with_dates_reason_and_a_map_of_public_points(ring):
    html = logged(ring.bruno).get(f"/mon-logement/{ring.quimper.pk}/suggestions/").content.decode()
    assert "Suggestions pour mon logement" in html
    assert "1. Boucle à 3 logements" in html
    assert "Boucle à 3 logements : dates en commun : 7 nuits" in html  # the one-line reason
    assert f"Du {in_days(15).day} " in html
    assert "Votre foyer séjourne à « Toulouse »" in html
    assert "Le foyer de « Toulouse » séjourne à « Grenoble »" in html
    assert "Le foyer de « Grenoble » (Grenoble, Isère) séjourne chez vous" in html
    assert "Proposer l&#x27;échange 1" in html or "Proposer l'échange 1" in html
    for secret in SECRETS:  # the Grenoble home appears at its public, offset point only
        assert secret not in html, secret
    data = map_data(html)
    points = [f for f in data["features"] if f["geometry"]["type"] == "Point"]
    lines = [f for f in data["features"] if f["geometry"]["type"] == "LineString"]
    assert [p["properties"]["title"] for p in points] == ["Quimper", "Toulouse", "Grenoble"]
    assert len(lines) == 3  # one arrow per stay, each from the guest's home to its host
    grenoble = ring.grenoble
    grenoble.refresh_from_db()
    assert points[2]["geometry"]["coordinates"] == [
        round(grenoble.public_point.x, 5),
        round(grenoble.public_point.y, 5),
    ]
    assert lines[1]["geometry"]["coordinates"][1] == points[2]["geometry"]["coordinates"]


def test_linked_from_my_homes_and_my_home_page(ring):
    alice = logged(ring.alice)
    url = f"/mon-logement/{ring.grenoble.pk}/suggestions/"
    assert url in alice.get("/mon-logement/").content.decode()
    assert url in alice.get(f"/logements/{ring.grenoble.pk}/").content.decode()
    assert url not in logged(ring.bruno).get(f"/logements/{ring.grenoble.pk}/").content.decode()


def test_someone_elses_home_is_a_404_with_nothing_written(ring):
    outsider = logged(ring.outsider)
    with assert_nothing_written():
        assert outsider.get(f"/mon-logement/{ring.grenoble.pk}/suggestions/").status_code == 404
        response = outsider.post(
            f"/mon-logement/{ring.grenoble.pk}/suggestions/proposer/",
            {
                "homes": [ring.grenoble.pk, ring.quimper.pk, ring.toulouse.pk],
                "start": in_days(15),
                "end": in_days(22),
            },
        )
        assert response.status_code == 404
        assert logged().get(f"/mon-logement/{ring.grenoble.pk}/suggestions/").status_code == 302


def test_proposer_creates_the_proposal_with_every_stay_filled_in_once(ring):
    alice = logged(ring.alice)
    html = alice.get(f"/mon-logement/{ring.grenoble.pk}/suggestions/").content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert key is not None
    form = {
        "homes": [ring.grenoble.pk, ring.quimper.pk, ring.toulouse.pk],
        "start": in_days(15),
        "end": in_days(22),
        "idempotency_key": key.group(1),
    }
    response = alice.post(f"/mon-logement/{ring.grenoble.pk}/suggestions/proposer/", form)
    proposal = SwapProposal.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"/propositions/{proposal.pk}/"
    alice.post(f"/mon-logement/{ring.grenoble.pk}/suggestions/proposer/", form)  # a double click
    assert SwapProposal.objects.count() == 1
    assert proposal.status == ProposalStatus.PROPOSED
    stays = {
        (s.guest_home_id, s.host_home_id, s.period.lower, s.period.upper, s.guests)
        for s in Stay.objects.filter(proposal=proposal)
    }
    g, q, t = ring.grenoble.pk, ring.quimper.pk, ring.toulouse.pk
    assert stays == {
        (g, q, in_days(15), in_days(22), 2),
        (q, t, in_days(15), in_days(22), 2),
        (t, g, in_days(15), in_days(22), 2),
    }


@pytest.mark.parametrize(
    ("homes", "start", "end", "field"),
    [
        (("grenoble", "quimper", "grenoble"), 15, 22, "homes"),  # a home twice in the cycle
        (("grenoble",), 15, 22, "homes"),
        (("grenoble", "quimper", "toulouse"), -2, 5, "stays[0].start"),  # in the past
        (("grenoble", "quimper", "toulouse"), 22, 15, "stays[0].end"),  # inverted
    ],
)
def test_a_bad_suggestion_is_refused_naming_the_field_with_nothing_written(ring, homes, start, end, field):
    ids = [getattr(ring, name).pk for name in homes]
    with assert_nothing_written(), pytest.raises(InvalidField) as refused:
        services.proposal_create_from_match(
            actor=ring.alice, homes=ids, start=in_days(start), end=in_days(end)
        )
    assert refused.value.field == field
    alice = logged(ring.alice)
    with assert_nothing_written():
        response = alice.post(
            f"/mon-logement/{ring.grenoble.pk}/suggestions/proposer/",
            {"homes": ids, "start": in_days(start), "end": in_days(end)},
        )
    assert response.status_code == 303  # back to the page with the message


def test_a_home_without_suggestions_says_what_to_do(ring):
    ring.toulouse.wishes.all().delete()  # the cycle is broken (a test shortcut: no service deletes wishes)
    html = logged(ring.bruno).get(f"/mon-logement/{ring.quimper.pk}/suggestions/").content.decode()
    assert "Aucune suggestion pour l&#x27;instant" in html or "Aucune suggestion pour l'instant" in html
    assert "data-suggestions-map" not in html


def test_in_english_for_an_english_reader(ring):
    client = logged(ring.bruno)
    client.cookies["django_language"] = "en"
    html = client.get(f"/mon-logement/{ring.quimper.pk}/suggestions/").content.decode()
    assert "Suggestions for my home" in html
    assert "1. Loop of 3 homes" in html
    assert "Your household stays at “Toulouse”" in html
    assert 'data-home-label="Home %(n)s: %(title)s"' in html
    assert "Propose swap 1" in html


@pytest.mark.parametrize(
    "homes", [["x"], ["99999999999999999999"], ["-1"], [], ["{grenoble}", "99999999999999999999"]]
)
def test_hostile_homes_are_refused_with_nothing_written(ring, homes):
    alice = logged(ring.alice)
    homes = [h.format(grenoble=ring.grenoble.pk) for h in homes]
    with assert_nothing_written():
        response = alice.post(
            f"/mon-logement/{ring.grenoble.pk}/suggestions/proposer/",
            {"homes": homes, "start": in_days(15), "end": in_days(22)},
        )
    assert response.status_code == 303  # back to the page with the message
    assert SwapProposal.objects.count() == 0


def test_a_suggestion_already_proposed_links_to_its_proposal(ring):
    proposal, _ = services.proposal_create_from_match(
        actor=ring.bruno,
        homes=[ring.quimper.pk, ring.toulouse.pk, ring.grenoble.pk],
        start=in_days(15),
        end=in_days(22),
    )
    html = logged(ring.alice).get(f"/mon-logement/{ring.grenoble.pk}/suggestions/").content.decode()
    assert f'Déjà proposé : <a href="/propositions/{proposal.pk}/">proposition n°{proposal.pk}</a>' in html
    assert "Proposer l" not in html
    services.proposal_decline(actor=ring.alice, proposal=proposal)
    html = logged(ring.alice).get(f"/mon-logement/{ring.grenoble.pk}/suggestions/").content.decode()
    assert "Déjà proposé" not in html
    assert "Proposer l" in html


def test_the_navigation_marks_mon_logement_as_the_current_place(ring):
    html = logged(ring.alice).get(f"/mon-logement/{ring.grenoble.pk}/suggestions/").content.decode()
    assert 'href="/mon-logement/" aria-current="page">Mon logement' in html
    assert 'aria-current="page">Propositions' not in html


def test_the_page_reads_a_bounded_number_of_queries(ring, django_assert_max_num_queries):
    from exchanges.matching.services import suggestions_refresh

    suggestions_refresh()  # stored: the page reads them rather than searching
    alice = logged(ring.alice)
    alice.get(f"/mon-logement/{ring.grenoble.pk}/suggestions/")
    with django_assert_max_num_queries(20):
        html = alice.get(f"/mon-logement/{ring.grenoble.pk}/suggestions/").content.decode()
    assert "1. Boucle à 3 logements" in html
