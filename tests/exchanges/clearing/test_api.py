"""/api/v1/clearing walked by every kind of actor: anonymous (401), an agent (403 on the runs, 404 on a
run, their own proposal and opt-in), an officer (reads the runs), an administrator (launches one); bad
input is a 422 naming the field with nothing written; someone else's home is a 404."""

import pytest

from exchanges.clearing.models import ClearingOptIn, ClearingRun
from exchanges.clearing.services import clearing_run
from tests.factories.accounts import UserFactory
from tests.factories.organisations import OfficerTerritoryFactory
from tests.helpers import assert_nothing_written
from tests.hostile.conftest import assert_envelope, logged, send_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(territories):
    return OfficerTerritoryFactory().officer


@pytest.fixture
def admin(db):
    return UserFactory(is_superuser=True, is_staff=True)


def test_anonymous_gets_401_everywhere(opted_ring):
    run = clearing_run(actor=None)
    client = logged()
    for url in ("/api/v1/clearing/runs", f"/api/v1/clearing/runs/{run.pk}", "/api/v1/clearing/mine"):
        assert client.get(url).status_code == 401
    with assert_nothing_written():
        assert send_json(client, "post", "/api/v1/clearing/runs", {}).status_code == 401


def test_an_agent_reads_their_proposal_but_not_the_runs(opted_ring):
    run = clearing_run(actor=None)
    alice = logged(opted_ring.alice)
    assert_envelope(alice.get("/api/v1/clearing/runs"), 403, "clearing_not_allowed")
    assert_envelope(alice.get(f"/api/v1/clearing/runs/{run.pk}"), 404, "clearing_run_not_found")
    assert alice.get(f"/api/v1/clearing/runs/{run.pk}/csv").status_code == 404
    with assert_nothing_written():
        assert_envelope(send_json(alice, "post", "/api/v1/clearing/runs", {}), 403, "clearing_not_allowed")
    mine = alice.get("/api/v1/clearing/mine").json()
    assert len(mine) == 1
    assert mine[0]["homes"][0] == opted_ring.grenoble.pk  # from my home on
    assert len(mine[0]["homes"]) == 3
    assert mine[0]["status"] == "proposed"
    assert mine[0]["reason"].startswith("Boucle à 3 logements")
    assert logged(opted_ring.outsider).get("/api/v1/clearing/mine").json() == []


def test_an_officer_reads_runs_and_figures_with_small_cells_hidden(opted_ring, officer):
    run = clearing_run(actor=None)
    client = logged(officer)
    assert [r["id"] for r in client.get("/api/v1/clearing/runs").json()] == [run.pk]
    detail = client.get(f"/api/v1/clearing/runs/{run.pk}").json()
    assert detail["households"] == 3
    assert len(detail["regions"]) == 3
    assert all(cell["offered"] is None for cell in detail["regions"])  # one household each: under 5
    assert detail["flows"] == []
    csv = client.get(f"/api/v1/clearing/runs/{run.pk}/csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert "<5" in csv.content.decode()
    with assert_nothing_written():
        assert_envelope(send_json(client, "post", "/api/v1/clearing/runs", {}), 403)


def test_an_administrator_launches_a_run_and_bad_input_is_refused(opted_ring, admin):
    client = logged(admin)
    with assert_nothing_written():
        body = assert_envelope(send_json(client, "post", "/api/v1/clearing/runs", {"max_length": 7}), 422)
        assert "max_length" in str(body["detail"])
    response = send_json(client, "post", "/api/v1/clearing/runs", {"max_length": 3})
    assert response.status_code == 201
    assert response.json()["households"] == 3
    assert ClearingRun.objects.get().launched_by == admin


def test_the_opt_in_switch(opted_ring):
    bruno = logged(opted_ring.bruno)
    url = f"/api/v1/clearing/homes/{opted_ring.quimper.pk}/opt-in"
    assert send_json(bruno, "put", url, {"on": False}).json() == {"home": opted_ring.quimper.pk, "on": False}
    assert not ClearingOptIn.objects.filter(home=opted_ring.quimper).exists()
    assert send_json(bruno, "put", url, {"on": True}).json()["on"] is True
    alice = logged(opted_ring.alice)
    with assert_nothing_written():
        assert_envelope(send_json(alice, "put", url, {"on": False}), 404)
        assert_envelope(send_json(bruno, "put", url, {"on": "peut-être"}), 422)
        assert_envelope(send_json(bruno, "put", url, {"on": True, "extra": 1}), 422)


def test_cross_region_flows_of_five_households_or_more_are_given(opted_ring, officer, monkeypatch):
    from exchanges.clearing import selectors

    monkeypatch.setattr(selectors, "MIN_CELL", 1)  # the ring: one household per flow
    run = clearing_run(actor=None)
    flows = logged(officer).get(f"/api/v1/clearing/runs/{run.pk}").json()["flows"]
    assert len(flows) == 3
    assert {f["households"] for f in flows} == {1}
    assert {f["origin_name"] for f in flows} == {"Bretagne", "Occitanie", "Auvergne-Rhône-Alpes"}
    assert all(len(f["coordinates"]) == 2 for f in flows)
