"""Matches of a home: the API (owner only, public data only), the stored suggestions and their refresh,
a 4-home cycle, and the beam against the exact search."""

import pytest
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from exchanges import services
from exchanges.matching.engine import Edge, Graph, matches_for
from exchanges.matching.services import suggestions_refresh
from exchanges.models import Suggestion
from geo.models import Commune
from tests.exchanges.conftest import SENTINEL, SENTINEL_ADDRESS
from tests.exchanges.matching.test_engine_brute_force import _build
from tests.factories.accounts import UserFactory
from tests.organisations.test_api import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _three_nights(settings):
    # The shared `homes` fixture's two homes have 4 nights in common.
    settings.MATCHING_MIN_NIGHTS = 3


class TestApi:
    def test_the_owner_sees_the_pair_with_its_reason_and_public_data_only(self, people, homes):
        response = client_for(people.owner).get(f"/api/v1/homes/{homes['grenoble'].pk}/matches")
        assert response.status_code == 200
        (match,) = response.json()
        assert match["kind"] == "pair"
        assert [h["id"] for h in match["homes"]] == [homes["grenoble"].pk, homes["quimper"].pk]
        assert (match["start"], match["end"]) == (str(homes_day(20)), str(homes_day(24)))
        assert match["text"].startswith("Échange réciproque : dates en commun : 4 nuits")
        body = response.content.decode()
        assert SENTINEL_ADDRESS not in body
        assert str(SENTINEL[0]) not in body
        assert match["homes"][0]["lon"] == round(homes["grenoble"].public_point.x, 5)

    def test_in_english_for_an_english_reader(self, people, homes):
        people.owner.preferred_language = "en"
        people.owner.save(update_fields=["preferred_language"])
        response = client_for(people.owner).get(f"/api/v1/homes/{homes['grenoble'].pk}/matches")
        assert response.json()[0]["text"].startswith("Reciprocal swap: 4 nights in common")

    def test_someone_elses_or_a_missing_home_is_a_404(self, people, homes):
        other = client_for(people.other)
        assert other.get(f"/api/v1/homes/{homes['grenoble'].pk}/matches").status_code == 404
        assert other.get("/api/v1/homes/999999/matches").status_code == 404

    def test_a_paused_home_has_no_match(self, people, homes):
        services.home_pause(actor=people.other, home=homes["quimper"])
        assert client_for(people.owner).get(f"/api/v1/homes/{homes['grenoble'].pk}/matches").json() == []


def homes_day(days):
    import datetime as dt

    return timezone.localdate() + dt.timedelta(days=days)


def test_refresh_stores_and_follows_changes(people, homes, django_capture_on_commit_callbacks):
    assert suggestions_refresh() == 2  # the pair, seen from each home
    stored = Suggestion.objects.get(home=homes["grenoble"])
    assert (stored.kind, stored.homes, stored.rank) == (
        "pair",
        [homes["grenoble"].pk, homes["quimper"].pk],
        1,
    )
    stored_api = client_for(people.owner).get(f"/api/v1/homes/{homes['grenoble'].pk}/matches?stored=true")
    assert stored_api.json()[0]["homes"][1]["id"] == homes["quimper"].pk
    with django_capture_on_commit_callbacks(execute=True):
        services.home_pause(actor=people.other, home=homes["quimper"])
    job = ProcrastinateJob.objects.get(task_name="exchanges.tasks.suggestions_refresh_task")
    assert job.args == {"home_ids": [homes["quimper"].pk]}
    suggestions_refresh(home_ids=job.args["home_ids"])
    assert not Suggestion.objects.exists()  # the pair is gone from both homes


def test_a_four_home_cycle_across_four_regions(territories):
    towns = ["38185", "29232", "31555", "59350"]  # Grenoble → Quimper → Toulouse → Lille → Grenoble
    communes = [Commune.objects.get(code=c) for c in towns]
    owners = [UserFactory() for _ in towns]

    def spec(i):
        wish = {"towns": {(i + 1) % 4}, "start": 0, "nights": 7, "flex": 0, "party": 2}
        return {
            "town": i,
            "owner": i,
            "sleeps": 2,
            "published": True,
            "periods": [(0, 7, "open")],
            "wishes": [wish],
        }

    homes = _build([spec(i) for i in range(4)], owners, communes, timezone.localdate())
    from exchanges.matching.selectors import matches_for_home

    (match,) = matches_for_home(homes[0])
    assert match.homes == tuple(h.pk for h in homes)
    assert match.window[1] - match.window[0] == 7
    assert match.params["homes"] == 4


def test_the_beam_keeps_the_best_and_the_exact_search_finds_all():
    """A home with many hosts: with a beam of 2, its cycles go through its 2 best stays only; pairs are all
    found whatever the beam."""
    graph = Graph()
    day = 740_000
    for host in range(1, 7):
        nights = 5 + host  # the later hosts offer longer stays: better
        graph.add(Edge(0, host, ((day, day + nights),), ((day, day + nights),), 1, 100.0, 0))
        graph.add(Edge(host, 100, ((day, day + 20),), ((day, day + 20),), 1, 100.0, 0))
    graph.add(Edge(100, 0, ((day, day + 20),), ((day, day + 20),), 1, 100.0, 0))
    graph.add(Edge(3, 0, ((day, day + 20),), ((day, day + 20),), 1, 100.0, 0))  # a pair with a weak host
    graph.owner.update({h: h for h in [0, 1, 2, 3, 4, 5, 6, 100]})
    exact = matches_for(graph, 0, min_nights=3)
    beamed = matches_for(graph, 0, min_nights=3, beam=2)
    assert {m.homes for m in exact if len(m.homes) == 3} == {(0, h, 100) for h in range(1, 7)}
    assert {m.homes for m in beamed if len(m.homes) == 3} == {(0, 6, 100), (0, 5, 100)}
    assert (0, 3) in {m.homes for m in beamed}
